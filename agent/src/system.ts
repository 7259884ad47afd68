/**
 * The only door through which probes read the machine. Tests replace it with a reader that
 * replays recorded outputs of real machines (see probes/<name>/testdata/), so every probe can
 * be tested for Windows and for products that cannot run here.
 */
import { execFile, spawn } from 'node:child_process';
import { constants, createReadStream, readFile as readFileCallback, readFileSync, readdirSync, statSync, type Stats } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
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

/** What stat(2) tells of a path (see SystemReader.stat). */
export interface FileStat {
  /** Last modification of the contents. */
  mtime: Date;
  /** Size in bytes. */
  size: number;
  /** Last inode change, when the reader knows it. */
  ctime?: Date;
  /** st_mode: file type and permission bits (`mode & 0o7777` are the permissions), when known. */
  mode?: number;
  /** Owner's user id, when known. */
  uid?: number;
  /** Group id, when known. */
  gid?: number;
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
  /**
   * What stat(2) says of a path after symlinks (what open() reaches), or null when absent.
   * Modification time and size always; `ctime` (inode change: any write, chmod, rename or
   * utimes) when the reader knows it, so a cache can tell a file rewritten with its old mtime
   * put back; permission bits (`mode & 0o7777`), owner and group ids when it knows them.
   */
  stat(path: string): Promise<FileStat | null>;
  /**
   * Each line of a text file (UTF-8, without its newline), in order, as it is read: the file is
   * never held whole (apt's lists and dpkg's status are megabytes). False when it cannot be read.
   */
  readLines(path: string, onLine: (line: string) => void): Promise<boolean>;
  /** Run a program without a shell, with a timeout. Never throws. */
  run(command: string, args: readonly string[], opts?: { timeoutMs?: number }): Promise<CommandResult>;
  /**
   * Run a program like `run`, handing each line of its stdout to `onLine` as it arrives instead
   * of keeping it: the result's `stdout` is empty. For outputs of megabytes (a decompressed list).
   */
  runLines(command: string, args: readonly string[], onLine: (line: string) => void, opts?: { timeoutMs?: number }): Promise<CommandResult>;
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
const MAX_STDERR = 64 * 1024;

/**
 * Paths read synchronously: the kernel's pseudo-filesystems (files made from memory when read,
 * never waiting on a disk) and the directories the operating system itself cannot run without:
 * /etc (systemd requires it on the root file system; every login reads /etc/pam.d, every
 * program /etc/ld.so.cache), /usr (every program's binary and libraries; mounted before the
 * root switch) and /run (a tmpfs made at boot). If one of those hangs, every program on the
 * host hangs with it. The exceptions may be mounted from the network or by FUSE, and stay
 * asynchronous so that a hung mount cannot stop the probe timeouts: /usr/local (shared over
 * NFS at some sites) and /run/user (gvfs, the document portal). Everything else (/opt, /var,
 * /home, /srv, /mnt...) stays asynchronous too.
 *
 * In the agent's interpreter-only V8 (v8-flags.ts) an asynchronous read costs several
 * thread-pool round trips (open, fstat, read, close), each a callback and a promise: a warm
 * cycle spent ~15 ms of CPU on its ~150 reads and stats of /etc and /usr, ~1 ms synchronously
 * (bench/agent-footprint.mjs).
 */
const SYNC_PATH = /^\/(proc|sys|etc)\/|^\/usr\/(?!local\/)|^\/run\/(?!user\/)/;
/** A directory given without its trailing slash (`/etc/pam.d`) is under the same rule as its entries. */
export const readSynchronously = (path: string): boolean => SYNC_PATH.test(path.endsWith('/') ? path : `${path}/`);

/** The reader's stat of a node fs.Stats. */
const fileStat = (s: Stats): Required<FileStat> => ({ mtime: s.mtime, size: s.size, ctime: s.ctime, mode: s.mode, uid: s.uid, gid: s.gid });

/**
 * Whether `command` can be executed: an absolute path, or a name found on PATH. A program that
 * is not installed is then answered `not-found` without forking the agent for nothing (a fork
 * costs the parent about a millisecond per spawn; several probes ask for tools most hosts lack).
 */
function executable(command: string): boolean {
  const isExec = (p: string) => {
    try {
      // Most candidates do not exist (one per PATH entry, tools most hosts lack): no exception for those.
      const st = statSync(p, { throwIfNoEntry: false });
      return st !== undefined && st.isFile() && (st.mode & (constants.S_IXUSR | constants.S_IXGRP | constants.S_IXOTH)) !== 0;
    } catch {
      return false;
    }
  };
  if (command.includes('/')) return isExec(command);
  return (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':').some((dir) => isExec(`${dir || '.'}/${command}`));
}

/** Splits text arriving in chunks into lines (without `\n` or a trailing `\r`), keeping only the unfinished line. */
class LineSplitter {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: string): void {
    let text = this.rest + chunk;
    let nl = text.indexOf('\n');
    let start = 0;
    while (nl >= 0) {
      this.onLine(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    text = text.slice(start);
    this.rest = text;
  }
  end(): void {
    if (this.rest) this.onLine(this.rest);
    this.rest = '';
  }
}

/** Reads the real machine. */
export class LocalSystem implements SystemReader {
  readonly platform = process.platform;

  readFile(path: string): Promise<string | null> {
    if (readSynchronously(path)) {
      try {
        return Promise.resolve(readFileSync(path, 'utf8'));
      } catch {
        return Promise.resolve(null);
      }
    }
    // Other files stay asynchronous (a hung network mount must not stop the probe timeouts);
    // the callback API, because fs/promises' FileHandle costs ~60% more CPU per small file.
    return new Promise((resolve) => readFileCallback(path, 'utf8', (err, text) => resolve(err ? null : text)));
  }

  readLines(path: string, onLine: (line: string) => void): Promise<boolean> {
    return new Promise((resolve) => {
      const lines = new LineSplitter(onLine);
      const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 64 * 1024 });
      stream.on('data', (chunk) => lines.push(chunk as string));
      stream.on('error', () => resolve(false));
      stream.on('end', () => {
        lines.end();
        resolve(true);
      });
    });
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
      return readSynchronously(path) ? readdirSync(path) : await readdir(path);
    } catch {
      return null;
    }
  }

  async stat(path: string): Promise<Required<FileStat> | null> {
    try {
      if (readSynchronously(path)) {
        // Most stats ask for what is absent (products not installed): no exception for ENOENT.
        const s = statSync(path, { throwIfNoEntry: false });
        return s ? fileStat(s) : null;
      }
      return fileStat(await stat(path));
    } catch {
      return null;
    }
  }

  run(command: string, args: readonly string[], opts: { timeoutMs?: number } = {}): Promise<CommandResult> {
    const timeoutMs = opts.timeoutMs ?? 5000;
    if (this.platform !== 'win32' && !executable(command)) return Promise.resolve({ kind: 'not-found' });
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

  runLines(command: string, args: readonly string[], onLine: (line: string) => void, opts: { timeoutMs?: number } = {}): Promise<CommandResult> {
    const timeoutMs = opts.timeoutMs ?? 5000;
    if (this.platform !== 'win32' && !executable(command)) return Promise.resolve({ kind: 'not-found' });
    return new Promise((resolve) => {
      let settled = false;
      const done = (r: CommandResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, env: { ...process.env, LC_ALL: 'C' } });
      const lines = new LineSplitter(onLine);
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
      }, timeoutMs);
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => lines.push(chunk));
      child.stderr.on('data', (chunk: string) => {
        if (stderr.length < MAX_STDERR) stderr += chunk.slice(0, MAX_STDERR - stderr.length);
      });
      child.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ENOENT' ? { kind: 'not-found' } : { kind: 'failed', message: e.message }));
      child.on('close', (code, signal) => {
        if (timedOut) return done({ kind: 'timeout', afterMs: timeoutMs });
        lines.end();
        if (code === null) return done({ kind: 'failed', message: `${command} killed by ${signal ?? 'a signal'}` });
        done({ kind: 'ok', code, stdout: '', stderr });
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
