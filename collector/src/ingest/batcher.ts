/**
 * Group commit on a commit thread (commit-thread.ts): accepted reports queue here; one batch at
 * a time goes to the thread, which stores it in ONE SQLite transaction (one fsync) and answers;
 * then every report of the batch is acknowledged and the next batch (all that queued meanwhile)
 * goes. Under light load a batch is one report and waits for nothing; under load the batch
 * grows to share the fsync. Nothing is acknowledged before its transaction is durable.
 */
import { Worker } from 'node:worker_threads';
import { workerFile } from '../worker-file.js';
import type { Outbox, OutboxBatch } from '../store/outbox.js';
import type { CommitRequest, CommitResult, CommitThreadData } from './commit-thread.js';
import type { IngestOutcome } from '../store/reports.js';
import type { AcceptedReport } from './rows.js';

interface Pending {
  report: AcceptedReport;
  /** performance.now() when queued. */
  at: number;
  resolve: (outcome: IngestOutcome) => void;
  reject: (e: unknown) => void;
}

export class IngestBatcher {
  private queue: Pending[] = [];
  private inflight: Pending[] | undefined;
  /** Acknowledged outbox batches waiting to ride along the next commit. */
  private removals: { batch: OutboxBatch; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private inflightRemovals: typeof this.removals = [];
  private pumpScheduled = false;
  private worker: Worker | undefined;
  /** Counters for /metrics: commits and reports committed. */
  readonly stats = { commits: 0, reports: 0 };
  /** Told, per committed batch, how long each of its reports waited from queued to durable (/metrics). */
  onDurable: ((waitsMs: number[]) => void) | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly outbox: Outbox,
    private readonly maxBatch = 512,
    private readonly forwardUnit: string | null = null,
  ) {}

  private spawn(): Worker {
    const w = new Worker(workerFile('./commit-thread.js', import.meta.url), { workerData: { dataDir: this.dataDir, forwardUnit: this.forwardUnit } satisfies CommitThreadData });
    // The thread must not keep a finished process alive; pending work still completes.
    w.unref();
    w.on('message', (m: CommitResult) => this.done(m));
    const fail = (e: unknown) => {
      this.worker = undefined;
      const lost = [...(this.inflight ?? []), ...this.queue.splice(0), ...this.inflightRemovals, ...this.removals.splice(0)];
      this.inflight = undefined;
      this.inflightRemovals = [];
      for (const p of lost) p.reject(e instanceof Error ? e : new Error(`commit thread exited: ${String(e)}`));
    };
    w.on('error', fail);
    w.on('exit', (code) => code !== 0 && fail(new Error(`commit thread exited with code ${code}`)));
    return w;
  }

  /** Start the commit thread now (serve), so the first report after a start does not wait for it to boot. */
  start(): void {
    this.worker ??= this.spawn();
  }

  /**
   * Resolves with what storing did: stored, duplicate (a resend), conflict (this agent's id
   * reused for other content), revoked (the agent was revoked after its credential was checked).
   */
  submit(report: AcceptedReport): Promise<IngestOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ report, at: performance.now(), resolve, reject });
      this.pumpSoon();
    });
  }

  /**
   * Pump once the event loop has run what is ready now: under load one turn handles many
   * requests, and their reports then go as one message (one wake-up of the thread) instead of
   * the first alone and the rest after its commit.
   */
  private pumpSoon(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /**
   * Delete outbox rows that InfluxDB acknowledged, in the commit thread's next transaction: the
   * main thread never waits for an fsync, and the delete shares the ingest commit's.
   */
  removeOutbox(batch: OutboxBatch): Promise<void> {
    if (!batch.ids.length) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.removals.push({ batch, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.inflight || (!this.queue.length && !this.removals.length)) return;
    this.worker ??= this.spawn();
    this.inflight = this.queue.splice(0, this.maxBatch);
    // Batches are peeked oldest first and acknowledged in order, so their ranges join up.
    this.inflightRemovals = this.removals.splice(0);
    const ids = this.inflightRemovals.flatMap((r) => [r.batch.ids[0]!, r.batch.ids[r.batch.ids.length - 1]!]);
    const remove = ids.length ? { from: Math.min(...ids), to: Math.max(...ids) } : undefined;
    this.worker.postMessage({ reports: this.inflight.map((p) => p.report), remove } satisfies CommitRequest);
  }

  private done(m: CommitResult): void {
    const batch = this.inflight ?? [];
    const removals = this.inflightRemovals;
    this.inflight = undefined;
    this.inflightRemovals = [];
    this.outbox.addedElsewhere(m.points);
    if (removals.length) {
      const rows = removals.reduce((n, r) => n + r.batch.ids.length, 0);
      // Rows set aside meanwhile make the count differ: then count again.
      if (m.removed === rows) this.outbox.addedElsewhere(-removals.reduce((n, r) => n + r.batch.points, 0));
      else this.outbox.resync();
      for (const r of removals) r.resolve();
    }
    if (batch.length) {
      this.stats.commits++;
      this.stats.reports += batch.length;
      const now = performance.now();
      this.onDurable?.(batch.map((p) => now - p.at));
    }
    batch.forEach((p, i) => {
      const r = m.results[i];
      if (typeof r === 'string') p.resolve(r);
      else p.reject(new Error(`storing report ${p.report.reportId} failed: ${r?.error ?? 'no result'}`));
    });
    this.pump();
  }

  /** Wait for queued reports, then stop the thread. */
  async close(): Promise<void> {
    while (this.inflight || this.queue.length || this.removals.length) await new Promise((r) => setTimeout(r, 5));
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
