/**
 * Windows host policy from locale-independent sources, in one PowerShell run:
 * - `secedit /export /mergedpolicy /areas SECURITYPOLICY`: the effective (local merged with
 *   domain Group Policy) account policy as `Key = number` lines and `[Registry Values]` as
 *   `MACHINE\path\Name=type,value`: identical on every display language, unlike `net accounts`,
 *   whose labels are translated (it is only a fallback, read by line position);
 * - `auditpol /backup`: CSV with each subcategory's GUID and a numeric `Setting Value`
 *   (0 none, 1 success, 2 failure, 3 both), never the translated "Success and Failure";
 * - Get-SmbServerConfiguration (SMB1, signing), Get-MpComputerStatus (IsTamperProtected),
 *   registry values of AutoRun, USBSTOR and RDP session limits.
 */
import type { BaselineContext, CheckFamily, CheckOutcome } from './check.js';
import { fail, okOut, pass, unknown, whyFailed } from './check.js';
import { powershell, valueText } from '../common/powershell.js';
import { isObject, parseJson } from '../common/json.js';

export const WINDOWS_POLICY_IDS = [
  'password.min_length',
  'password.max_age',
  'password.lockout',
  'password.min_age',
  'password.history',
  'password.complexity',
  'password.hashing',
  'accounts.guest_disabled',
  'accounts.no_empty_passwords',
  'logging.audit',
  'audit.rules_logins',
  'audit.rules_identity',
  'audit.rules_privilege',
  'audit.rules_time',
  'audit.policy_change',
  'smb.v1_disabled',
  'smb.signing',
  'uac.enabled',
  'autorun.disabled',
  'defender.tamper_protection',
  'usb.storage',
  'rdp.idle_timeout',
  'session.lock',
] as const;

export const WINDOWS_POLICY_SCRIPT = [
  "$ErrorActionPreference='SilentlyContinue'; $ProgressPreference='SilentlyContinue'; [Console]::OutputEncoding=[Text.Encoding]::UTF8",
  '$s=[IO.Path]::GetTempFileName(); $a=[IO.Path]::GetTempFileName()',
  'secedit /export /mergedpolicy /areas SECURITYPOLICY /cfg $s /quiet | Out-Null; $se=$LASTEXITCODE',
  'auditpol /backup /file:$a | Out-Null; $ae=$LASTEXITCODE',
  '$r=@{ secedit=(Get-Content -Raw $s); seceditExit=$se; auditpol=(Get-Content -Raw $a); auditpolExit=$ae }',
  'Remove-Item $s,$a',
  '$r.smb = Get-SmbServerConfiguration | Select-Object EnableSMB1Protocol,RequireSecuritySignature',
  '$r.defender = Get-MpComputerStatus | Select-Object IsTamperProtected,AMRunningMode',
  "$r.autorun = Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer' | Select-Object NoDriveTypeAutoRun,NoAutorun",
  "$r.usbstor = (Get-ItemProperty 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\USBSTOR').Start",
  "$r.rdp = Get-ItemProperty 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services' | Select-Object MaxIdleTime,MaxDisconnectionTime",
  '[pscustomobject]$r | ConvertTo-Json -Depth 3 -Compress',
].join('; ');

/** `[System Access]` numbers and `[Registry Values]` (lowercased path -> value) of a secedit export. */
export function parseSecedit(text: string): { access: Map<string, number>; registry: Map<string, string> } {
  const access = new Map<string, number>();
  const registry = new Map<string, string>();
  let section = '';
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    const sec = line.match(/^\[(.+)\]$/);
    if (sec) {
      section = sec[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (section === 'System Access' && /^-?\d+$/.test(value)) access.set(key, Number(value));
    if (section === 'Registry Values') registry.set(key.toLowerCase(), value.split(',').slice(1).join(',').replace(/^"|"$/g, ''));
  }
  return { access, registry };
}

/** auditpol /backup CSV -> lowercased subcategory GUID -> Setting Value (0..3). */
export function parseAuditpolBackup(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split(/\r?\n/).slice(1)) {
    const f = line.split(',');
    const guid = f.find((x) => /^\{[0-9a-f-]{36}\}$/i.test(x));
    const value = f.at(-1);
    if (guid && value && /^\d$/.test(value.trim())) out.set(guid.toLowerCase(), Number(value));
  }
  return out;
}

/**
 * `net accounts` by line position (labels are translated; the order is fixed): 1 force logoff,
 * 2 minimum age, 3 maximum age, 4 minimum length, 5 history, 6 lockout threshold. A value
 * that is not a number is Never/Unlimited/Không bao giờ/Jamais: no limit.
 */
export function netAccountsByPosition(text: string): Map<string, number> | null {
  const values = text
    .split(/\r?\n/)
    .filter((l) => l.includes(':'))
    .map((l) => l.slice(l.lastIndexOf(':') + 1).trim());
  if (values.length < 6) return null;
  const num = (v: string, none: number) => (/^\d+$/.test(v) ? Number(v) : none);
  return new Map([
    ['MinimumPasswordAge', num(values[1]!, 0)],
    ['MaximumPasswordAge', num(values[2]!, -1)],
    ['MinimumPasswordLength', num(values[3]!, 0)],
    ['PasswordHistorySize', num(values[4]!, 0)],
    ['LockoutBadCount', num(values[5]!, 0)],
  ]);
}

const GUIDS = {
  logon: '{0cce9215-69ae-11d9-bed3-505054503030}',
  credentialValidation: '{0cce923f-69ae-11d9-bed3-505054503030}',
  accountLockout: '{0cce9217-69ae-11d9-bed3-505054503030}',
  userAccountMgmt: '{0cce9235-69ae-11d9-bed3-505054503030}',
  securityGroupMgmt: '{0cce9237-69ae-11d9-bed3-505054503030}',
  sensitivePrivilege: '{0cce9228-69ae-11d9-bed3-505054503030}',
  securityStateChange: '{0cce9210-69ae-11d9-bed3-505054503030}',
  auditPolicyChange: '{0cce922f-69ae-11d9-bed3-505054503030}',
};
const AUDIT_RULES: [string, string, { guid: string; name: string; want: number }[]][] = [
  [
    'audit.rules_logins',
    'logons',
    [
      { guid: GUIDS.logon, name: 'Logon', want: 3 },
      { guid: GUIDS.credentialValidation, name: 'Credential Validation', want: 3 },
      { guid: GUIDS.accountLockout, name: 'Account Lockout', want: 2 },
    ],
  ],
  [
    'audit.rules_identity',
    'account and group changes',
    [
      { guid: GUIDS.userAccountMgmt, name: 'User Account Management', want: 3 },
      { guid: GUIDS.securityGroupMgmt, name: 'Security Group Management', want: 1 },
    ],
  ],
  ['audit.rules_privilege', 'privilege use', [{ guid: GUIDS.sensitivePrivilege, name: 'Sensitive Privilege Use', want: 3 }]],
  ['audit.rules_time', 'clock changes (event 4616)', [{ guid: GUIDS.securityStateChange, name: 'Security State Change', want: 1 }]],
  ['audit.policy_change', 'audit policy changes', [{ guid: GUIDS.auditPolicyChange, name: 'Audit Policy Change', want: 1 }]],
];
const LABEL = ['No Auditing', 'Success', 'Failure', 'Success and Failure'];

export function judgeWindowsPolicy(json: string, ctx: Pick<BaselineContext, 'param' | 'role'>, netAccounts: string | null): CheckOutcome[] {
  const parsed = parseJson(json, 'Windows policy script');
  const r = parsed.ok && isObject(parsed.value) ? parsed.value : {};
  const out: CheckOutcome[] = [];
  const sec = typeof r.secedit === 'string' && r.seceditExit === 0 ? parseSecedit(r.secedit) : null;
  const fallback = sec ? null : netAccounts ? netAccountsByPosition(netAccounts) : null;
  const access = sec?.access ?? fallback;
  const src = sec ? 'secedit /export /mergedpolicy' : fallback ? 'net accounts (by line position; secedit failed)' : '';
  const reg = (path: string) => sec?.registry.get(`machine\\${path}`.toLowerCase());
  const noPolicy = (id: string) => unknown(id, `account policy unreadable: secedit exit ${valueText(r.seceditExit, '?')}${netAccounts === null ? ', net accounts failed' : ', net accounts not understood'} (run the agent as an administrator)`);
  const numeric = (id: string, key: string, ok: (v: number) => boolean, want: string) => {
    const v = access?.get(key);
    if (v === undefined) return noPolicy(id);
    return ok(v) ? pass(id, `${key} = ${v} (${src})`) : fail(id, `${key} = ${v} (${src}); required ${want}: set it in the Default Domain Policy or Local Security Policy`);
  };
  const minLength = ctx.param('password.min_length', 'minLength');
  const maxDays = ctx.param('password.max_age', 'maxDays');
  const maxFailures = ctx.param('password.lockout', 'maxFailures');
  const minDays = ctx.param('password.min_age', 'minDays');
  const minRemember = ctx.param('password.history', 'minRemember');
  out.push(numeric('password.min_length', 'MinimumPasswordLength', (v) => v >= minLength, `>= ${minLength}`));
  out.push(numeric('password.max_age', 'MaximumPasswordAge', (v) => v > 0 && v <= maxDays, `1..${maxDays} (-1 or 0 = never expires)`));
  out.push(numeric('password.lockout', 'LockoutBadCount', (v) => v > 0 && v <= maxFailures, `1..${maxFailures} (0 = never locks)`));
  out.push(numeric('password.min_age', 'MinimumPasswordAge', (v) => v >= minDays, `>= ${minDays}`));
  out.push(numeric('password.history', 'PasswordHistorySize', (v) => v >= minRemember, `>= ${minRemember}`));
  out.push(sec ? numeric('password.complexity', 'PasswordComplexity', (v) => v === 1, '1') : noPolicy('password.complexity'));
  if (!sec) out.push(noPolicy('password.hashing'));
  else {
    const clear = sec.access.get('ClearTextPassword');
    const noLm = reg('System\\CurrentControlSet\\Control\\Lsa\\NoLMHash');
    const lmLevel = reg('System\\CurrentControlSet\\Control\\Lsa\\LmCompatibilityLevel');
    const ev = `ClearTextPassword = ${clear ?? 'unset'}, NoLMHash = ${noLm ?? 'unset (1 by default)'}, LmCompatibilityLevel = ${lmLevel ?? 'unset (3 by default)'}`;
    const ok = clear !== 1 && noLm !== '0' && (lmLevel === undefined || Number(lmLevel) >= 3);
    out.push(ok ? pass('password.hashing', ev) : fail('password.hashing', `${ev}: no reversible encryption, no LM hashes, NTLMv2 only (LmCompatibilityLevel 5)`));
  }
  out.push(sec ? numeric('accounts.guest_disabled', 'EnableGuestAccount', (v) => v === 0, '0') : noPolicy('accounts.guest_disabled'));
  if (!sec) out.push(noPolicy('accounts.no_empty_passwords'));
  else {
    const v = reg('System\\CurrentControlSet\\Control\\Lsa\\LimitBlankPasswordUse');
    out.push(
      v === '0'
        ? fail('accounts.no_empty_passwords', 'LimitBlankPasswordUse = 0: accounts with a blank password can log on over the network; set it to 1')
        : pass('accounts.no_empty_passwords', `LimitBlankPasswordUse = ${v ?? 'unset (1 by default)'}: blank passwords only at the console`),
    );
  }

  const audit = typeof r.auditpol === 'string' && r.auditpolExit === 0 ? parseAuditpolBackup(r.auditpol) : null;
  if (!audit) out.push(unknown('logging.audit', `auditpol /backup failed (exit ${valueText(r.auditpolExit, '?')}): run the agent as an administrator`));
  else {
    const on = [...audit.values()].filter((v) => v > 0).length;
    const logon = audit.get(GUIDS.logon) ?? 0;
    out.push(logon > 0 ? pass('logging.audit', `auditpol: Logon ${LABEL[logon]}; ${on} subcategories audited`) : fail('logging.audit', `auditpol: Logon ${LABEL[logon]} (${on} subcategories audited): enable auditing of logons`));
  }
  for (const [id, what, subs] of AUDIT_RULES) {
    if (!audit) {
      out.push(unknown(id, `auditpol /backup failed (exit ${valueText(r.auditpolExit, '?')}): run the agent as an administrator`));
      continue;
    }
    const got = subs.map((s) => ({ ...s, v: audit.get(s.guid) ?? 0 }));
    const bad = got.filter((s) => (s.v & s.want) !== s.want);
    const ev = got.map((s) => `${s.name}: ${LABEL[s.v]}`).join('; ');
    out.push(bad.length ? fail(id, `audit policy does not record ${what}: ${ev}; enable with auditpol /set /subcategory:"${bad[0]!.guid}" /success:enable /failure:enable (or the GPO's Advanced Audit Policy)`) : pass(id, `auditpol: ${ev}`));
  }

  const smb = isObject(r.smb) ? r.smb : null;
  out.push(
    !smb
      ? unknown('smb.v1_disabled', 'Get-SmbServerConfiguration returned nothing')
      : smb.EnableSMB1Protocol === false
        ? pass('smb.v1_disabled', 'EnableSMB1Protocol False')
        : fail('smb.v1_disabled', `EnableSMB1Protocol ${String(smb.EnableSMB1Protocol)}: Set-SmbServerConfiguration -EnableSMB1Protocol $false`),
  );
  out.push(
    !smb
      ? unknown('smb.signing', 'Get-SmbServerConfiguration returned nothing')
      : smb.RequireSecuritySignature === true
        ? pass('smb.signing', 'RequireSecuritySignature True')
        : fail('smb.signing', `RequireSecuritySignature ${String(smb.RequireSecuritySignature)}: require SMB signing (Set-SmbServerConfiguration -RequireSecuritySignature $true)`),
  );

  if (!sec) out.push(noPolicy('uac.enabled'));
  else {
    const lua = reg('Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\EnableLUA');
    const admin = reg('Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\ConsentPromptBehaviorAdmin');
    const ev = `EnableLUA = ${lua ?? 'unset (1)'}, ConsentPromptBehaviorAdmin = ${admin ?? 'unset (5)'}`;
    out.push(lua === '0' || admin === '0' ? fail('uac.enabled', `${ev}: administrators elevate without a prompt; set EnableLUA 1 and ConsentPromptBehaviorAdmin 2 or 5`) : pass('uac.enabled', ev));
  }
  const ar = isObject(r.autorun) ? r.autorun : {};
  const noDrive = typeof ar.NoDriveTypeAutoRun === 'number' ? ar.NoDriveTypeAutoRun : null;
  const arEv = `NoDriveTypeAutoRun = ${noDrive ?? 'unset'}, NoAutorun = ${valueText(ar.NoAutorun, 'unset')}`;
  out.push(noDrive === 255 || ar.NoAutorun === 1 ? pass('autorun.disabled', arEv) : fail('autorun.disabled', `${arEv}: set NoDriveTypeAutoRun 255 (all drives) by policy`));

  const d = isObject(r.defender) ? r.defender : null;
  out.push(
    !d
      ? unknown('defender.tamper_protection', 'Get-MpComputerStatus returned nothing (Defender absent or another product is primary)')
      : d.IsTamperProtected === true
        ? pass('defender.tamper_protection', `IsTamperProtected True (AMRunningMode ${valueText(d.AMRunningMode, '?')})`)
        : fail('defender.tamper_protection', `IsTamperProtected ${String(d.IsTamperProtected)}: turn on tamper protection (Intune / Windows Security)`),
  );

  const usb = typeof r.usbstor === 'number' ? r.usbstor : null;
  out.push(
    usb === null
      ? unknown('usb.storage', 'USBSTOR service Start value unreadable')
      : usb === 4
        ? pass('usb.storage', 'USBSTOR Start = 4 (disabled)')
        : fail('usb.storage', `USBSTOR Start = ${usb}: USB mass storage loads on plug-in; set Start = 4 or deny removable storage by policy`),
  );

  const rdp = isObject(r.rdp) ? r.rdp : {};
  const idleMs = typeof rdp.MaxIdleTime === 'number' ? rdp.MaxIdleTime : null;
  const maxIdle = ctx.param('rdp.idle_timeout', 'maxIdleSeconds');
  out.push(
    idleMs !== null && idleMs > 0 && idleMs <= maxIdle * 1000
      ? pass('rdp.idle_timeout', `Terminal Services MaxIdleTime = ${idleMs / 1000} s`)
      : fail('rdp.idle_timeout', `Terminal Services MaxIdleTime = ${idleMs === null ? 'unset (never)' : `${idleMs / 1000} s`}; required 1..${maxIdle} s by policy`),
  );

  if (!sec) out.push(noPolicy('session.lock'));
  else {
    const t = reg('Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\InactivityTimeoutSecs');
    const maxLock = ctx.param('session.lock', 'maxSeconds');
    out.push(
      t !== undefined && Number(t) > 0 && Number(t) <= maxLock
        ? pass('session.lock', `InactivityTimeoutSecs = ${t}`)
        : fail('session.lock', `InactivityTimeoutSecs = ${t ?? 'unset'}: lock the session after at most ${maxLock} s idle (Interactive logon: Machine inactivity limit)`),
    );
  }
  return out;
}

export const windowsPolicyFamily: CheckFamily = {
  name: 'windows-policy',
  ids: WINDOWS_POLICY_IDS,
  platforms: ['win32'],
  async run(ctx) {
    const r = await powershell(ctx.system, WINDOWS_POLICY_SCRIPT);
    const out = okOut(r);
    if (out === null) return WINDOWS_POLICY_IDS.map((id) => unknown(id, whyFailed('Windows policy script', r)));
    const parsed = parseJson(out, 'Windows policy script');
    const seceditOk = parsed.ok && isObject(parsed.value) && parsed.value.seceditExit === 0;
    const net = seceditOk ? null : okOut(await powershell(ctx.system, 'net accounts'));
    return judgeWindowsPolicy(out, ctx, net);
  },
};
