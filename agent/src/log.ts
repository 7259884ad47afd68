/**
 * The agent's log: one line per event on stderr (journald and the Windows service wrapper
 * capture it), `level message key=value...`. Credentials never reach it: callers pass ids only.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Log {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const fmt = (v: unknown) => (typeof v === 'string' && !/[\s"=]/.test(v) ? v : JSON.stringify(v instanceof Error ? v.message : v));

export function createLog(level: Level = (process.env.POSTURE_AGENT_LOG_LEVEL as Level | undefined) ?? 'info', write: (line: string) => void = (l) => process.stderr.write(l)): Log {
  const min = ORDER[level] ?? ORDER.info;
  const at =
    (l: Level) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      if (ORDER[l] < min) return;
      const kv = Object.entries(fields)
        .map(([k, v]) => ` ${k}=${fmt(v)}`)
        .join('');
      write(`${new Date().toISOString()} ${l} ${msg}${kv}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
