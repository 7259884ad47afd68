/**
 * What the kernel audit subsystem records, from the rules loaded in the kernel now
 * (`auditctl -l`), not the files in /etc/audit/rules.d, which only count after `augenrules
 * --load` (or a restart of auditd): rules written but not loaded look right and record nothing,
 * so the evidence names the file rules that the kernel does not hold.
 * - audit.rules_logins: lastlog and faillock/faillog/tallylog are watched;
 * - audit.rules_identity: passwd, group, shadow, gshadow are watched for writes;
 * - audit.rules_privilege: sudoers is watched and running sudo is recorded;
 * - audit.rules_time: clock changes (adjtimex/settimeofday/clock_settime) and /etc/localtime;
 * - audit.immutable (level 3): the rules are locked (`-e 2`) until reboot;
 * - audit.log_retention: auditd.conf keeps logs (max_log_file_action keep_logs, or rotate with
 *   num_logs >= `minLogs`) and does not ignore a full disk.
 */
import type { SystemReader } from '../../system.js';
import type { BaselineContext, CheckFamily, CheckOutcome } from './check.js';
import { fail, keyValues, okOut, pass, runOncePerCycle, unknown, whyFailed } from './check.js';

const IDS = { logins: 'audit.rules_logins', identity: 'audit.rules_identity', privilege: 'audit.rules_privilege', time: 'audit.rules_time', immutable: 'audit.immutable', retention: 'audit.log_retention' } as const;
export const AUDIT_IDS = Object.values(IDS);

/** Watched paths (`-w PATH` or `-F path=PATH`/`dir=`) with write or attribute permission. */
export function watches(rules: string): { written: Set<string>; executed: Set<string>; syscalls: Set<string> } {
  const written = new Set<string>();
  const executed = new Set<string>();
  const syscalls = new Set<string>();
  for (const l of rules.split('\n')) {
    const w = l.match(/-w\s+(\S+)/)?.[1] ?? l.match(/-F\s+(?:path|dir)=(\S+)/)?.[1];
    const perm = l.match(/-p\s+([rwxa]+)/)?.[1] ?? l.match(/-F\s+perm=([rwxa]+)/)?.[1] ?? (w && l.startsWith('-w') ? 'rwxa' : '');
    if (w && /[wa]/.test(perm)) written.add(w.replace(/\/$/, ''));
    if (w && perm.includes('x')) executed.add(w);
    for (const m of l.matchAll(/-S\s+([\w,]+)/g)) for (const s of m[1]!.split(',')) syscalls.add(s);
  }
  return { written, executed, syscalls };
}

async function fileRules(system: SystemReader): Promise<string> {
  const dir = '/etc/audit/rules.d';
  const names = ((await system.readDir(dir)) ?? []).filter((n) => n.endsWith('.rules')).sort();
  return (await Promise.all(names.map((n) => system.readFile(`${dir}/${n}`)))).map((t) => t ?? '').join('\n');
}

export async function auditChecks(ctx: BaselineContext): Promise<CheckOutcome[]> {
  const { system } = ctx;
  const [list, status, conf, files] = await Promise.all([system.run('auditctl', ['-l']), runOncePerCycle(ctx, 'auditctl', ['-s']), system.readFile('/etc/audit/auditd.conf'), fileRules(system)]);
  const out: CheckOutcome[] = [];
  const loaded = okOut(list);
  const ruleIds = [IDS.logins, IDS.identity, IDS.privilege, IDS.time];
  if (loaded === null) {
    const why = list.kind === 'not-found' ? 'auditd not installed (auditctl missing): install auditd' : whyFailed('auditctl -l', list);
    // Not installed: nothing is recorded, a fact. Installed but unreadable: unknown.
    out.push(...ruleIds.map((id) => (list.kind === 'not-found' ? fail(id, why) : unknown(id, why))));
  } else {
    const k = watches(loaded);
    const f = watches(files);
    const need = (id: string, what: string, missing: string[]) => {
      const inFiles = missing.filter((m) => f.written.has(m) || f.syscalls.has(m) || f.executed.has(m));
      const note = inFiles.length ? `; ${inFiles.join(', ')} in /etc/audit/rules.d but not loaded in the kernel: run augenrules --load` : '';
      return missing.length ? fail(id, `kernel audit rules (auditctl -l) do not record ${what}: missing ${missing.join(', ')}${note}`) : pass(id, `kernel audit rules record ${what}`);
    };
    const anyOf = (set: Set<string>, xs: string[]) => xs.some((x) => set.has(x));
    out.push(need(IDS.logins, 'logins', [...(k.written.has('/var/log/lastlog') ? [] : ['/var/log/lastlog']), ...(anyOf(k.written, ['/var/run/faillock', '/run/faillock', '/var/log/faillog', '/var/log/tallylog']) ? [] : ['/var/run/faillock'])]));
    out.push(
      need(
        IDS.identity,
        'identity changes',
        ['/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow'].filter((p) => !k.written.has(p)),
      ),
    );
    out.push(
      need(IDS.privilege, 'privilege use', [
        ...(anyOf(k.written, ['/etc/sudoers', '/etc/sudoers.d']) ? [] : ['/etc/sudoers']),
        ...(anyOf(k.executed, ['/usr/bin/sudo', '/bin/sudo']) || /-S\s+\S*execve.*euid=0/.test(loaded) ? [] : ['/usr/bin/sudo (execution)']),
      ]),
    );
    out.push(need(IDS.time, 'clock changes', [...(anyOf(k.syscalls, ['adjtimex', 'settimeofday', 'clock_settime']) ? [] : ['adjtimex/settimeofday/clock_settime']), ...(k.written.has('/etc/localtime') ? [] : ['/etc/localtime'])]));
  }
  const st = okOut(status);
  const enabled = st?.match(/^enabled\s+(\d)/m)?.[1];
  if (st === null) out.push(status.kind === 'not-found' ? fail(IDS.immutable, 'auditd not installed') : unknown(IDS.immutable, whyFailed('auditctl -s', status)));
  else
    out.push(
      enabled === '2'
        ? pass(IDS.immutable, 'auditctl -s: enabled 2 (rules locked until reboot)')
        : fail(IDS.immutable, `auditctl -s: enabled ${enabled ?? '?'}: end the rules with -e 2 so that an intruder with root cannot silence auditing without a reboot`),
    );

  const minLogs = ctx.param(IDS.retention, 'minLogs');
  if (conf === null) out.push(list.kind === 'not-found' ? fail(IDS.retention, 'auditd not installed') : unknown(IDS.retention, '/etc/audit/auditd.conf unreadable'));
  else {
    const c = keyValues(conf);
    const action = (c.get('max_log_file_action') ?? 'rotate').toLowerCase();
    const num = Number(c.get('num_logs') ?? 5);
    const full = (c.get('disk_full_action') ?? 'suspend').toLowerCase();
    const ev = `auditd.conf: max_log_file_action ${action}, num_logs ${num}, max_log_file ${c.get('max_log_file') ?? '8'} MB, disk_full_action ${full}`;
    const keeps = action === 'keep_logs' || (action === 'rotate' && num >= minLogs);
    if (!keeps)
      out.push(
        fail(IDS.retention, `${ev}: old audit logs are ${action === 'rotate' ? `rotated away after ${num} files` : `lost (${action})`}; set max_log_file_action keep_logs (with space monitoring) or num_logs >= ${minLogs}, and forward to the SIEM`),
      );
    else if (full === 'ignore') out.push(fail(IDS.retention, `${ev}: a full disk silently stops audit logging; set disk_full_action to single or halt`));
    else out.push(pass(IDS.retention, ev));
  }
  return out;
}

export const auditFamily: CheckFamily = {
  name: 'audit',
  ids: AUDIT_IDS,
  platforms: ['linux'],
  run: auditChecks,
};
