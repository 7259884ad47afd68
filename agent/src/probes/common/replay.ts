/**
 * A SystemReader that replays recorded outputs (tests, benchmarks): files, directories, stats,
 * commands and a fixed clock. Anything not recorded is absent, as on a host without it; every
 * command call is kept so tests can check that it ran without a shell and with a timeout.
 */
import type { CommandResult, SystemReader } from '../../system.js';

export interface ReplaySpec {
  platform: NodeJS.Platform;
  now: Date;
  files?: Record<string, string>;
  dirs?: Record<string, string[]>;
  stats?: Record<string, { mtime: Date; size: number }>;
  /** First match wins; `match` is tested against "command arg1 arg2 ...". */
  commands?: { match: string | RegExp; result: CommandResult }[];
  /** Running processes by comm name, with their argv (written under /proc). */
  processes?: { comm: string; argv?: string[] }[];
}

export interface RecordedCall {
  command: string;
  args: readonly string[];
  timeoutMs: number | undefined;
}

export const ok = (stdout: string, code = 0, stderr = ''): CommandResult => ({ kind: 'ok', code, stdout, stderr });

export class ReplaySystem implements SystemReader {
  readonly platform: NodeJS.Platform;
  readonly calls: RecordedCall[] = [];
  private readonly files = new Map<string, string>();
  private readonly dirs = new Map<string, string[]>();

  constructor(private readonly spec: ReplaySpec) {
    this.platform = spec.platform;
    for (const [k, v] of Object.entries(spec.files ?? {})) this.files.set(k, v);
    for (const [k, v] of Object.entries(spec.dirs ?? {})) this.dirs.set(k, v);
    if (spec.processes) {
      const pids: string[] = [];
      spec.processes.forEach((p, i) => {
        const pid = String(1000 + i);
        pids.push(pid);
        this.files.set(`/proc/${pid}/comm`, `${p.comm}\n`);
        this.files.set(`/proc/${pid}/cmdline`, `${(p.argv ?? [p.comm]).join('\0')}\0`);
      });
      this.dirs.set('/proc', [...(this.dirs.get('/proc') ?? []), ...pids, 'self', 'meminfo']);
    }
  }

  async readFile(path: string): Promise<string | null> {
    return this.files.get(path) ?? null;
  }

  async readHead(path: string, bytes: number): Promise<string | null> {
    const f = this.files.get(path);
    return f === undefined ? null : f.slice(0, bytes);
  }

  async readDir(path: string): Promise<string[] | null> {
    return this.dirs.get(path) ?? null;
  }

  async stat(path: string): Promise<{ mtime: Date; size: number } | null> {
    const s = this.spec.stats?.[path];
    if (s) return s;
    const f = this.files.get(path);
    if (f !== undefined) return { mtime: this.spec.now, size: f.length };
    return this.dirs.has(path) ? { mtime: this.spec.now, size: 0 } : null;
  }

  async run(command: string, args: readonly string[], opts: { timeoutMs?: number } = {}): Promise<CommandResult> {
    this.calls.push({ command, args, timeoutMs: opts.timeoutMs });
    const line = [command, ...args].join(' ');
    for (const c of this.spec.commands ?? []) {
      if (typeof c.match === 'string' ? line.includes(c.match) : c.match.test(line)) return c.result;
    }
    return { kind: 'not-found' };
  }

  now(): Date {
    return this.spec.now;
  }
}
