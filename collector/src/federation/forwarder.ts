/**
 * The unit side of federation: drains the forward outbox (filled by the commit thread in the
 * transaction that stores each report) to the ministry's collector, oldest first, in batches.
 * Rows are deleted only after the ministry answered for them: stored or duplicate (resends are
 * harmless, the ministry is idempotent by report id), or refused for good (then kept aside in
 * forward_refused with the reason; a batch refused as a whole is halved down to the report at
 * fault). Failures back off exponentially with full jitter, honouring
 * Retry-After. One batch in flight at a time; stop() waits for it.
 */
import type { FastifyBaseLogger } from 'fastify';
import { Value } from '@sinclair/typebox/value';
import { backoffDelayMs, RelayAck } from '@posture/protocol';
import type { ForwardOutbox, ForwardRow, ForwardSettlement } from '../store/forward-outbox.js';
import { UpstreamClient, type UpstreamConfig } from './client.js';

type Row = ForwardRow;

export class Forwarder {
  readonly stats = { forwarded: 0, duplicates: 0, refused: 0, failures: 0, lastError: null as string | null, lastSuccessAt: null as string | null };
  private readonly client: UpstreamClient;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private failuresInRow = 0;
  /** Reports per batch now: lowered while a report refusing its whole batch is isolated. */
  private limit: number;
  /** Most reports per batch: lowered for the life of the process after a 413 (the ministry's relay.bodyBytes). */
  private cap: number;

  constructor(
    private readonly queue: ForwardOutbox,
    private readonly cfg: UpstreamConfig,
    private readonly log: FastifyBaseLogger,
  ) {
    this.client = new UpstreamClient(cfg);
    this.limit = cfg.batchSize;
    this.cap = cfg.batchSize;
  }

  depth(): number {
    return this.queue.depth();
  }

  refusedCount(): number {
    return this.queue.refusedCount();
  }

  /**
   * Put reports the ministry refused back in the queue (all, or those refused with `code`), e.g.
   * after fixing a wrong relay credential. Returns how many.
   */
  requeue(code?: string): number {
    return this.queue.requeue(code);
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.client.close();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.once().then(
        (next) => this.schedule(next),
        (e: unknown) => {
          this.log.error({ err: e }, 'forwarding to the ministry collector failed unexpectedly; retrying');
          this.schedule(this.cfg.backoffMaxMs);
        },
      );
    }, ms);
  }

  /** The shared retry policy (jittered, so many units do not retry in step; Retry-After wins). */
  private backoff(retryAfterMs?: number): number {
    this.failuresInRow++;
    return backoffDelayMs(this.failuresInRow, { initialMs: this.cfg.backoffMinMs, maxMs: this.cfg.backoffMaxMs }, retryAfterMs);
  }

  private peek(): Row[] {
    return this.queue.peek(this.limit, this.cfg.batchBytes);
  }

  /** Send one batch; returns how long to wait before the next. */
  async once(): Promise<number> {
    const rows = this.peek();
    if (!rows.length) return this.cfg.intervalMs;
    const credential = this.client.credential();
    if (!credential) {
      this.stats.lastError = `no relay credential in ${this.cfg.credentialFile}`;
      this.log.error({ file: this.cfg.credentialFile, queued: rows.length }, `no relay credential: run "posture upstream enroll --secret <the unit's enrollment secret>"; reports stay queued`);
      return this.backoff();
    }
    const res = await this.client.post('/api/v1/relay/reports', `{"reports":[${rows.map((r) => r.report).join(',')}]}`, credential);
    if (res.kind === 'ok' && Value.Check(RelayAck, res.body) && res.body.results.length === rows.length) {
      this.settle(rows, res.body);
      this.failuresInRow = 0;
      this.stats.lastSuccessAt = new Date().toISOString();
      // Go on at once: the next peek finds either more or nothing (then it waits intervalMs).
      return 0;
    }
    this.stats.failures++;
    // Refused as a whole: too large (413: the batch size stays lowered), or malformed (400, 422:
    // halve until the report at fault is alone, set it aside, then go back to full batches), so
    // one report never blocks the queue.
    if (res.kind === 'refused' && [400, 413, 422].includes(res.status)) {
      if (rows.length === 1) {
        this.settle(rows, { results: [{ reportId: rows[0]!.report_id, status: 'refused', code: res.code, reason: res.message }] });
        this.limit = this.cap;
        return 0;
      }
      this.limit = Math.max(1, Math.floor(rows.length / 2));
      if (res.status === 413) this.cap = this.limit;
      this.log.warn({ batch: rows.length, next: this.limit, status: res.status, code: res.code }, `the ministry collector refused the whole batch (${res.message}); sending smaller batches`);
      return 0;
    }
    const why = res.kind === 'ok' ? `unexpected answer from ${this.cfg.url} (not a relay acknowledgement for ${rows.length} reports)` : res.message;
    this.stats.lastError = why;
    const wait = this.backoff(res.kind === 'retry' ? res.retryAfterMs : undefined);
    const hint = res.kind === 'refused' && res.status === 401 ? '; the relay credential is not accepted: run "posture upstream enroll" again' : '';
    this.log[res.kind === 'refused' ? 'error' : 'warn']({ status: res.status, queued: rows.length, retryInMs: Math.round(wait) }, `forwarding to the ministry collector failed: ${why}${hint}`);
    return wait;
  }

  /** Delete what the ministry answered for; keep refused items aside with their reason. */
  private settle(rows: Row[], ack: RelayAck): void {
    const settled = ack.results.map((r, i): ForwardSettlement => {
      const row = rows[i]!;
      if (r.status !== 'refused') return { row, refused: false };
      return { row, refused: true, code: r.code ?? 'REFUSED', reason: r.reason ?? '' };
    });
    this.queue.settle(settled);
    for (const s of settled) {
      if (s.refused) {
        this.stats.refused++;
        this.log.error({ reportId: s.row.report_id, code: s.code }, `the ministry collector refused a report for good (kept in forward_refused): ${s.reason}`);
      }
    }
    for (const r of ack.results) {
      if (r.status === 'stored') this.stats.forwarded++;
      else if (r.status === 'duplicate') this.stats.duplicates++;
    }
  }
}
