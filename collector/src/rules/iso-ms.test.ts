/** isoMs answers exactly what Date.parse answers, on the collector's own form and on everything else. */
import { describe, expect, it } from 'vitest';
import { isoMs } from './iso-ms.js';

describe('isoMs', () => {
  it('equals Date.parse on 100,000 instants written by toISOString, from year 100 to 9999', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed / 2147483648);
    const lo = Date.UTC(100, 0, 1),
      hi = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    for (let i = 0; i < 100_000; i++) {
      const s = new Date(Math.floor(lo + rnd() * (hi - lo))).toISOString();
      if (isoMs(s) !== Date.parse(s)) expect(s).toBe(`parsed ${isoMs(s)}, Date.parse ${Date.parse(s)}`);
    }
  });

  it.each([
    '2026-03-01T00:00:00.000Z',
    '2026-02-28T23:59:59.999Z',
    '2026-02-29T00:00:00.000Z', // not a day of 2026: NaN
    '2024-02-29T12:00:00.000Z',
    '2026-04-31T00:00:00.000Z',
    '2026-12-31T23:59:59.999Z',
    '2026-13-01T00:00:00.000Z',
    '2026-00-10T00:00:00.000Z',
    '2026-01-00T00:00:00.000Z',
    '2026-01-10T24:00:00.000Z',
    '2026-01-10T23:60:00.000Z',
    '2026-01-10T23:00:60.000Z',
    '0099-01-10T00:00:00.000Z',
    '0000-01-10T00:00:00.000Z',
    '2026-01-1xT00:00:00.000Z',
    '2026-01-10T00:00:00.00aZ',
    '2026-01-10T00:00:00+07:00',
    '2026-01-10T00:00:00.000+07:00',
    '2026-01-10T00:00:00Z',
    '2026-01-10 00:00:00.000Z',
    '+002026-01-10T00:00:00.000Z',
    '',
    'yesterday',
  ])('%s', (s) => {
    expect(Object.is(isoMs(s), Date.parse(s))).toBe(true);
  });
});
