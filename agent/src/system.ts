/**
 * The only door through which probes read the machine. Tests replace it with a reader that
 * replays recorded outputs of real machines (see probes/<name>/testdata/), so every probe can
 * be tested for Windows and for products that cannot run here.
 */
import { execFile } from 'node:child_process';
import { open, readFile, readdir, stat, type FileHandle } from 'node:fs/promises';

/** Outcome of running a command: absent binary and timeout are facts, not exceptions. */
export type CommandResult =
  | { kind: 'ok'; code: number; stdout: string; stderr: string }
  | { kind: 'not-found' }
  | { kind: 'timeout'; afterMs: number }
  | { kind: 'failed'; message: string };

export interface SystemReader {
  /** OS as Node names it: linux, win32, darwin... */
  readonly platform: NodeJS.Platform;
  /** File contents, or null when the file does not exist or cannot be read. */
  readFile(path: string): Promise<string | null>;
  /** The first `bytes` bytes of a file as latin1 text (headers of large files), or null. */
  readHead(path: string, bytes: number): Promise<string | null>;
  /** Directory entries, or null when absent. */
  readDir(path: string): Promise<string[] | null>;
  /** Modification time and size, or null when absent. */
  stat(path: string): Promise<{ mtime: Date; size: number } | null>;
  /** Run a program without a shell, with a timeout. Never throws. */
  run(command: string, args: readonly string[], opts?: { timeoutMs?: number }): Promise<CommandResult>;
  /** Current time (injectable so that fixtures have stable ages). */
  now(): Date;
}

const MAX_OUTPUT = 8 * 1024 * 1024;

/** Reads the real machine. */
export class LocalSystem implements SystemReader {
  readonly platform = process.platform;

  async readFile(path: string): Promise<string | null> {
    try {
      return await readFile(path, 'utf8');
    } catch {
      return null;
    }
  }

  async readHead(path: string, bytes: number): Promise<string | null> {
    let fh: FileHandle | undefined;
    try {
      fh = await open(path, 'r');
      const buf = Buffer.alloc(bytes);
      const { bytesRead } = await fh.read(buf, 0, bytes, 0);
      return buf.subarray(0, bytesRead).toString('latin1');
    } catch {
      return null;
    } finally {
      await fh?.close();
    }
  }

  async readDir(path: string): Promise<string[] | null> {
    try {
      return await readdir(path);
    } catch {
      return null;
    }
  }

  async stat(path: string): Promise<{ mtime: Date; size: number } | null> {
    try {
      const s = await stat(path);
      return { mtime: s.mtime, size: s.size };
    } catch {
      return null;
    }
  }

  run(command: string, args: readonly string[], opts: { timeoutMs?: number } = {}): Promise<CommandResult> {
    const timeoutMs = opts.timeoutMs ?? 5000;
    return new Promise((resolve) => {
      execFile(
        command,
        args,
        { timeout: timeoutMs, maxBuffer: MAX_OUTPUT, windowsHide: true, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
        (err, stdout, stderr) => {
          if (!err) return resolve({ kind: 'ok', code: 0, stdout, stderr });
          const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string; code?: number | string };
          if (e.code === 'ENOENT') return resolve({ kind: 'not-found' });
          if (e.killed && e.signal === 'SIGTERM') return resolve({ kind: 'timeout', afterMs: timeoutMs });
          if (typeof e.code === 'number') return resolve({ kind: 'ok', code: e.code, stdout, stderr });
          resolve({ kind: 'failed', message: e.message });
        },
      );
    });
  }

  now(): Date {
    return new Date();
  }
}
