/**
 * Prometheus Alertmanager sink: POST /api/v2/alerts with every firing alert (re-sent at each
 * evaluation, with endsAt a few intervals ahead so Alertmanager keeps it only while we keep
 * sending) and every recently resolved one (endsAt = when it resolved). Alertmanager
 * deduplicates by labels, so re-sending and several evaluators are harmless.
 */
import type { FastifyBaseLogger } from 'fastify';
import { retryUntil } from '@posture/protocol';
import type { AlertRecord } from '../rules/alerting.js';
import { postJson, type SendResult } from './types.js';

export interface AlertmanagerOptions {
  urls: readonly string[];
  timeoutMs: number;
}

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

export function toAmAlerts(alerts: readonly AlertRecord[], now: Date, resendIntervalMs: number, generatorURL: (a: AlertRecord) => string): AmAlert[] {
  // Like Prometheus: a firing alert expires by itself if we stop sending (4 intervals).
  const expires = new Date(now.getTime() + 4 * resendIntervalMs).toISOString();
  return alerts
    .filter((a) => a.state !== 'pending')
    .map((a) => ({
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.firedAt ?? a.activeAt,
      endsAt: a.state === 'resolved' ? a.resolvedAt! : expires,
      generatorURL: generatorURL(a),
    }));
}

export class AlertmanagerSink {
  private inFlight: Promise<void> | undefined;
  /** Counters for /metrics and tests. */
  readonly stats = { sent: 0, errors: 0, lastError: '' };

  constructor(
    private readonly opts: AlertmanagerOptions,
    private readonly log: FastifyBaseLogger,
  ) {}

  /**
   * Send to every Alertmanager, in the background. A push still in flight (a slow or dead
   * Alertmanager) makes this one a no-op: the next evaluation sends the current state anyway,
   * so evaluation never waits on a sink.
   */
  push(alerts: AmAlert[]): void {
    if (this.inFlight || !alerts.length) return;
    this.inFlight = this.sendAll(alerts)
      .catch((e: unknown) => this.log.error({ err: e }, 'Alertmanager push failed unexpectedly; the next evaluation sends again'))
      .finally(() => (this.inFlight = undefined));
  }

  /** Wait for a push in flight (shutdown, tests). */
  async settle(): Promise<void> {
    await this.inFlight;
  }

  async sendAll(alerts: AmAlert[]): Promise<void> {
    const body = JSON.stringify(alerts);
    await Promise.all(
      this.opts.urls.map(async (base) => {
        const r = await this.sendOne(`${base.replace(/\/$/, '')}/api/v2/alerts`, body);
        if (r.ok) this.stats.sent += alerts.length;
        else {
          this.stats.errors++;
          this.stats.lastError = r.error;
          this.log.warn({ err: r.error, alerts: alerts.length }, 'Alertmanager push failed; the next evaluation sends again');
        }
      }),
    );
  }

  /**
   * Up to 3 tries with the shared retry policy, within 10 s: the next evaluation pushes the
   * whole active set again, so a longer wait would only deliver stale alerts.
   */
  private sendOne(url: string, body: string): Promise<SendResult> {
    return retryUntil<SendResult>(
      async () => {
        const r = await postJson(url, body, {}, this.opts.timeoutMs);
        return r.ok ? { kind: 'done', value: r } : r.retryable ? { kind: 'retry', value: r, retryAfterMs: r.retryAfterMs } : { kind: 'final', value: r };
      },
      { policy: { initialMs: 500, maxMs: 5000 }, maxAttempts: 3, deadlineMs: 10_000 },
    );
  }
}
