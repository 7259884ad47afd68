/**
 * The spool: every report is written here before it is sent, and removed only once the
 * collector acknowledged it. Layout under `<stateDir>/spool/`:
 *
 *   queue/<seq>-<reportId>.json   waiting reports, oldest first by the zero-padded sequence
 *   rejected/<seq>-<reportId>.json  reports the collector refused, with the reason (never resent)
 *   tmp/                          writes in progress; a crash leaves files here, never in queue/
 *   state.json                    dropped count, last success/error, backoff (for `status`)
 *
 * Atomicity: a report is written to tmp/, fsynced, then renamed into queue/, so queue/ only
 * ever holds whole reports. A crash between the collector's 2xx and the unlink resends the
 * report after restart; the collector acknowledges a known report id without counting it
 * again, so resends are harmless.
 */
import { mkdir, readFile, readdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { backoffDelayMs, type Report } from '@posture/protocol';
import type { SendResult } from './sender.js';
import { overwriteInPlace, writeAtomic } from './spool-io.js';

export interface SpoolLimits {
  maxReports: number;
  maxBytes: number;
  backoffMinMs: number;
  backoffMaxMs: number;
  keepRejected: number;
}

/** What `status` shows and what survives restarts. */
export interface SpoolState {
  /** Reports dropped because the spool was full, since the agent was installed. */
  dropped: number;
  /** Reports the collector refused as invalid, set aside. */
  rejected: number;
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  lastError: { at: string; message: string } | null;
  /** Failed attempts in a row; drives the backoff. */
  failures: number;
  /** Do not try before this time (backoff or Retry-After). */
  nextAttemptAt: string | null;
  /** The last report the spool could not write (disk full); cleared by the next good write. */
  spoolError: { at: string; message: string } | null;
}

/** What became of a report handed to `enqueue`. */
export type EnqueueResult =
  | { kind: 'kept'; dropped: number }
  /**
   * The disk refused the write even after dropping older reports to make room: this report is
   * lost (counted in `dropped`). `message` says what to do.
   */
  | { kind: 'dropped'; dropped: number; message: string };

/** Disk full or quota exceeded: the filesystem, not the report, is the problem. */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);
/** Older reports dropped to make room for a new one before giving up on it. */
const MAKE_ROOM_TRIES = 3;

export type DrainResult =
  | { kind: 'empty'; sent: number; rejected: number }
  /** Stopped on a retryable failure; the next attempt is due after `afterMs`. */
  | { kind: 'backoff'; sent: number; rejected: number; afterMs: number; message: string };

const INITIAL: SpoolState = { dropped: 0, rejected: 0, lastSuccessAt: null, lastAttemptAt: null, lastError: null, failures: 0, nextAttemptAt: null, spoolError: null };
const NAME = /^(\d{16})-([0-9a-f-]{36})\.json$/;

/** The shared retry policy (protocol/src/retry.ts) with the spool's limits; a Retry-After from the collector wins (capped). */
export function backoffMs(failures: number, limits: Pick<SpoolLimits, 'backoffMinMs' | 'backoffMaxMs'>, retryAfterMs: number | null, random = Math.random): number {
  return backoffDelayMs(failures, { initialMs: limits.backoffMinMs, maxMs: limits.backoffMaxMs }, retryAfterMs, random);
}

export class Spool {
  readonly dir: string;
  private readonly queueDir: string;
  private readonly rejectedDir: string;
  private readonly tmpDir: string;
  private seq = 0;
  /** Waiting reports and their sizes, oldest first (Map keeps insertion order). */
  private readonly index = new Map<string, number>();
  private state: SpoolState = { ...INITIAL };
  private draining: Promise<DrainResult> | null = null;
  /** A drain was asked for while one was under way (it goes over the queue once more). */
  private drainAgain = false;

  private constructor(
    stateDir: string,
    private limits: SpoolLimits,
  ) {
    this.dir = join(stateDir, 'spool');
    this.queueDir = join(this.dir, 'queue');
    this.rejectedDir = join(this.dir, 'rejected');
    this.tmpDir = join(this.dir, 'tmp');
  }

  /** Open (creating if needed) the spool; half-written files of a crashed run are removed. */
  static async open(stateDir: string, limits: SpoolLimits): Promise<Spool> {
    const s = new Spool(stateDir, limits);
    for (const d of [s.queueDir, s.rejectedDir]) await mkdir(d, { recursive: true, mode: 0o700 });
    await mkdir(s.tmpDir, { recursive: true, mode: 0o700 });
    // Leftovers of a crashed write. Only old ones: another agent process (`run --once` beside
    // the daemon) may be writing right now.
    for (const n of await readdir(s.tmpDir)) {
      const st = await stat(join(s.tmpDir, n)).catch(() => null);
      if (st && Date.now() - st.mtimeMs > 60_000) await rm(join(s.tmpDir, n), { force: true });
    }
    s.state = { ...INITIAL, ...(await Spool.readState(stateDir)) };
    const names = await s.names();
    const sizes = await Promise.all(names.map(async (n) => (await stat(join(s.queueDir, n)).catch(() => null))?.size ?? 0));
    names.forEach((n, i) => s.index.set(n, sizes[i]!));
    s.seq = names.length ? Number(NAME.exec(names.at(-1)!)![1]) : 0;
    return s;
  }

  /** The saved state without opening the spool (for `status`); defaults when absent. */
  static async readState(stateDir: string): Promise<SpoolState> {
    try {
      return { ...INITIAL, ...(JSON.parse(await readFile(join(stateDir, 'spool', 'state.json'), 'utf8')) as Partial<SpoolState>) };
    } catch {
      return { ...INITIAL };
    }
  }

  /**
   * Depth and recent refusals without opening the spool for writing (for `status` while the
   * daemon runs: open() would clear tmp/ under a write in progress).
   */
  static async peek(stateDir: string, limit = 5): Promise<{ dir: string; depth: number; rejected: { file: string; reason: string }[] }> {
    const s = new Spool(stateDir, { maxReports: 1, maxBytes: 1, backoffMinMs: 1, backoffMaxMs: 1, keepRejected: 0 });
    const depth = await s.names().then(
      (n) => n.length,
      () => 0,
    );
    const rejected = await s.rejectedReasons(limit).catch(() => []);
    return { dir: s.dir, depth, rejected };
  }

  /** Names of waiting reports, oldest first. */
  private async names(): Promise<string[]> {
    return (await readdir(this.queueDir)).filter((n) => NAME.test(n)).sort();
  }

  /** Apply new limits (config reload). */
  setLimits(limits: SpoolLimits): void {
    this.limits = limits;
  }

  get stats(): Readonly<SpoolState> {
    return this.state;
  }

  async depth(): Promise<number> {
    return this.index.size;
  }

  /**
   * Persist the state for `status`. On a full disk the state stays in memory (the counts go
   * out in the next report's health anyway) and is saved by the next call that finds room.
   */
  private async saveState(): Promise<void> {
    const data = JSON.stringify(this.state, null, 2);
    try {
      await writeAtomic(this.dir, this.tmpDir, 'state.json', data);
    } catch (e) {
      if (!NO_SPACE.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
      // No room for a second copy: overwrite in place, in blocks the file already holds, so
      // that `status` shows the disk-full error while it lasts. A crash mid-write leaves JSON
      // that readState() ignores (the counts start over): acceptable for status only.
      try {
        await overwriteInPlace(join(this.dir, 'state.json'), data);
      } catch (e2) {
        if (!NO_SPACE.has((e2 as NodeJS.ErrnoException).code ?? '') && (e2 as NodeJS.ErrnoException).code !== 'ENOENT') throw e2;
      }
    }
  }

  /**
   * Queue a report durably, then drop the oldest while over the limits (counted in `dropped`).
   * On a full disk the oldest waiting reports make room for the new one (the freshest state of
   * the host matters most); if that does not help, the new report is dropped. Either way it is
   * counted and `spoolError` says why; other write errors throw.
   */
  async enqueue(report: Report): Promise<EnqueueResult> {
    const name = `${String(++this.seq).padStart(16, '0')}-${report.reportId}.json`;
    const data = JSON.stringify(report);
    const before = this.state.dropped;
    for (let tries = 0; ; tries++) {
      try {
        await writeAtomic(this.queueDir, this.tmpDir, name, data);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        if (!NO_SPACE.has(code)) throw e;
        const oldest = this.index.keys().next().value;
        const giveUp = tries >= MAKE_ROOM_TRIES || oldest === undefined;
        if (!giveUp) {
          await unlink(join(this.queueDir, oldest)).catch(() => undefined);
          this.index.delete(oldest);
        }
        this.state.dropped++;
        const message = `spool cannot write to ${this.queueDir}: ${code} (${(e as Error).message}); ${giveUp ? `report ${report.reportId} dropped` : 'dropped the oldest waiting report to make room'} (${this.state.dropped} dropped in all). Free space on that filesystem, or lower spool.maxBytes below what it can hold`;
        this.state.spoolError = { at: new Date().toISOString(), message };
        if (giveUp) {
          await this.saveState();
          return { kind: 'dropped', dropped: this.state.dropped - before, message };
        }
      }
    }
    this.index.set(name, Buffer.byteLength(data));
    const made = this.state.dropped - before;
    const recovered = !made && this.state.spoolError !== null;
    if (recovered) this.state.spoolError = null;
    await this.enforceLimits(made > 0 || recovered);
    return { kind: 'kept', dropped: this.state.dropped - before };
  }

  private async enforceLimits(dirty: boolean): Promise<void> {
    let bytes = 0;
    for (const size of this.index.values()) bytes += size;
    let dropped = 0;
    // Oldest first; never the newest: it is the freshest state of the host.
    for (const [name, size] of this.index) {
      if (this.index.size <= 1 || (this.index.size <= this.limits.maxReports && bytes <= this.limits.maxBytes)) break;
      await unlink(join(this.queueDir, name)).catch(() => undefined);
      this.index.delete(name);
      bytes -= size;
      dropped++;
    }
    this.state.dropped += dropped;
    if (dropped || dirty) await this.saveState();
  }

  /** Milliseconds until the next send attempt is allowed (0: now). */
  waitMs(now = Date.now()): number {
    return this.state.nextAttemptAt ? Math.max(0, Date.parse(this.state.nextAttemptAt) - now) : 0;
  }

  /**
   * Send waiting reports oldest first until the queue is empty or a retryable failure stops
   * it. Concurrent calls share one drain. Never throws for a send failure.
   */
  drain(send: (report: Report) => Promise<SendResult>): Promise<DrainResult> {
    if (this.draining) {
      // A report queued after the drain under way last listed the queue would wait for the next
      // cycle: the drain goes over the queue once more before it answers.
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = this.drainUntilSettled(send).finally(() => (this.draining = null));
    return this.draining;
  }

  private async drainUntilSettled(send: (report: Report) => Promise<SendResult>): Promise<DrainResult> {
    let sent = 0;
    let rejected = 0;
    for (;;) {
      this.drainAgain = false;
      const r = await this.drainOnce(send);
      sent += r.sent;
      rejected += r.rejected;
      if (r.kind === 'backoff') return { ...r, sent, rejected };
      if (!this.drainAgain) return { kind: 'empty', sent, rejected };
    }
  }

  private async drainOnce(send: (report: Report) => Promise<SendResult>): Promise<DrainResult> {
    let sent = 0;
    let rejected = 0;
    let batch: string[] = [];
    for (;;) {
      // One directory listing per batch; reports queued meanwhile are picked up by the next.
      if (!batch.length) batch = await this.names();
      const name = batch.shift();
      if (!name) {
        if (sent || rejected) await this.saveState();
        return { kind: 'empty', sent, rejected };
      }
      const file = join(this.queueDir, name);
      let report: Report;
      try {
        report = JSON.parse(await readFile(file, 'utf8')) as Report;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
          this.index.delete(name); // dropped meanwhile
          continue;
        }
        await this.setAside(name, `unreadable spool file: ${(e as Error).message}`, null);
        rejected++;
        continue;
      }
      const now = new Date().toISOString();
      this.state.lastAttemptAt = now;
      const r = await send(report);
      if (r.kind === 'success') {
        await unlink(file).catch(() => undefined);
        this.index.delete(name);
        sent++;
        Object.assign(this.state, { lastSuccessAt: now, failures: 0, nextAttemptAt: null });
      } else if (r.kind === 'rejected') {
        await this.setAside(name, `${r.status} ${r.code}: ${r.message}`, report);
        rejected++;
        this.state.lastError = { at: now, message: `report ${report.reportId} rejected by the collector (${r.status} ${r.code}): ${r.message}` };
      } else {
        this.state.failures++;
        const afterMs = backoffMs(this.state.failures, this.limits, r.retryAfterMs);
        this.state.lastError = { at: now, message: r.message };
        this.state.nextAttemptAt = new Date(Date.now() + afterMs).toISOString();
        await this.saveState();
        return { kind: 'backoff', sent, rejected, afterMs, message: r.message };
      }
    }
  }

  /** Move a refused report to rejected/ with the reason; keep at most `keepRejected`. */
  private async setAside(name: string, reason: string, report: Report | null): Promise<void> {
    const body = JSON.stringify({ rejectedAt: new Date().toISOString(), reason, report });
    await writeAtomic(this.rejectedDir, this.tmpDir, name, body);
    await unlink(join(this.queueDir, name)).catch(() => undefined);
    this.index.delete(name);
    this.state.rejected++;
    const kept = (await readdir(this.rejectedDir)).sort();
    for (const old of kept.slice(0, Math.max(0, kept.length - this.limits.keepRejected))) await unlink(join(this.rejectedDir, old)).catch(() => undefined);
    await this.saveState();
  }

  /** Reports set aside, newest last, with their reasons (for `status`). */
  async rejectedReasons(limit = 5): Promise<{ file: string; reason: string }[]> {
    const names = (await readdir(this.rejectedDir)).sort().slice(-limit);
    return Promise.all(
      names.map(async (n) => {
        try {
          return { file: join(this.rejectedDir, n), reason: (JSON.parse(await readFile(join(this.rejectedDir, n), 'utf8')) as { reason: string }).reason };
        } catch (e) {
          return { file: join(this.rejectedDir, n), reason: `(unreadable: ${(e as Error).message})` };
        }
      }),
    );
  }
}
