/**
 * The one retry policy of Posture, used by every sender that talks over the network: the agent's
 * spool (reports to the collector), the collector's InfluxDB writer, the federation forwarder
 * and the alert sinks. It is plain arithmetic with no imports, so it costs the agent's bundle
 * nothing and pulls no collector code into it.
 *
 * - Delays grow exponentially from `initialMs` (x `multiplier` per failure in a row) up to
 *   `maxMs`, with jitter: the delay is drawn in [ceiling x (1 - jitter), ceiling], so thousands
 *   of agents that failed together do not come back in the same second.
 * - A Retry-After from the server (seconds or an HTTP-date) replaces the computed delay, capped
 *   at `maxMs` so a hostile or broken header cannot park a sender for days.
 * - Answers that say "try later" are retried: 408, 429, 502, 503, 504, and network errors (no
 *   answer at all). A sender whose payload must never be dropped (agent reports, forwarded
 *   reports, alert notices) also retries the other 5xx, with `{ anyServerError: true }`: a 500
 *   is the receiver's fault and says nothing about the payload.
 * - `retryUntil` runs an attempt function until success, a final failure, or a deadline.
 */

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay. */
  initialMs: number;
  /** Largest delay, also the cap of a server's Retry-After. */
  maxMs: number;
  /** Growth per failure in a row (default 2). */
  multiplier?: number;
  /** Fraction of the ceiling that is randomised, 0 (none) to 1 (full jitter); default 0.5. */
  jitter?: number;
}

/** HTTP statuses that mean "try again later" (as OpenTelemetry's exporters retry). */
export const RETRYABLE_STATUSES: readonly number[] = [408, 429, 502, 503, 504];

/** Whether an HTTP answer with this status is worth sending again unchanged. */
export function isRetryableStatus(status: number, opts: { anyServerError?: boolean } = {}): boolean {
  return RETRYABLE_STATUSES.includes(status) || (opts.anyServerError === true && status >= 500 && status < 600);
}

/**
 * The delay before retry number `failures` (1 = after the first failure), in whole ms. With a
 * server's Retry-After (ms, from `retryAfterMs`) that wins, capped at `maxMs`.
 */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, retryAfter: number | null | undefined = null, random: () => number = Math.random): number {
  if (retryAfter !== null && retryAfter !== undefined) return Math.round(Math.min(Math.max(retryAfter, 0), policy.maxMs));
  const multiplier = policy.multiplier ?? 2;
  const jitter = Math.min(Math.max(policy.jitter ?? 0.5, 0), 1);
  // The exponent is bounded so that a long outage cannot overflow to Infinity.
  const ceiling = Math.min(policy.maxMs, policy.initialMs * multiplier ** Math.min(Math.max(failures - 1, 0), 60));
  return Math.round(ceiling * (1 - jitter) + random() * ceiling * jitter);
}

/**
 * A Retry-After header in ms from `now`: either delay-seconds ("120") or an HTTP-date
 * ("Wed, 21 Oct 2026 07:28:00 GMT"; a date in the past is 0). Null when absent or unreadable.
 */
export function retryAfterMs(header: string | readonly string[] | null | undefined, now: number = Date.now()): number | null {
  const v = (typeof header === 'string' ? header : header?.[0])?.trim();
  if (!v) return null;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Only the HTTP-date forms (IMF-fixdate, RFC 850, asctime) carry a weekday or a month name;
  // a bare number with a sign or a fraction is neither form and is ignored.
  if (!/[A-Za-z]/.test(v)) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

/** What one attempt of `retryUntil` came to. */
export type AttemptOutcome<T> = { kind: 'done'; value: T } | { kind: 'retry'; value: T; retryAfterMs?: number | null | undefined } | { kind: 'final'; value: T };

export interface RetryUntilOptions {
  policy: BackoffPolicy;
  /** Give up (returning the last outcome) when the next attempt would start after this many ms. */
  deadlineMs: number;
  /** At most this many attempts in all (default: no limit but the deadline). */
  maxAttempts?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * Call `attempt` until it is done or final, or until the deadline: the next wait never ends
 * past it. Resolves with the last attempt's value; never rejects unless `attempt` does.
 */
export async function retryUntil<T>(attempt: (n: number) => Promise<AttemptOutcome<T>>, opts: RetryUntilOptions): Promise<T> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + opts.deadlineMs;
  for (let n = 1; ; n++) {
    const r = await attempt(n);
    if (r.kind !== 'retry' || n >= (opts.maxAttempts ?? Number.POSITIVE_INFINITY)) return r.value;
    const wait = backoffDelayMs(n, opts.policy, r.retryAfterMs, opts.random);
    if (now() + wait > deadline) return r.value;
    await sleep(wait);
  }
}
