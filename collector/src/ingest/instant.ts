/**
 * Time at the ingest boundary: every timestamp of a report is parsed here, once, to an instant
 * (epoch ms); inside the collector instants are compared as numbers, never as text (the same
 * instant written with `+07:00` and with `Z` sorts differently as a string). Pure.
 */

/** Epoch ms of an RFC 3339 date-time the schema has validated; null when it names no instant. */
export function parseInstant(iso: string): number | null {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

/** "23 h 0 min", "4 min 12 s": a distance people read in an error message. */
export function describeDistance(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export type ClockProblem =
  /** Collected after the collector's now by more than the bound: the host's clock runs ahead. */
  | { kind: 'future'; offsetMs: number; boundMs: number }
  /** Collected longer ago than reports are kept for idempotency: too old to take. */
  | { kind: 'past'; offsetMs: number; boundMs: number };

/**
 * Whether a report collected at `collectedMs` may be taken at `nowMs`. The future bound is
 * small (a host whose clock runs ahead would otherwise freeze its own state: no later report
 * would be newer); the past bound is large (spooled reports of a host cut off for a while are
 * history, stored but never replacing a newer state).
 */
export function clockProblem(collectedMs: number, nowMs: number, futureBoundMs: number, pastBoundMs: number): ClockProblem | null {
  const offsetMs = collectedMs - nowMs;
  if (offsetMs > futureBoundMs) return { kind: 'future', offsetMs, boundMs: futureBoundMs };
  if (-offsetMs > pastBoundMs) return { kind: 'past', offsetMs, boundMs: pastBoundMs };
  return null;
}

/** The CLOCK_SKEW message: the offset, the bound, and what to fix. */
export function clockSkewMessage(p: ClockProblem, collectedAt: string): string {
  if (p.kind === 'future') {
    return `collectedAt ${collectedAt} is ${describeDistance(p.offsetMs)} ahead of the collector's clock (at most ${describeDistance(p.boundMs)} ahead is taken, limits.futureSkewMinutes); the host's clock runs fast: fix its time synchronisation (NTP/w32time), the agent resends the spooled report`;
  }
  return `collectedAt ${collectedAt} is ${describeDistance(p.offsetMs)} behind the collector's clock (at most ${describeDistance(p.boundMs)} is taken, limits.clockSkewMinutes); the report is too old to be stored: check the host's time synchronisation, or raise limits.clockSkewMinutes for hosts cut off that long`;
}
