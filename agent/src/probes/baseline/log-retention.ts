/**
 * logging.retention: system logs are kept at least the mapping's per-level minimum (minByLevel,
 * days: one threshold per level; the measured days are the check's value). With rsyslog/syslog-ng,
 * logrotate decides: `rotate N` x the rotation period (daily 1, weekly 7, monthly 30, yearly
 * 365) is the guaranteed history, capped by `maxage`. With journald alone: MaxRetentionSec
 * when set, else whether the journal holds an entry older than `minDays` (it is size-limited,
 * so a young journal cannot tell and says unknown). Windows event logs are sized, not dated:
 * unknown, with the sizes.
 */
import type { SystemReader } from '../../system.js';
import { filesStamp } from '../common/file-stamp.js';
import type { BaselineContext, CheckFamily, CheckOutcome } from './check.js';
import { dropIns, fail, okOut, pass, unknown, whyFailed } from './check.js';
import { powershell } from '../common/powershell.js';

const ID = 'logging.retention';
const PERIOD_DAYS: Record<string, number> = { daily: 1, weekly: 7, monthly: 30, yearly: 365 };
const SYSLOG_FILES = ['/var/log/syslog', '/var/log/messages'];

interface Rotation {
  rotate: number | null;
  period: string | null;
  maxage: number | null;
}

/** Directives of a logrotate block (or of the global part of logrotate.conf when `log` is null). */
export function logrotateFor(text: string, log: string | null): Rotation | null {
  const r: Rotation = { rotate: null, period: null, maxage: null };
  const apply = (line: string) => {
    const [d, v] = line.split(/\s+/);
    if (d === 'rotate') r.rotate = Number(v);
    else if (d === 'maxage') r.maxage = Number(v);
    else if (d && d in PERIOD_DAYS) r.period = d;
  };
  let depth = 0;
  let pending: string[] = [];
  let inTarget = false;
  let found = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    if (depth === 0 && line.includes('{')) {
      const names = [...pending, ...line.replace('{', ' ').split(/\s+/)].filter(Boolean);
      inTarget = log !== null && names.includes(log);
      found ||= inTarget;
      depth = 1;
      pending = [];
      continue;
    }
    if (depth > 0) {
      if (line.startsWith('}')) depth = 0;
      else if (inTarget) apply(line);
      continue;
    }
    if (line.startsWith('/')) pending.push(...line.split(/\s+/));
    else if (log === null) apply(line);
  }
  return log === null || found ? r : null;
}

async function logrotate(system: SystemReader, minDays: number): Promise<CheckOutcome> {
  const global = (await system.readFile('/etc/logrotate.conf')) ?? '';
  // logrotate reads every file of logrotate.d except package-manager leftovers (tabooext).
  const names = ((await system.readDir('/etc/logrotate.d')) ?? []).filter((n) => !/(\.dpkg-\w+|\.rpm\w+|\.bak|~)$/.test(n)).sort();
  const texts = await Promise.all(names.map((n) => system.readFile(`/etc/logrotate.d/${n}`)));
  const files = [{ path: '/etc/logrotate.conf', text: global }, ...names.map((n, i) => ({ path: `/etc/logrotate.d/${n}`, text: texts[i] ?? '' }))];
  for (const f of files) {
    for (const log of SYSLOG_FILES) {
      const own = logrotateFor(f.text, log);
      if (!own) continue;
      const g = logrotateFor(global, null)!;
      const rotate = own.rotate ?? g.rotate ?? 0;
      const period = own.period ?? g.period;
      const ev = `${log} in ${f.path}: rotate ${rotate}, ${period ?? 'no period (size-based)'}${own.maxage ? `, maxage ${own.maxage}` : ''}`;
      if (!period) return unknown(ID, `${ev}: rotation by size, days kept cannot be computed`);
      const days = Math.min(rotate * PERIOD_DAYS[period]!, own.maxage ?? Infinity);
      const o = days >= minDays ? pass(ID, `${ev} = at least ${days} days kept; required ${minDays} at this check's level`) : fail(ID, `${ev} = at least ${days} days kept; required ${minDays}: raise rotate`);
      return { ...o, value: days };
    }
  }
  return unknown(ID, `no logrotate rule for ${SYSLOG_FILES.join(' or ')} found in /etc/logrotate.conf or /etc/logrotate.d`);
}

/**
 * "The journal reaches back N days" stays true while no journal file goes: journald appends to
 * its files and drops history only by removing whole files (rotation, vacuum), which moves the
 * mtime of their directory. So a threshold once reached is not asked again while the stamp of
 * the journal directories is the same; one not reached is asked every cycle (time passes).
 */
const journalKept = new WeakMap<object, { stamp: string; reached: Map<number, string> }>();
const JOURNAL_ROOTS = ['/var/log/journal', '/run/log/journal'];

/** The journal directories' stamp, and how many journal files they hold. */
async function journalStamp(system: SystemReader): Promise<{ stamp: string; files: number }> {
  const dirs: string[] = [];
  let files = 0;
  for (const root of JOURNAL_ROOTS) {
    const subs = await system.readDir(root);
    if (subs === null) continue;
    dirs.push(root);
    for (const sub of subs) {
      const names = await system.readDir(`${root}/${sub}`);
      if (names === null) continue;
      dirs.push(`${root}/${sub}`);
      files += names.filter((n) => n.endsWith('.journal') || n.endsWith('.journal~')).length;
    }
  }
  return { stamp: await filesStamp(system, dirs), files };
}

/**
 * The journal is size-limited: how far back it reaches is measured against each level's
 * threshold (oldest first asked), and MaxRetentionSec caps it.
 */
async function journald(system: SystemReader, thresholds: number[]): Promise<CheckOutcome> {
  const minDays = thresholds[0]!;
  let maxRetention: string | null = null;
  for (const f of [{ path: '/etc/systemd/journald.conf', text: (await system.readFile('/etc/systemd/journald.conf')) ?? '' }, ...(await dropIns(system, '/etc/systemd/journald.conf.d'))]) {
    maxRetention = f.text.match(/^\s*MaxRetentionSec\s*=\s*(\S+)/m)?.[1] ?? maxRetention;
  }
  const m = maxRetention?.match(/^(\d+)\s*(d|day|days|w|week|weeks|month|months|y|year|years)$/);
  let cap = Infinity;
  if (m) {
    cap = Number(m[1]) * ({ d: 1, day: 1, days: 1, w: 7, week: 7, weeks: 7, month: 30, months: 30, y: 365, year: 365, years: 365 } as Record<string, number>)[m[2]!]!;
    if (cap < minDays) return { ...fail(ID, `journald MaxRetentionSec=${maxRetention} (${cap} days); required ${minDays}`), value: cap };
  }
  // Shortest threshold first, up while the journal reaches back that far: one call on a young host.
  const { stamp, files } = await journalStamp(system);
  const kept = journalKept.get(system);
  const known = kept?.stamp === stamp ? kept.reached : new Map<number, string>();
  let reached: { days: number; oldest: string } | null = null;
  for (const days of [...thresholds].sort((a, b) => a - b).filter((d) => d <= cap)) {
    // No journal file at all: journalctl has nothing to show (what it would answer, without asking).
    if (!files) break;
    let oldest = known.get(days);
    if (oldest === undefined) {
      const r = await system.run('journalctl', ['-q', '--no-pager', '-o', 'short-iso', '-n', '1', `--until=-${days}d`]);
      const out = okOut(r);
      if (out === null) return unknown(ID, whyFailed('journalctl', r));
      oldest = out.trim().split('\n')[0]?.split(' ')[0] ?? '';
      if (!oldest) break;
      known.set(days, oldest);
    }
    reached = { days, oldest };
  }
  journalKept.set(system, { stamp, reached: known });
  if (reached) return { ...pass(ID, `journal holds entries older than ${reached.days} days (${reached.oldest})${maxRetention ? `; MaxRetentionSec=${maxRetention}` : ''}`), value: reached.days };
  return unknown(ID, `journal holds no entry older than ${minDays} days: the host is younger, or the size limit (SystemMaxUse) drops them; set MaxRetentionSec/SystemMaxUse or forward logs`);
}

export const WINDOWS_LOGS = 'Get-WinEvent -ListLog System,Security | Select-Object LogName,MaximumSizeInBytes,LogMode | ConvertTo-Json';

export const logRetentionFamily: CheckFamily = {
  name: 'log-retention',
  ids: [ID],
  platforms: ['linux', 'win32'],
  async run(ctx: BaselineContext) {
    const thresholds = ctx.thresholds?.(ID) ?? [];
    if (!thresholds.length) throw new Error(`the baseline mapping has no minByLevel for ${ID}: add it to the mapping file`);
    const minDays = thresholds[0]!;
    const { system, processes } = ctx;
    if (system.platform === 'win32') {
      const r = await powershell(system, WINDOWS_LOGS);
      const out = okOut(r)?.replace(/\s+/g, ' ').slice(0, 400);
      return [unknown(ID, `Windows event logs are limited by size, not days; forward them to a SIEM to keep ${minDays} days (${out ?? whyFailed('Get-WinEvent -ListLog', r)})`)];
    }
    const syslog = ['rsyslogd', 'syslog-ng', 'syslogd'].some((p) => processes.has(p));
    return [syslog ? await logrotate(system, minDays) : await journald(system, thresholds)];
  },
};
