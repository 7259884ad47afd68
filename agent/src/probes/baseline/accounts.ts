/**
 * Account hygiene on Linux, read from what login really consults:
 * - accounts.no_empty_passwords: /etc/shadow entries with an empty hash field (anyone may log in
 *   where PAM allows nullok);
 * - accounts.pam_nullok: `nullok` on pam_unix in an auth stack a login service uses (the stacks
 *   are followed through @include/include/substack, so a nullok in common-auth counts for sshd);
 * - accounts.single_uid0: no account but root with UID 0 in /etc/passwd;
 * - password.min_age / password.max_age: each password-holding account's own fields in
 *   /etc/shadow (what `chage -l` shows and login enforces), not login.defs, which only seeds
 *   accounts created later: login.defs is evidence;
 * - password.hashing: the hash scheme of every stored password (shadow's `$id$` prefix), and
 *   ENCRYPT_METHOD / pam_unix's scheme for new ones;
 * - password.history: pam_pwhistory remember= (or pam_unix remember=) >= `minRemember`;
 * - password.complexity: pam_pwquality/cracklib minclass >= `minClasses` or enough negative credits;
 * - accounts.umask: the default umask (login.defs UMASK, pam_umask, /etc/profile) at least 027.
 */
import type { SystemReader } from '../../system.js';
import type { BaselineContext, CheckFamily, CheckOutcome } from './check.js';
import { dropIns, fail, keyValues, pass, unknown } from './check.js';

const IDS = {
  empty: 'accounts.no_empty_passwords',
  nullok: 'accounts.pam_nullok',
  uid0: 'accounts.single_uid0',
  minAge: 'password.min_age',
  maxAge: 'password.max_age',
  hashing: 'password.hashing',
  history: 'password.history',
  complexity: 'password.complexity',
  umask: 'accounts.umask',
} as const;
export const ACCOUNT_IDS = Object.values(IDS);

/** Services whose auth stacks count: everything a person logs in through. */
const LOGIN_SERVICES = ['sshd', 'login', 'common-auth', 'system-auth', 'password-auth', 'su', 'sudo', 'gdm-password', 'lightdm'];

/** Lines of a PAM service with includes resolved (depth-limited), as `{file, words}`. */
export async function pamStack(system: SystemReader, service: string, type: string, depth = 0): Promise<{ file: string; words: string[] }[]> {
  const file = `/etc/pam.d/${service}`;
  const text = depth > 6 ? null : await system.readFile(file);
  if (text === null) return [];
  const out: { file: string; words: string[] }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const words = line.split(/\s+/);
    if (words[0] === '@include') out.push(...(await pamStack(system, words[1]!, type, depth + 1)));
    else if (words[0]?.replace(/^-/, '') === type && (words[1] === 'include' || words[1] === 'substack')) out.push(...(await pamStack(system, words[2]!, type, depth + 1)));
    else if (words[0]?.replace(/^-/, '') === type) out.push({ file, words });
  }
  return out;
}

interface ShadowEntry {
  user: string;
  hash: string;
  min: string;
  max: string;
}
export function parseShadow(text: string): ShadowEntry[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const f = l.split(':');
      return { user: f[0]!, hash: f[1] ?? '', min: f[3] ?? '', max: f[4] ?? '' };
    });
}
/** An entry that holds a usable password (not locked `!`/`*`, not empty). */
const hasPassword = (e: ShadowEntry) => e.hash !== '' && !/^[!*]/.test(e.hash);

const SCHEMES: Record<string, { name: string; strong: boolean }> = {
  '1': { name: 'MD5', strong: false },
  '2a': { name: 'bcrypt', strong: true },
  '2b': { name: 'bcrypt', strong: true },
  '2y': { name: 'bcrypt', strong: true },
  '5': { name: 'SHA-256', strong: true },
  '6': { name: 'SHA-512', strong: true },
  y: { name: 'yescrypt', strong: true },
  gy: { name: 'gost-yescrypt', strong: true },
  '7': { name: 'scrypt', strong: true },
};
const scheme = (hash: string) => {
  const id = hash.match(/^\$([^$]+)\$/)?.[1];
  return id ? (SCHEMES[id] ?? { name: `$${id}$`, strong: false }) : { name: 'DES crypt', strong: false };
};

const list = (xs: string[], n = 8) => `${xs.slice(0, n).join(', ')}${xs.length > n ? `, +${xs.length - n}` : ''}`;
const arg = (words: string[], name: string) => words.find((w) => w.startsWith(`${name}=`))?.split('=')[1];

export async function accountChecks(ctx: BaselineContext): Promise<CheckOutcome[]> {
  const { system } = ctx;
  const [shadowText, passwdText, defsText] = await Promise.all([system.readFile('/etc/shadow'), system.readFile('/etc/passwd'), system.readFile('/etc/login.defs')]);
  const defs = keyValues(defsText ?? '');
  const out: CheckOutcome[] = [];
  const shadow = shadowText === null ? null : parseShadow(shadowText);
  const noShadow = (id: string) => unknown(id, '/etc/shadow unreadable (run the agent as root)');

  // Empty password fields.
  if (!shadow) out.push(noShadow(IDS.empty));
  else {
    const empty = shadow.filter((e) => e.hash === '').map((e) => e.user);
    out.push(empty.length ? fail(IDS.empty, `accounts with an empty password in /etc/shadow: ${list(empty)}; lock them (passwd -l) or set a password`) : pass(IDS.empty, `no empty password field among ${shadow.length} /etc/shadow entries`));
  }

  // nullok in any login stack.
  const stacks = await Promise.all(LOGIN_SERVICES.map(async (s) => ({ s, lines: await pamStack(system, s, 'auth') })));
  const found = stacks.filter((x) => x.lines.length);
  const nullok = found.flatMap((x) => x.lines.filter((l) => l.words.some((w) => /pam_unix\.so$/.test(w)) && l.words.includes('nullok')).map((l) => `${x.s} (${l.file})`));
  if (!found.length) out.push(unknown(IDS.nullok, `no PAM auth stack found for ${LOGIN_SERVICES.join(', ')}`));
  else
    out.push(
      nullok.length
        ? fail(IDS.nullok, `pam_unix nullok in the auth stack of ${list([...new Set(nullok)])}: an account with an empty password logs in without one; remove nullok`)
        : pass(IDS.nullok, `no nullok on pam_unix in ${found.map((x) => x.s).join(', ')}`),
    );

  // UID 0.
  if (passwdText === null) out.push(unknown(IDS.uid0, '/etc/passwd unreadable'));
  else {
    const zero = passwdText
      .split('\n')
      .filter((l) => l.split(':')[2] === '0')
      .map((l) => l.split(':')[0]!);
    const extra = zero.filter((u) => u !== 'root');
    out.push(extra.length ? fail(IDS.uid0, `accounts with UID 0 besides root: ${list(extra)}; give them their own UID`) : pass(IDS.uid0, `only root has UID 0 (${zero.length} entry)`));
  }

  // Password ages: each account's own values.
  const minDays = ctx.param(IDS.minAge, 'minDays');
  const maxDays = ctx.param(IDS.maxAge, 'maxDays');
  const withPw = shadow?.filter(hasPassword) ?? [];
  const defsNote = (k: string) => `login.defs ${k} ${defs.get(k.toLowerCase()) ?? 'unset'} (for new accounts)`;
  if (!shadow) out.push(noShadow(IDS.minAge), noShadow(IDS.maxAge));
  else if (!withPw.length) {
    // No account can log in with a password: the seeds for future accounts are all there is.
    const min = Number(defs.get('pass_min_days') ?? 0);
    const max = Number(defs.get('pass_max_days') ?? 99999);
    out.push(min >= minDays ? pass(IDS.minAge, `no account holds a password; ${defsNote('PASS_MIN_DAYS')}`) : fail(IDS.minAge, `no account holds a password yet; ${defsNote('PASS_MIN_DAYS')}: set PASS_MIN_DAYS ${minDays}`));
    out.push(max > 0 && max <= maxDays ? pass(IDS.maxAge, `no account holds a password; ${defsNote('PASS_MAX_DAYS')}`) : fail(IDS.maxAge, `no account holds a password yet; ${defsNote('PASS_MAX_DAYS')}: set PASS_MAX_DAYS ${maxDays}`));
  } else {
    const badMin = withPw.filter((e) => !(Number(e.min || 0) >= minDays)).map((e) => `${e.user}=${e.min || 'empty'}`);
    const badMax = withPw.filter((e) => !(e.max !== '' && Number(e.max) > 0 && Number(e.max) <= maxDays)).map((e) => `${e.user}=${e.max || 'empty'}`);
    out.push(
      badMin.length
        ? fail(IDS.minAge, `minimum password age below ${minDays} day(s) for ${list(badMin)} (/etc/shadow); ${defsNote('PASS_MIN_DAYS')}; fix with chage -m ${minDays} USER`)
        : pass(IDS.minAge, `${withPw.length} password account(s) with minimum age >= ${minDays}; ${defsNote('PASS_MIN_DAYS')}`),
    );
    out.push(
      badMax.length
        ? fail(IDS.maxAge, `maximum password age above ${maxDays} days for ${list(badMax)} (/etc/shadow; login.defs only seeds new accounts); ${defsNote('PASS_MAX_DAYS')}; fix with chage -M ${maxDays} USER`)
        : pass(IDS.maxAge, `${withPw.length} password account(s) with maximum age <= ${maxDays}; ${defsNote('PASS_MAX_DAYS')}`),
    );
  }

  // Hashing scheme of stored passwords and of new ones.
  const pwStack = await pamStack(system, 'common-password', 'password').then(async (l) => (l.length ? l : pamStack(system, 'system-auth', 'password')));
  const unixLine = pwStack.find((l) => l.words.some((w) => /pam_unix\.so$/.test(w)));
  const pamScheme = unixLine?.words.find((w) => ['md5', 'bigcrypt', 'sha256', 'sha512', 'blowfish', 'yescrypt', 'gost_yescrypt'].includes(w));
  const method = defs.get('encrypt_method') ?? 'unset';
  const newWeak = pamScheme ? ['md5', 'bigcrypt'].includes(pamScheme) : /^(md5|des)$/i.test(method);
  const newEv = `new passwords: ${pamScheme ? `pam_unix ${pamScheme}` : `ENCRYPT_METHOD ${method}`}`;
  if (!shadow) out.push(noShadow(IDS.hashing));
  else {
    const weak = withPw.filter((e) => !scheme(e.hash).strong).map((e) => `${e.user} (${scheme(e.hash).name})`);
    const used = [...new Set(withPw.map((e) => scheme(e.hash).name))].join(', ') || 'none stored';
    if (weak.length || newWeak) out.push(fail(IDS.hashing, `${weak.length ? `weakly hashed passwords: ${list(weak)}; ` : ''}${newEv}: use yescrypt or sha512 and have those users change their password`));
    else out.push(pass(IDS.hashing, `stored hashes: ${used}; ${newEv}`));
  }

  // History and complexity from the password stack.
  const minRemember = ctx.param(IDS.history, 'minRemember');
  const hist = pwStack.find((l) => l.words.some((w) => /pam_pwhistory\.so$/.test(w))) ?? (unixLine && arg(unixLine.words, 'remember') ? unixLine : undefined);
  let remember = hist ? Number(arg(hist.words, 'remember') ?? 10) : 0;
  if (hist && !arg(hist.words, 'remember') && /pam_pwhistory/.test(hist.words.join(' '))) {
    const conf = keyValues((await system.readFile('/etc/security/pwhistory.conf')) ?? '');
    remember = Number(conf.get('remember') ?? 10);
  }
  if (!pwStack.length) out.push(unknown(IDS.history, 'no PAM password stack (common-password, system-auth)'));
  else
    out.push(
      remember >= minRemember
        ? pass(IDS.history, `${hist!.words.find((w) => w.includes('.so'))} remember=${remember} in ${hist!.file}; required >= ${minRemember}`)
        : fail(IDS.history, `${hist ? `remember=${remember}` : 'no pam_pwhistory'} in the password stack; required >= ${minRemember}: add "password required pam_pwhistory.so remember=${minRemember} use_authtok"`),
    );

  const minClasses = ctx.param(IDS.complexity, 'minClasses');
  const q = pwStack.find((l) => l.words.some((w) => /pam_(pwquality|cracklib)\.so$/.test(w)));
  if (!pwStack.length) out.push(unknown(IDS.complexity, 'no PAM password stack (common-password, system-auth)'));
  else if (!q) out.push(fail(IDS.complexity, `no pam_pwquality or pam_cracklib in the password stack (${pwStack[0]!.file}): install libpam-pwquality and set minclass=${minClasses}`));
  else {
    const files = [{ path: '/etc/security/pwquality.conf', text: (await system.readFile('/etc/security/pwquality.conf')) ?? '' }, ...(await dropIns(system, '/etc/security/pwquality.conf.d'))];
    const v: Record<string, number> = {};
    for (const f of files) for (const [k, val] of keyValues(f.text)) v[k] = Number(val);
    for (const w of q.words) {
      const m = w.match(/^(minclass|[dulo]credit)=(-?\d+)$/);
      if (m) v[m[1]!] = Number(m[2]);
    }
    const required = ['dcredit', 'ucredit', 'lcredit', 'ocredit'].filter((k) => (v[k] ?? 0) < 0).length;
    const classes = Math.max(v.minclass ?? 0, required);
    const ev = `${q.words.find((w) => w.includes('.so'))}: minclass ${v.minclass ?? 0}, required classes by credits ${required}; required >= ${minClasses}`;
    out.push(classes >= minClasses ? pass(IDS.complexity, ev) : fail(IDS.complexity, `${ev}: set minclass = ${minClasses} in /etc/security/pwquality.conf`));
  }

  // Default umask.
  const pamUmask = (await pamStack(system, 'common-session', 'session')).find((l) => l.words.some((w) => /pam_umask\.so$/.test(w)));
  const profile = (await system.readFile('/etc/profile')) ?? '';
  const profUmask = [...profile.matchAll(/^\s*umask\s+(0?[0-7]{3})\b/gm)].at(-1)?.[1];
  const src =
    pamUmask && arg(pamUmask.words, 'umask')
      ? { v: arg(pamUmask.words, 'umask')!, from: 'pam_umask argument' }
      : profUmask
        ? { v: profUmask, from: '/etc/profile' }
        : defs.get('umask')
          ? { v: defs.get('umask')!, from: `login.defs UMASK${pamUmask ? ' (via pam_umask)' : ''}` }
          : { v: '022', from: 'default' };
  const mask = parseInt(src.v, 8);
  // 027 or stricter: group may not write, others get nothing.
  out.push(
    (mask & 0o027) === 0o027 ? pass(IDS.umask, `umask ${src.v} (${src.from})`) : fail(IDS.umask, `umask ${src.v} (${src.from}): new files are readable by others; set UMASK 027 in /etc/login.defs (with pam_umask) or umask 027 in /etc/profile`),
  );
  return out;
}

export const accountsFamily: CheckFamily = {
  name: 'accounts',
  ids: ACCOUNT_IDS,
  platforms: ['linux'],
  run: accountChecks,
};
