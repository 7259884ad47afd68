/**
 * Cron expressions as crontab(5) writes them, in the host's local time: five fields (minute
 * hour day-of-month month day-of-week) or six with seconds first; `*`, `?`, lists, ranges,
 * steps, month and day names, 7 = Sunday, and the @hourly/@daily/... nicknames. When both day
 * fields are restricted, a day matches either one (as cron does).
 *
 * Our own, because the cron library the agent used computed every time through
 * Intl.DateTimeFormat, which pages ICU's locale and time-zone data into the daemon: ~13 MB of
 * idle RSS on every machine for a schedule of a few numbers (bench/agent-footprint.mjs).
 */

export class CronError extends Error {}

/** A parsed expression: the allowed values of each field. */
export interface Cron {
  readonly seconds: ReadonlySet<number>;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday ... 6 = Saturday. */
  readonly weekdays: ReadonlySet<number>;
  /** Day-of-month / day-of-week written as `*` or `?` (cron ORs the two only when both are restricted). */
  readonly anyDay: boolean;
  readonly anyWeekday: boolean;
}

const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Value of names[0]. */
  nameBase?: number;
}
const SECOND: FieldSpec = { name: 'second', min: 0, max: 59 };
const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59 };
const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23 };
const DAY: FieldSpec = { name: 'day of month', min: 1, max: 31 };
const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 };
// 7 is Sunday too; folded to 0 after parsing.
const WEEKDAY: FieldSpec = { name: 'day of week', min: 0, max: 7, names: DAYS, nameBase: 0 };

function number(text: string, f: FieldSpec): number {
  const i = f.names?.indexOf(text.toLowerCase()) ?? -1;
  if (i >= 0) return i + f.nameBase!;
  if (!/^\d+$/.test(text)) throw new CronError(`${f.name}: "${text}" is not a number${f.names ? ` or a name (${f.names.join(', ')})` : ''}`);
  const n = Number(text);
  if (n < f.min || n > f.max) throw new CronError(`${f.name}: ${n} is outside ${f.min}-${f.max}`);
  return n;
}

function field(text: string, f: FieldSpec): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    // Quartz's last-day, weekday and nth-weekday forms: not crontab(5), refused by name.
    if (/#|^\d*L$|^L-\d+$|^\d+W$|^LW$/i.test(part)) throw new CronError(`${f.name}: "${part}": L, W and # are not supported`);
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new CronError(`${f.name}: "${part}" is not a value, range or step (L, W and # are not supported)`);
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) throw new CronError(`${f.name}: step ${m[2]} must be at least 1`);
    let lo: number;
    let hi: number;
    if (m[1] === '*' || m[1] === '?') [lo, hi] = [f.min, f.max === 7 ? 6 : f.max];
    else if (m[1]!.includes('-')) {
      const [a, b, ...rest] = m[1]!.split('-');
      if (rest.length || !a || !b) throw new CronError(`${f.name}: "${m[1]}" is not a range`);
      [lo, hi] = [number(a, f), number(b, f)];
      if (lo > hi) throw new CronError(`${f.name}: range ${m[1]} goes backwards`);
    } else {
      lo = number(m[1]!, f);
      // `5/15`: from 5 to the end in steps of 15, as cron reads it.
      hi = m[2] === undefined ? lo : f.max;
    }
    for (let v = lo; v <= hi; v += step) out.add(f === WEEKDAY && v === 7 ? 0 : v);
  }
  return out;
}

/** Parse an expression; throws CronError saying which field is wrong and why. */
export function parseCron(expression: string): Cron {
  const text = expression.trim();
  const expanded = NICKNAMES[text.toLowerCase()] ?? text;
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) throw new CronError(`${parts.length} field(s): a cron expression has 5 (minute hour day month weekday) or 6 (second first)`);
  const [sec, min, hour, day, month, weekday] = parts.length === 6 ? parts : ['0', ...parts];
  const any = (s: string) => s === '*' || s === '?';
  const cron: Cron = {
    seconds: field(sec!, SECOND),
    minutes: field(min!, MINUTE),
    hours: field(hour!, HOUR),
    days: field(day!, DAY),
    months: field(month!, MONTH),
    weekdays: field(weekday!, WEEKDAY),
    anyDay: any(day!),
    anyWeekday: any(weekday!),
  };
  // "0 0 30 2 *" is well formed and never runs: an agent that never reports is a config error.
  if (nextRun(cron, new Date(2000, 0, 1)) === null) throw new CronError(`"${expression}" never matches a date`);
  return cron;
}

function dayMatches(c: Cron, d: Date): boolean {
  const dom = c.days.has(d.getDate());
  const dow = c.weekdays.has(d.getDay());
  if (c.anyDay || c.anyWeekday) return dom && dow;
  return dom || dow;
}

/** The first time strictly after `after` (whole seconds, local time) that matches, or null within 8 years. */
export function nextRun(c: Cron, after: Date): Date | null {
  const d = new Date(after.getTime());
  d.setMilliseconds(0);
  d.setSeconds(d.getSeconds() + 1);
  const limit = after.getFullYear() + 8;
  // Each step moves to the start of the next candidate unit, so the loop is short (at most a
  // few hundred turns); DST gaps are skipped by Date's own normalisation.
  while (d.getFullYear() <= limit) {
    if (!c.months.has(d.getMonth() + 1)) {
      d.setMonth(d.getMonth() + 1, 1);
      d.setHours(0, 0, 0);
    } else if (!dayMatches(c, d)) {
      d.setDate(d.getDate() + 1);
      d.setHours(0, 0, 0);
    } else if (!c.hours.has(d.getHours())) d.setHours(d.getHours() + 1, 0, 0);
    else if (!c.minutes.has(d.getMinutes())) d.setMinutes(d.getMinutes() + 1, 0);
    else if (!c.seconds.has(d.getSeconds())) d.setSeconds(d.getSeconds() + 1);
    else return d;
  }
  return null;
}
