import { describe, expect, it } from 'vitest';
import { backoffDelayMs, isRetryableStatus, retryAfterMs, retryUntil, type AttemptOutcome } from './retry.js';

describe('backoffDelayMs', () => {
  const policy = { initialMs: 1000, maxMs: 30_000 };

  it('doubles the ceiling per failure up to maxMs, jittered over its upper half by default', () => {
    const table: [failures: number, random: number, ms: number][] = [
      [1, 0, 500],
      [1, 1, 1000],
      [2, 1, 2000],
      [3, 0, 2000],
      [3, 1, 4000],
      [5, 0.5, 12_000],
      [6, 1, 30_000],
      [1000, 1, 30_000],
    ];
    for (const [failures, random, ms] of table) expect([failures, random, backoffDelayMs(failures, policy, null, () => random)]).toEqual([failures, random, ms]);
  });

  it('honours multiplier and jitter: no jitter is exact, full jitter reaches 0', () => {
    expect(backoffDelayMs(3, { initialMs: 100, maxMs: 10_000, multiplier: 3, jitter: 0 }, null, () => 0.7)).toBe(900);
    expect(backoffDelayMs(3, { initialMs: 100, maxMs: 10_000, jitter: 1 }, null, () => 0)).toBe(0);
  });

  it('lets a Retry-After win, capped at maxMs and never negative', () => {
    expect(backoffDelayMs(1, policy, 7000, () => 1)).toBe(7000);
    expect(backoffDelayMs(1, policy, 120_000, () => 1)).toBe(30_000);
    expect(backoffDelayMs(1, policy, -5, () => 1)).toBe(0);
  });

  it('spreads retries of agents that failed together', () => {
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelayMs(4, policy)));
    expect(spread.size).toBeGreaterThan(10);
    for (const d of spread) expect(d >= 4000 && d <= 8000).toBe(true);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-10-21T07:28:00Z');
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    [['30', '60'], 30_000],
    ['Wed, 21 Oct 2026 07:28:30 GMT', 30_000],
    ['Wednesday, 21-Oct-26 07:29:00 GMT', 60_000],
    ['Tue, 20 Oct 2026 07:28:00 GMT', 0],
    ['-5', null],
    ['1.5', null],
    ['soon', null],
    ['', null],
    [undefined, null],
    [null, null],
  ] as const)('%j -> %j', (header, ms) => {
    expect(retryAfterMs(header, now)).toBe(ms);
  });
});

describe('isRetryableStatus', () => {
  it('retries 408, 429, 502, 503, 504 only, and every 5xx with anyServerError', () => {
    const statuses = [200, 400, 401, 404, 408, 413, 422, 429, 500, 501, 502, 503, 504, 599];
    expect(statuses.filter((s) => isRetryableStatus(s))).toEqual([408, 429, 502, 503, 504]);
    expect(statuses.filter((s) => isRetryableStatus(s, { anyServerError: true }))).toEqual([408, 429, 500, 501, 502, 503, 504, 599]);
  });
});

describe('retryUntil', () => {
  /** A fake clock: sleeping advances it. */
  const clock = () => {
    let t = 0;
    const slept: number[] = [];
    return { now: () => t, sleep: async (ms: number) => void (slept.push(ms), (t += ms)), slept };
  };
  const policy = { initialMs: 100, maxMs: 1000, jitter: 0 };

  it('retries until done, waiting by the policy', async () => {
    const c = clock();
    const outcomes: AttemptOutcome<string>[] = [
      { kind: 'retry', value: 'a' },
      { kind: 'retry', value: 'b' },
      { kind: 'done', value: 'ok' },
    ];
    const r = await retryUntil(async (n) => outcomes[n - 1]!, { policy, deadlineMs: 10_000, ...c });
    expect([r, c.slept]).toEqual(['ok', [100, 200]]);
  });

  it('stops at a final outcome without waiting', async () => {
    const c = clock();
    const r = await retryUntil(async () => ({ kind: 'final', value: 'refused' }), { policy, deadlineMs: 10_000, ...c });
    expect([r, c.slept]).toEqual(['refused', []]);
  });

  it('never waits past the deadline and returns the last outcome', async () => {
    const c = clock();
    let calls = 0;
    const r = await retryUntil(async (n) => (calls++, { kind: 'retry', value: `try ${n}` }), { policy, deadlineMs: 750, ...c });
    // Waits 100, 200, 400 (700 in all); the next (800) would end past 750.
    expect([r, calls, c.slept]).toEqual(['try 4', 4, [100, 200, 400]]);
  });

  it('stops at maxAttempts and takes the server Retry-After', async () => {
    const c = clock();
    const r = await retryUntil(async (n) => ({ kind: 'retry', value: n, retryAfterMs: 50 }), { policy, deadlineMs: 10_000, maxAttempts: 3, ...c });
    expect([r, c.slept]).toEqual([3, [50, 50]]);
  });
});
