/**
 * Delivers queued alert notices (alert_notifications) to their sink with jittered exponential
 * backoff, in the background: a dead sink only grows its own queue, it never blocks
 * evaluation. Rows survive restarts, so a resolve queued before a crash is still sent.
 */
import type { FastifyBaseLogger } from 'fastify';
import { backoffDelayMs } from '@posture/protocol';
import type { NotificationStore } from '../store/notifications.js';
import type { AlertNotice, NoticeSink } from './types.js';

export interface DispatcherOptions {
  /** How often the queue is polled. */
  pollMs: number;
  /** First retry delay; doubles per attempt, with jitter, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** After this many attempts a notice is marked failed and kept for inspection. */
  maxAttempts: number;
}

export const DEFAULT_DISPATCH: DispatcherOptions = { pollMs: 1000, baseDelayMs: 2000, maxDelayMs: 10 * 60_000, maxAttempts: 30 };

export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  readonly stats = { delivered: 0, failedAttempts: 0, gaveUp: 0 };

  constructor(
    private readonly queue: NotificationStore,
    private readonly sinks: readonly NoticeSink[],
    private readonly log: FastifyBaseLogger,
    private readonly opts: DispatcherOptions = DEFAULT_DISPATCH,
  ) {}

  get sinkNames(): string[] {
    return this.sinks.map((s) => s.name);
  }

  /** Queue a notice for every sink (call inside the transaction that changed the state). */
  enqueue(notice: AlertNotice, now: Date): void {
    this.queue.enqueue(this.sinkNames, JSON.stringify(notice), now);
  }

  start(): void {
    if (!this.sinks.length) return;
    const tick = () => {
      // Skip a tick while a delivery round is still in flight.
      if (this.running) return;
      this.running = this.deliverDue()
        .catch((e: unknown) => this.log.error({ err: e }, 'alert notice delivery round failed; retrying at the next poll'))
        .finally(() => (this.running = undefined));
    };
    this.timer = setInterval(tick, this.opts.pollMs);
    tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Deliver every due notice once (sinks in parallel, each sink's notices in order). */
  async deliverDue(now = Date.now()): Promise<void> {
    const rows = this.queue.due(now);
    await Promise.all(
      this.sinks.map(async (sink) => {
        for (const row of rows.filter((r) => r.sink === sink.name)) {
          const r = await sink.send(JSON.parse(row.payload) as AlertNotice);
          if (r.ok) {
            this.queue.delivered(row.id);
            this.stats.delivered++;
            continue;
          }
          this.stats.failedAttempts++;
          const attempts = row.attempts + 1;
          if (!r.retryable || attempts >= this.opts.maxAttempts) {
            this.queue.failed(row.id, attempts, r.error);
            this.stats.gaveUp++;
            this.log.error({ sink: sink.name, id: row.id, attempts, err: r.error }, 'alert notice not delivered; giving up (kept in alert_notifications with failed_at)');
            continue;
          }
          const delay = backoffDelayMs(attempts, { initialMs: this.opts.baseDelayMs, maxMs: this.opts.maxDelayMs }, r.retryAfterMs);
          this.queue.retryAt(row.id, attempts, r.error, Date.now() + delay);
          if (attempts === 1 || attempts % 10 === 0) this.log.warn({ sink: sink.name, id: row.id, attempts, retryInMs: Math.round(delay), err: r.error }, 'alert notice delivery failed; will retry');
          // Keep order within a sink: do not send newer notices past one that is waiting.
          break;
        }
      }),
    );
  }

  depth(): number {
    return this.queue.depth();
  }
}
