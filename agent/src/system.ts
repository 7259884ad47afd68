/**
 * The only door through which probes read the machine. Tests replace it with a reader that
 * replays recorded outputs of real machines (see probes/<name>/testdata/), so every probe can
 * be tested for Windows and for products that cannot run here.
 */
import { execFile } from 'node:child_process';
import { open, readFile, readdir, stat, type FileHandle } from 'node:fs/promises';
import { createConnection } from 'node:net';

/** Outcome of running a command: absent binary and timeout are facts, not exceptions. */
export type CommandResult = { kind: 'ok'; code: number; stdout: string; stderr: string } | { kind: 'not-found' } | { kind: 'timeout'; afterMs: number } | { kind: 'failed'; message: string };

/**
 * Outcome of one request to a local daemon's socket. A daemon whose process exists but that
 * does not reply within the deadline is a `timeout`: the caller learns that nothing answers.
 */
export type ExchangeResult =
  /** The peer replied: the bytes up to its terminator (or until it closed), as latin1 text. */
  | { kind: 'ok'; reply: string }
  /** No complete reply within the deadline (what came before it is in `partial`). */
  | { kind: 'timeout'; afterMs: number; partial: string }
  /** Could not connect or the connection broke: `code` is the errno name (ENOENT, ECONNREFUSED, EACCES...). */
  | { kind: 'failed'; code: string; message: string };

export interface ExchangeOptions {
  /** Deadline for connect, send and the whole reply. */
  timeoutMs: number;
  /** The reply ends at this byte (clamd's z-commands end replies with NUL); else at close. */
  terminator?: number;
}

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
  /**
   * Send `request` to a stream socket (`/path` = Unix socket, `host:port` or `[v6]:port` = TCP)
   * and read the reply. Never throws.
   */
  exchange(address: string, request: Uint8Array, opts: ExchangeOptions): Promise<ExchangeResult>;
  /** Current time (injectable so that fixtures have stable ages). */
  now(): Date;
}

const MAX_REPLY = 64 * 1024;

/** `/run/x.sock` -> a Unix path; `127.0.0.1:3310`, `[::1]:3310` -> host and port. */
function socketTarget(address: string): { path: string } | { host: string; port: number } | null {
  if (address.startsWith('/')) return { path: address };
  const m = address.match(/^\[([^\]]+)\]:(\d+)$/) ?? address.match(/^([^:]+):(\d+)$/);
  if (!m) return null;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1]!, port } : null;
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
      execFile(command, args, { timeout: timeoutMs, maxBuffer: MAX_OUTPUT, windowsHide: true, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }, (err, stdout, stderr) => {
        if (!err) return resolve({ kind: 'ok', code: 0, stdout, stderr });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string; code?: number | string };
        if (e.code === 'ENOENT') return resolve({ kind: 'not-found' });
        if (e.killed && e.signal === 'SIGTERM') return resolve({ kind: 'timeout', afterMs: timeoutMs });
        if (typeof e.code === 'number') return resolve({ kind: 'ok', code: e.code, stdout, stderr });
        resolve({ kind: 'failed', message: e.message });
      });
    });
  }

  exchange(address: string, request: Uint8Array, opts: ExchangeOptions): Promise<ExchangeResult> {
    const target = socketTarget(address);
    if (!target) return Promise.resolve({ kind: 'failed', code: 'EINVAL', message: `not a socket address: ${address.slice(0, 100)}` });
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const sock = createConnection(target);
      const finish = (r: ExchangeResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        sock.destroy();
        resolve(r);
      };
      const text = () => Buffer.concat(chunks).toString('latin1');
      const timer = setTimeout(() => finish({ kind: 'timeout', afterMs: opts.timeoutMs, partial: text().slice(0, 512) }), opts.timeoutMs);
      sock.on('connect', () => sock.end(request));
      sock.on('data', (d: Buffer) => {
        chunks.push(d);
        size += d.length;
        const end = opts.terminator === undefined ? -1 : d.indexOf(opts.terminator);
        if (end >= 0) {
          const all = Buffer.concat(chunks);
          finish({ kind: 'ok', reply: all.subarray(0, all.length - d.length + end).toString('latin1') });
        } else if (size > MAX_REPLY) finish({ kind: 'ok', reply: text().slice(0, MAX_REPLY) });
      });
      sock.on('end', () => finish({ kind: 'ok', reply: text() }));
      sock.on('error', (e: NodeJS.ErrnoException) => finish({ kind: 'failed', code: e.code ?? 'EIO', message: e.message.slice(0, 200) }));
    });
  }

  now(): Date {
    return new Date();
  }
}
