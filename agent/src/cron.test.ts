/** Cron expressions: what crontab(5) accepts, the next run in local time, clear errors. */
import { describe, expect, it } from 'vitest';
import { CronError, nextRun, parseCron } from './cron.js';

/** Local wall-clock time, as the schedule reads it. */
const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => new Date(y, mo - 1, d, h, mi, s);
const next = (expr: string, from: Date) => nextRun(parseCron(expr), from);

describe('cron: next run', () => {
  it.each([
    ['*/5 * * * *', at(2026, 11, 20, 8, 3, 10), at(2026, 11, 20, 8, 5, 0)],
    ['*/5 * * * *', at(2026, 11, 20, 8, 5, 0), at(2026, 11, 20, 8, 10, 0)], // strictly after
    ['*/3 * * * * *', at(2026, 11, 20, 8, 0, 1), at(2026, 11, 20, 8, 0, 3)],
    ['* * * * * *', at(2026, 11, 20, 8, 0, 59), at(2026, 11, 20, 8, 1, 0)],
    ['30 2 * * *', at(2026, 11, 20, 8, 0, 0), at(2026, 11, 21, 2, 30, 0)],
    ['0 0 1 1 *', at(2026, 11, 20), at(2027, 1, 1)],
    ['@daily', at(2026, 12, 31, 23, 59, 59), at(2027, 1, 1)],
    ['@hourly', at(2026, 11, 20, 8, 0, 0), at(2026, 11, 20, 9, 0, 0)],
    ['0 9 * * mon-fri', at(2026, 11, 21, 10), at(2026, 11, 23, 9)], // Sat -> Mon
    ['0 9 * * 7', at(2026, 11, 20), at(2026, 11, 22, 9)], // 7 is Sunday
    ['0 0 29 feb *', at(2026, 3, 1), at(2028, 2, 29)],
    ['0 0 * jun,DEC *', at(2026, 7, 1), at(2026, 12, 1)],
    ['15/20 * * * *', at(2026, 11, 20, 8, 40), at(2026, 11, 20, 8, 55)], // 15, 35, 55
    ['0 10-12/2 * * *', at(2026, 11, 20, 10, 30), at(2026, 11, 20, 12, 0)],
    ['0 0 ? * *', at(2026, 11, 20, 1), at(2026, 11, 21)],
  ])('%s after %s', (expr, from, want) => {
    expect(next(expr, from)).toEqual(want);
  });

  it('both day fields restricted: either one matches, as cron does', () => {
    // The 13th (a Sunday in Dec 2026) or any Friday.
    expect(next('0 0 13 * 5', at(2026, 12, 5))).toEqual(at(2026, 12, 11)); // Friday 11th first
    expect(next('0 0 13 * 5', at(2026, 12, 11, 1))).toEqual(at(2026, 12, 13));
  });
});

describe('cron: expressions refused, with the reason', () => {
  it.each([
    ['every 5 minutes', /field\(s\)/],
    ['* * * *', /4 field\(s\)/],
    ['60 * * * *', /minute: 60 is outside 0-59/],
    ['* 24 * * *', /hour: 24 is outside 0-23/],
    ['* * 0 * *', /day of month: 0 is outside 1-31/],
    ['* * * 13 *', /month: 13 is outside 1-12/],
    ['* * * * 8', /day of week: 8 is outside 0-7/],
    ['*/0 * * * *', /step 0 must be at least 1/],
    ['5-1 * * * *', /range 5-1 goes backwards/],
    ['* * L * *', /day of month: "L": L, W and # are not supported/],
    ['* * * * 5#2', /L, W and # are not supported/],
    ['* * * foo *', /month: "foo" is not a number or a name/],
    ['0 0 30 2 *', /never matches/],
  ])('%s', (expr, why) => {
    expect(() => parseCron(expr)).toThrow(CronError);
    expect(() => parseCron(expr)).toThrow(why);
  });
});
