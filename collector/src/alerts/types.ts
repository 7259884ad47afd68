/** What sinks receive, and what they answer: a tagged result, never a throw (OpenTelemetry's export-response is the model). */
import { createHash } from 'node:crypto';
import { isRetryableStatus, retryAfterMs } from '@posture/protocol';

export interface AlertNotice {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  /** When it resolved; null while firing. */
  endsAt: string | null;
  generatorURL: string;
  fingerprint: string;
  indicator: string;
  title: { vi: string; en: string };
  basis: string;
  /** ministry | unit | system */
  scopeKind: string;
  /** Unit or system id; '' for the ministry. */
  scopeId: string;
  /** Display name of the unit or system ("Toàn Bộ" for the ministry). */
  scopeName: string;
  /** Ratio at the transition (null: no data). */
  value: number | null;
  pass: number;
  total: number;
  target: number;
  due: string | null;
}

export type SendResult = { ok: true } | { ok: false; retryable: boolean; error: string; retryAfterMs?: number };

/** A sink that is told of transitions (firing, resolved), one notice at a time. */
export interface NoticeSink {
  readonly name: 'webhook' | 'email';
  send(notice: AlertNotice): Promise<SendResult>;
}

/** Stable id of an alert: hash of its sorted labels (as Alertmanager does). */
export function fingerprint(labels: Record<string, string>): string {
  const h = createHash('sha256');
  for (const k of Object.keys(labels).sort()) h.update(`${k}\u0000${labels[k]}\u0000`);
  return h.digest('hex').slice(0, 16);
}

/** POST JSON with a timeout; the answer as a SendResult. */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> {
  try {
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
    if (res.ok) {
      await res.body?.cancel();
      return { ok: true };
    }
    const text = (await res.text()).slice(0, 300);
    const ra = retryAfterMs(res.headers.get('retry-after'));
    // Notices are kept until delivered: a sink's 500 is retried like 502-504.
    return { ok: false, retryable: isRetryableStatus(res.status, { anyServerError: true }), error: `HTTP ${res.status} from ${url}: ${text}`, ...(ra !== null ? { retryAfterMs: ra } : {}) };
  } catch (e) {
    return { ok: false, retryable: true, error: `cannot reach ${url}: ${(e as Error).message}` };
  }
}
