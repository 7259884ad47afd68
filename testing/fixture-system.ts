/**
 * A SystemReader that replays files and command outputs, for probe tests. Files are given by
 * path; directories are derived from the file paths (plus `dirs` for empty ones); a command
 * is keyed by `command arg1 arg2...` and answers a CommandResult, or stdout text (exit 0).
 * Anything not given is absent: a missing file reads null, a missing command is not-found.
 */
import type { CommandResult, SystemReader } from '../agent/src/system.js';

export interface Fixture {
  platform?: NodeJS.Platform;
  files?: Record<string, string>;
  dirs?: string[];
  commands?: Record<string, string | CommandResult>;
  /** Modification times of paths (files or dirs), for freshness checks. */
  mtimes?: Record<string, Date>;
  now?: Date;
}

export class FixtureSystem implements SystemReader {
  readonly platform: NodeJS.Platform;
  /** Every command the probe ran, in order: tests assert what was (not) run. */
  readonly ran: string[] = [];
  constructor(private readonly f: Fixture) {
    this.platform = f.platform ?? 'linux';
  }
  async readFile(path: string) {
    return this.f.files?.[path] ?? null;
  }
  async readHead(path: string, bytes: number) {
    return this.f.files?.[path]?.slice(0, bytes) ?? null;
  }
  async readDir(path: string) {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    const names = Object.keys(this.f.files ?? {}).filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).split('/')[0]!);
    const sub = (this.f.dirs ?? []).filter((d) => d.startsWith(prefix)).map((d) => d.slice(prefix.length).split('/')[0]!);
    return names.length || sub.length || this.f.dirs?.includes(path) ? [...new Set([...names, ...sub])] : null;
  }
  async stat(path: string) {
    const m = this.f.mtimes?.[path];
    if (m) return { mtime: m, size: this.f.files?.[path]?.length ?? 0 };
    if (this.f.files?.[path] !== undefined) return { mtime: this.now(), size: this.f.files[path].length };
    return (await this.readDir(path)) ? { mtime: this.now(), size: 0 } : null;
  }
  async run(command: string, args: readonly string[]): Promise<CommandResult> {
    const key = [command, ...args].join(' ');
    this.ran.push(key);
    const r = this.f.commands?.[key];
    if (r === undefined) return { kind: 'not-found' };
    return typeof r === 'string' ? { kind: 'ok', code: 0, stdout: r, stderr: '' } : r;
  }
  now() {
    return this.f.now ?? new Date('2026-11-20T08:00:00Z');
  }
}
