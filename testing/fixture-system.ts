/**
 * The one SystemReader that replays recorded outputs, for every probe test and benchmark: files,
 * directories, modification times, commands, running processes, daemon sockets and a fixed clock.
 * It lives here, outside the agent's sources, so that it never ships in the agent bundle.
 *
 * - Files are given by path; directories are derived from the file paths (plus `dirs`).
 * - A command is keyed by `command arg1 arg2...` (exact), or matched by a list of
 *   `{match, result}` (substring or RegExp over that line; first match wins). It answers a
 *   CommandResult, or stdout text (exit 0).
 * - A socket is keyed by its address and answers each request (the request text decides).
 * - Anything not given is absent, as on a host without it: a missing file reads null, a missing
 *   command is not-found, a missing socket is ENOENT.
 */
import type { CommandResult, ExchangeOptions, ExchangeResult, FileStat, SystemReader } from '../agent/src/system.js';

/** A command's recorded answer: stdout of a clean exit, or the full result. */
export type Answer = string | CommandResult;
/** One socket's recorded answers: reply text for a request, or the full result. */
export type SocketAnswer = (request: string) => string | ExchangeResult;

export interface Fixture {
  platform?: NodeJS.Platform;
  files?: Record<string, string>;
  /**
   * Directories: a list of (possibly empty) directory paths, or each directory with its entries
   * (entries that are not files here exist in the listing only).
   */
  dirs?: string[] | Record<string, string[]>;
  /** Exact command lines, or matchers tried in order (first match wins). */
  commands?: Record<string, Answer> | { match: string | RegExp; result: Answer }[];
  /** Modification times of paths (files or dirs), for freshness checks. */
  mtimes?: Record<string, Date>;
  /**
   * What stat(2) says of paths, when more than the modification time matters: size, and the
   * permission bits, owner and group ids (`mode`, `uid`, `gid`), as recorded on a machine.
   */
  stats?: Record<string, FileStat>;
  /**
   * Running processes: comm name and argv, written under /proc/<pid>/comm and cmdline for
   * probes that walk /proc. (`processes`, a plain name list, is the baseline tests' own field.)
   */
  running?: { comm: string; argv?: string[] }[];
  /** Daemon sockets by address (`/run/clamav/clamd.ctl`, `127.0.0.1:3310`). */
  sockets?: Record<string, SocketAnswer>;
  now?: Date;
}

/** What a probe ran: the argv form (never a shell) and the timeout it gave. */
export interface RecordedCall {
  command: string;
  args: readonly string[];
  timeoutMs: number | undefined;
}

/** A clean exit with this stdout. */
export const ok = (stdout: string, code = 0, stderr = ''): CommandResult => ({ kind: 'ok', code, stdout, stderr });

/** Lines as LocalSystem hands them out: no `\n`, no trailing `\r`, no empty last line after a final newline. */
function splitLines(text: string, onLine: (line: string) => void): void {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const l of lines) onLine(l.endsWith('\r') ? l.slice(0, -1) : l);
}

const answer = (r: Answer): CommandResult => (typeof r === 'string' ? ok(r) : r);

export class FixtureSystem implements SystemReader {
  readonly platform: NodeJS.Platform;
  /** Every command the probe ran, in order, as one line: tests assert what was (not) run. */
  readonly ran: string[] = [];
  /** The same commands with their argv and timeout. */
  readonly calls: RecordedCall[] = [];
  /** Every socket request: address and request text. */
  readonly asked: { address: string; request: string; timeoutMs: number }[] = [];
  private readonly files: Record<string, string>;
  private readonly listed = new Map<string, string[]>();
  private readonly emptyDirs: string[];

  constructor(private readonly f: Fixture) {
    this.platform = f.platform ?? 'linux';
    this.files = { ...f.files };
    this.emptyDirs = Array.isArray(f.dirs) ? f.dirs : [];
    if (f.dirs && !Array.isArray(f.dirs)) for (const [d, entries] of Object.entries(f.dirs)) this.listed.set(d, entries);
    (f.running ?? []).forEach((p, i) => {
      const pid = String(1000 + i);
      this.files[`/proc/${pid}/comm`] = `${p.comm}\n`;
      this.files[`/proc/${pid}/cmdline`] = `${(p.argv ?? [p.comm]).join('\0')}\0`;
    });
  }

  async readFile(path: string) {
    return this.files[path] ?? null;
  }

  async readLines(path: string, onLine: (line: string) => void) {
    const text = this.files[path];
    if (text === undefined) return false;
    splitLines(text, onLine);
    return true;
  }

  async readHead(path: string, bytes: number) {
    return this.files[path]?.slice(0, bytes) ?? null;
  }

  async readDir(path: string) {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    const names = Object.keys(this.files)
      .filter((p) => p.startsWith(prefix))
      .map((p) => p.slice(prefix.length).split('/')[0]!);
    const sub = this.emptyDirs.filter((d) => d.startsWith(prefix)).map((d) => d.slice(prefix.length).split('/')[0]!);
    const given = this.listed.get(path) ?? [];
    const known = names.length || sub.length || given.length || this.emptyDirs.includes(path) || this.listed.has(path);
    return known ? [...new Set([...given, ...names, ...sub])] : null;
  }

  async stat(path: string): Promise<FileStat | null> {
    const s = this.f.stats?.[path];
    if (s) return s;
    const m = this.f.mtimes?.[path];
    if (m) return { mtime: m, size: this.files[path]?.length ?? 0 };
    if (this.files[path] !== undefined) return { mtime: this.now(), size: this.files[path].length };
    return (await this.readDir(path)) ? { mtime: this.now(), size: 0 } : null;
  }

  async run(command: string, args: readonly string[], opts: { timeoutMs?: number } = {}): Promise<CommandResult> {
    const key = [command, ...args].join(' ');
    this.ran.push(key);
    this.calls.push({ command, args, timeoutMs: opts.timeoutMs });
    const c = this.f.commands;
    if (Array.isArray(c)) {
      for (const m of c) if (typeof m.match === 'string' ? key.includes(m.match) : m.match.test(key)) return answer(m.result);
      return { kind: 'not-found' };
    }
    const r = c?.[key];
    return r === undefined ? { kind: 'not-found' } : answer(r);
  }

  async runLines(command: string, args: readonly string[], onLine: (line: string) => void, opts: { timeoutMs?: number } = {}): Promise<CommandResult> {
    const r = await this.run(command, args, opts);
    if (r.kind !== 'ok') return r;
    splitLines(r.stdout, onLine);
    return { ...r, stdout: '' };
  }

  async exchange(address: string, request: Uint8Array, opts: ExchangeOptions): Promise<ExchangeResult> {
    const text = Buffer.from(request).toString('latin1');
    this.asked.push({ address, request: text, timeoutMs: opts.timeoutMs });
    const s = this.f.sockets?.[address];
    if (!s) return { kind: 'failed', code: 'ENOENT', message: `connect ENOENT ${address}` };
    const r = s(text);
    return typeof r === 'string' ? { kind: 'ok', reply: r } : r;
  }

  now() {
    return this.f.now ?? new Date('2026-11-20T08:00:00Z');
  }
}
