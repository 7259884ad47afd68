/**
 * Password policy: password.min_length, password.max_age, password.lockout.
 * Linux: the PAM stack decides (login.defs PASS_MIN_LEN is ignored where PAM is used):
 * pam_pwquality/pam_cracklib minlen (and pwquality.conf), else pam_unix minlen (default 6);
 * PASS_MAX_DAYS in login.defs (applies to accounts created afterwards); pam_faillock deny=
 * (faillock.conf) or pam_tally2 deny=. Windows: `net accounts`.
 */
import type { SystemReader } from '../../system.js';
import type { BaselineContext, CheckFamily, CheckOutcome } from './check.js';
import { dropIns, fail, keyValues, okOut, pass, unknown, whyFailed } from './check.js';
import { powershell } from '../common/powershell.js';

const IDS = { min: 'password.min_length', age: 'password.max_age', lockout: 'password.lockout' } as const;

/** Debian keeps the stacks in common-*, the RHEL family in system-auth/password-auth. */
const PAM_PASSWORD = ['/etc/pam.d/common-password', '/etc/pam.d/system-auth', '/etc/pam.d/password-auth'];
const PAM_AUTH = ['/etc/pam.d/common-auth', '/etc/pam.d/system-auth', '/etc/pam.d/password-auth'];

/** Active (uncommented) lines of a PAM stack that load `module`, with their arguments. */
export function pamLines(text: string, type: string, module: RegExp): string[][] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l.startsWith(type) && module.test(l))
    .map((l) => l.split(/\s+/));
}
const arg = (words: string[], name: string) => words.find((w) => w.startsWith(`${name}=`))?.split('=')[1];

async function readFirst(system: SystemReader, paths: string[]) {
  const texts = await Promise.all(paths.map((p) => system.readFile(p)));
  return paths.flatMap((p, i) => (texts[i] === null ? [] : [{ path: p, text: texts[i]! }]));
}

async function minLength(ctx: BaselineContext, stacks: { path: string; text: string }[]): Promise<CheckOutcome> {
  const want = ctx.param(IDS.min, 'minLength');
  if (!stacks.length) return unknown(IDS.min, `no PAM password stack found (${PAM_PASSWORD.join(', ')})`);
  for (const s of stacks) {
    const q = pamLines(s.text, 'password', /pam_(pwquality|cracklib)\.so/)[0];
    if (q) {
      const conf = [{ path: '/etc/security/pwquality.conf', text: (await ctx.system.readFile('/etc/security/pwquality.conf')) ?? '' }, ...(await dropIns(ctx.system, '/etc/security/pwquality.conf.d'))];
      // Module arguments override pwquality.conf; in the files, later ones override earlier.
      let min = 8; // libpwquality's default (pam_cracklib's is 9, close enough to judge >= 8)
      let from = 'pwquality default';
      for (const f of conf) {
        const v = keyValues(f.text).get('minlen');
        if (v) [min, from] = [Number(v), f.path];
      }
      const a = arg(q, 'minlen');
      if (a) [min, from] = [Number(a), `module argument in ${s.path}`];
      const ev = `${q.find((w) => w.includes('.so'))} in ${s.path}; minlen ${min} (${from}); required >= ${want}`;
      return min >= want ? pass(IDS.min, ev) : fail(IDS.min, ev);
    }
    const u = pamLines(s.text, 'password', /pam_unix\.so/)[0];
    if (u) {
      const min = Number(arg(u, 'minlen') ?? 6);
      const ev = `no pam_pwquality; pam_unix minlen ${min}${arg(u, 'minlen') ? '' : ' (default)'} in ${s.path}; required >= ${want}`;
      return min >= want ? pass(IDS.min, ev) : fail(IDS.min, `${ev}: install libpam-pwquality (minlen=${want})`);
    }
  }
  return unknown(IDS.min, `no pam_pwquality, pam_cracklib or pam_unix password line in ${stacks.map((s) => s.path).join(', ')}`);
}

async function maxAge(ctx: BaselineContext): Promise<CheckOutcome> {
  const want = ctx.param(IDS.age, 'maxDays');
  const defs = await ctx.system.readFile('/etc/login.defs');
  if (defs === null) return unknown(IDS.age, '/etc/login.defs unreadable');
  const v = keyValues(defs).get('pass_max_days');
  const days = v === undefined ? 99999 : Number(v);
  const ev = `PASS_MAX_DAYS ${v ?? 'unset (99999)'} in /etc/login.defs; required <= ${want} (applies to accounts created afterwards; see chage -l for existing ones)`;
  return Number.isFinite(days) && days <= want && days > 0 ? pass(IDS.age, ev) : fail(IDS.age, ev);
}

async function lockout(ctx: BaselineContext, stacks: { path: string; text: string }[]): Promise<CheckOutcome> {
  const want = ctx.param(IDS.lockout, 'maxFailures');
  for (const s of stacks) {
    const fl = pamLines(s.text, 'auth', /pam_faillock\.so/);
    if (fl.length) {
      const conf = keyValues((await ctx.system.readFile('/etc/security/faillock.conf')) ?? '');
      const deny = Number(fl.map((w) => arg(w, 'deny')).find(Boolean) ?? conf.get('deny') ?? 3);
      const ev = `pam_faillock in ${s.path}, deny=${deny}; required 1..${want}`;
      return deny > 0 && deny <= want ? pass(IDS.lockout, ev) : fail(IDS.lockout, `${ev}${deny === 0 ? ' (0 disables lockout)' : ''}`);
    }
    const t2 = pamLines(s.text, 'auth', /pam_tally2?\.so/)[0];
    if (t2) {
      const deny = Number(arg(t2, 'deny') ?? 0);
      const ev = `${t2.find((w) => w.includes(".so"))} in ${s.path}, deny=${deny || 'unset'}; required 1..${want}`;
      return deny > 0 && deny <= want ? pass(IDS.lockout, ev) : fail(IDS.lockout, ev);
    }
  }
  return stacks.length
    ? fail(IDS.lockout, `no pam_faillock or pam_tally2 in ${stacks.map((s) => s.path).join(', ')}: accounts are never locked after failed logins`)
    : unknown(IDS.lockout, `no PAM auth stack found (${PAM_AUTH.join(', ')})`);
}

/** `net accounts` (English output): minimum length, maximum age, lockout threshold. */
export function netAccounts(text: string, want: { minLength: number; maxDays: number; maxFailures: number }): CheckOutcome[] {
  const field = (label: RegExp) => text.split('\n').find((l) => label.test(l))?.split(':').slice(1).join(':').trim();
  const min = field(/^Minimum password length/i);
  const age = field(/^Maximum password age/i);
  const lock = field(/^Lockout threshold/i);
  if (min === undefined || age === undefined || lock === undefined) {
    const why = 'net accounts output not understood (non-English Windows?)';
    return [unknown(IDS.min, why), unknown(IDS.age, why), unknown(IDS.lockout, why)];
  }
  const ageDays = /unlimited/i.test(age) ? Infinity : Number(age);
  const lockN = /never/i.test(lock) ? 0 : Number(lock);
  return [
    Number(min) >= want.minLength ? pass(IDS.min, `net accounts: minimum length ${min}`) : fail(IDS.min, `net accounts: minimum length ${min}; required >= ${want.minLength}`),
    ageDays <= want.maxDays ? pass(IDS.age, `net accounts: maximum age ${age} days`) : fail(IDS.age, `net accounts: maximum age ${age}; required <= ${want.maxDays}`),
    lockN > 0 && lockN <= want.maxFailures ? pass(IDS.lockout, `net accounts: lockout threshold ${lock}`) : fail(IDS.lockout, `net accounts: lockout threshold ${lock}; required 1..${want.maxFailures}`),
  ];
}

export const passwordFamily: CheckFamily = {
  name: 'password',
  ids: Object.values(IDS),
  platforms: ['linux', 'win32'],
  async run(ctx) {
    if (ctx.system.platform === 'win32') {
      const r = await powershell(ctx.system, 'net accounts');
      const out = okOut(r);
      if (out === null) return Object.values(IDS).map((id) => unknown(id, whyFailed('net accounts', r)));
      return netAccounts(out, { minLength: ctx.param(IDS.min, 'minLength'), maxDays: ctx.param(IDS.age, 'maxDays'), maxFailures: ctx.param(IDS.lockout, 'maxFailures') });
    }
    const [pw, auth] = await Promise.all([readFirst(ctx.system, PAM_PASSWORD), readFirst(ctx.system, PAM_AUTH)]);
    return Promise.all([minLength(ctx, pw), maxAge(ctx), lockout(ctx, auth)]);
  },
};
