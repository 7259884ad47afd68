/**
 * Generic webhook sink: Alertmanager's webhook body (version 4), so receivers written for
 * Alertmanager work unchanged. With a secret, the body is signed:
 * `X-Posture-Signature: sha256=<hex HMAC-SHA256(secret, body)>` (the GitHub convention).
 */
import { createHmac } from 'node:crypto';
import { postJson, type AlertNotice, type NoticeSink, type SendResult } from './types.js';

export interface WebhookOptions {
  url: string;
  /** HMAC key; absent: unsigned. */
  secret?: string | undefined;
  timeoutMs: number;
}

export const SIGNATURE_HEADER = 'x-posture-signature';

export const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** The body Alertmanager would post for one alert group of one alert. */
export function webhookBody(n: AlertNotice, externalURL: string) {
  return {
    version: '4',
    groupKey: `{}:{alertname="${n.labels.alertname ?? n.indicator}"}`,
    truncatedAlerts: 0,
    status: n.status,
    receiver: 'posture',
    groupLabels: { alertname: n.labels.alertname ?? n.indicator },
    commonLabels: n.labels,
    commonAnnotations: n.annotations,
    externalURL,
    alerts: [
      {
        status: n.status,
        labels: n.labels,
        annotations: n.annotations,
        startsAt: n.startsAt,
        // Alertmanager's zero time while firing.
        endsAt: n.endsAt ?? '0001-01-01T00:00:00Z',
        generatorURL: n.generatorURL,
        fingerprint: n.fingerprint,
      },
    ],
  };
}

export class WebhookSink implements NoticeSink {
  readonly name = 'webhook' as const;
  constructor(
    private readonly opts: WebhookOptions,
    private readonly externalURL: string,
  ) {}

  send(n: AlertNotice): Promise<SendResult> {
    const body = JSON.stringify(webhookBody(n, this.externalURL));
    return postJson(this.opts.url, body, this.opts.secret ? { [SIGNATURE_HEADER]: sign(this.opts.secret, body) } : {}, this.opts.timeoutMs);
  }
}
