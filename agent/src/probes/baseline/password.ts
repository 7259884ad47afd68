/**
 * Password policy: password.min_length, password.max_age, password.lockout.
 * Linux: the PAM stack decides (login.defs PASS_MIN_LEN is ignored where PAM is used):
 * pam_pwquality/pam_cracklib minlen (and pwquality.conf), else pam_unix minlen (default 6);
 * PASS_MAX_DAYS in login.defs (applies to accounts created afterwards); pam_faillock deny=
 * (faillock.conf) or pam_tally2 deny=. Windows: `net accounts`.
 */
import type { SystemReader } from '../../system.js';
import type { BaselineContext, CheckFamily, CheckOutcome } from './check.js';
import { dropIns, fail, keyValues, pass, unknown } from './check.js';

const IDS = { min: 'password.min_length', lockout: 'password.lockout' } as const;

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
      const ev = `${t2.find((w) => w.includes('.so'))} in ${s.path}, deny=${deny || 'unset'}; required 1..${want}`;
      return deny > 0 && deny <= want ? pass(IDS.lockout, ev) : fail(IDS.lockout, ev);
    }
  }
  return stacks.length ? fail(IDS.lockout, `no pam_faillock or pam_tally2 in ${stacks.map((s) => s.path).join(', ')}: accounts are never locked after failed logins`) : unknown(IDS.lockout, `no PAM auth stack found (${PAM_AUTH.join(', ')})`);
}

/** Linux only: Windows password policy is read by windows-policy.ts; max age by accounts.ts (per account). */
export const passwordFamily: CheckFamily = {
  name: 'password',
  ids: [IDS.min, IDS.lockout],
  platforms: ['linux'],
  async run(ctx) {
    const [pw, auth] = await Promise.all([readFirst(ctx.system, PAM_PASSWORD), readFirst(ctx.system, PAM_AUTH)]);
    return Promise.all([minLength(ctx, pw), lockout(ctx, auth)]);
  },
};
