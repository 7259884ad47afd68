/**
 * logging.system: system logs are written and kept across reboots (rsyslog/syslog-ng running,
 * or journald with persistent storage). logging.audit: the kernel audit subsystem is on
 * (auditd running and `auditctl -s` enabled). Windows: the EventLog service here; logon
 * auditing from `auditpol /backup` (GUIDs and numbers, not translated text) in windows-policy.ts.
 */
import type { SystemReader } from '../../system.js';
import type { BaselineContext, CheckFamily, CheckOutcome } from './check.js';
import { dropIns, fail, okOut, pass, runOncePerCycle, unknown, whyFailed } from './check.js';
import { powershell } from '../common/powershell.js';

const SYS = 'logging.system';
const AUDIT = 'logging.audit';
const SYSLOG_DAEMONS = ['rsyslogd', 'syslog-ng', 'syslogd'];

/** journald Storage= after drop-ins (last one wins, as systemd reads them). */
export async function journaldStorage(system: SystemReader): Promise<{ storage: string; from: string }> {
  let storage = 'auto';
  let from = 'default';
  const files = [{ path: '/etc/systemd/journald.conf', text: (await system.readFile('/etc/systemd/journald.conf')) ?? '' }, ...(await dropIns(system, '/etc/systemd/journald.conf.d'))];
  for (const f of files) {
    const v = f.text.match(/^\s*Storage\s*=\s*(\S+)/m)?.[1];
    if (v) [storage, from] = [v.toLowerCase(), f.path];
  }
  return { storage, from };
}

async function linuxSystem(system: SystemReader, processes: ReadonlySet<string>): Promise<CheckOutcome> {
  const syslog = SYSLOG_DAEMONS.filter((d) => processes.has(d));
  if (syslog.length) return pass(SYS, `${syslog.join(', ')} running`);
  const { storage, from } = await journaldStorage(system);
  const journalDir = await system.stat('/var/log/journal');
  // Storage=auto persists only when /var/log/journal exists.
  const persistent = storage === 'persistent' || (storage === 'auto' && journalDir !== null);
  const ev = `journald Storage=${storage} (${from}), /var/log/journal ${journalDir ? 'exists' : 'absent'}`;
  if (!processes.has('systemd-journal')) return fail(SYS, `no syslog daemon (rsyslogd, syslog-ng) nor systemd-journald running; ${ev}`);
  return persistent ? pass(SYS, `systemd-journald running; ${ev}`) : fail(SYS, `systemd-journald keeps logs in memory only: ${ev}; set Storage=persistent`);
}

async function linuxAudit(ctx: BaselineContext): Promise<CheckOutcome> {
  const { processes } = ctx;
  const r = await runOncePerCycle(ctx, 'auditctl', ['-s']);
  const out = okOut(r);
  if (!processes.has('auditd')) return fail(AUDIT, `auditd not running${r.kind === 'not-found' ? ' (auditctl not installed: install auditd)' : ''}`);
  if (out === null) return unknown(AUDIT, `auditd running; ${whyFailed('auditctl -s', r)}`);
  const enabled = out.match(/^enabled\s+(\d)/m)?.[1];
  if (enabled === '1' || enabled === '2') return pass(AUDIT, `auditd running; auditctl -s: enabled ${enabled}${enabled === '2' ? ' (locked)' : ''}`);
  return fail(AUDIT, `auditd running but auditing is off: auditctl -s: enabled ${enabled ?? '?'}`);
}

/** Windows: the EventLog service (PowerShell's ServiceControllerStatus names are not translated). */
async function windowsEventLog(system: SystemReader): Promise<CheckOutcome> {
  const svc = await powershell(system, '(Get-Service -Name EventLog).Status');
  const status = okOut(svc)?.trim();
  return status === undefined ? unknown(SYS, whyFailed('Get-Service EventLog', svc)) : /^(Running|4)$/.test(status) ? pass(SYS, 'EventLog service Running') : fail(SYS, `EventLog service ${status}`);
}

/** Windows: logging.system here; logging.audit comes from auditpol /backup in windows-policy.ts. */
export const windowsEventLogFamily: CheckFamily = {
  name: 'eventlog',
  ids: [SYS],
  platforms: ['win32'],
  async run({ system }) {
    return [await windowsEventLog(system)];
  },
};

export const loggingFamily: CheckFamily = {
  name: 'logging',
  ids: [SYS, AUDIT],
  platforms: ['linux'],
  async run(ctx) {
    return Promise.all([linuxSystem(ctx.system, ctx.processes), linuxAudit(ctx)]);
  },
};
