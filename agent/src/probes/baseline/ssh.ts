/**
 * Remote administration over SSH: ssh.root_login, ssh.empty_passwords, ssh.weak_crypto,
 * ssh.password_auth. The effective settings come from `sshd -T` (root; what the daemon would
 * really use), else from sshd_config and its Include files (first value wins, as sshd reads
 * them). No SSH server installed passes: nobody can log in over SSH.
 */
import type { SystemReader } from '../../system.js';
import type { CheckFamily, CheckOutcome } from './check.js';
import { fail, okOut, pass, whyFailed } from './check.js';

const IDS = { root: 'ssh.root_login', empty: 'ssh.empty_passwords', crypto: 'ssh.weak_crypto', password: 'ssh.password_auth' } as const;
const CONFIG = '/etc/ssh/sshd_config';

/** OpenSSH >= 7.0 defaults for the keys these checks read. */
const DEFAULTS: Record<string, string> = { permitrootlogin: 'prohibit-password', permitemptypasswords: 'no', passwordauthentication: 'yes', kbdinteractiveauthentication: 'yes' };

/** Broken or deprecated algorithms (OpenSSH release notes, RFC 9142); hmac-sha1 is not broken as an HMAC. */
const WEAK = [/^3des-cbc$/, /^(aes\d+|blowfish|cast128|rijndael)-cbc/, /^arcfour/, /^hmac-md5/, /-96(@|$)/, /^diffie-hellman-group1-sha1$/, /^diffie-hellman-group14-sha1$/, /^diffie-hellman-group-exchange-sha1$/, /^ssh-dss$/];

export interface SshdSettings {
  /** Lowercased keys to their first value. */
  values: Map<string, string>;
  source: string;
}

/** Parse sshd_config text, following `Include` (globs of a directory's *.conf) recursively. */
export async function readSshdConfig(system: SystemReader, path: string, values = new Map<string, string>(), depth = 0): Promise<void> {
  const text = await system.readFile(path);
  if (text === null || depth > 4) return;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = line.match(/^(\S+)\s*(?:=\s*|\s+)(.*)$/);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    // A Match block applies only to some connections: the global settings end here.
    if (key === 'match') return;
    if (key === 'include') {
      for (const pattern of m[2]!.split(/\s+/)) {
        const full = pattern.startsWith('/') ? pattern : `/etc/ssh/${pattern}`;
        const slash = full.lastIndexOf('/');
        const [dir, glob] = [full.slice(0, slash), full.slice(slash + 1)];
        const rx = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`);
        const names = glob.includes('*') || glob.includes('?') ? ((await system.readDir(dir)) ?? []).filter((n) => rx.test(n)).sort() : [glob];
        for (const n of names) await readSshdConfig(system, `${dir}/${n}`, values, depth + 1);
      }
      continue;
    }
    if (!values.has(key)) values.set(key, m[2]!.trim());
  }
}

/** Weak algorithms named in the ciphers/macs/kexalgorithms/hostkeyalgorithms values. */
export function weakAlgorithms(values: ReadonlyMap<string, string>): string[] {
  const weak: string[] = [];
  for (const key of ['ciphers', 'macs', 'kexalgorithms', 'hostkeyalgorithms']) {
    const v = values.get(key);
    // "-list" removes from the defaults: nothing weak is added by it.
    if (!v || v.startsWith('-')) continue;
    for (const alg of v.replace(/^[+^]/, '').split(',')) if (WEAK.some((w) => w.test(alg.trim()))) weak.push(`${key} ${alg.trim()}`);
  }
  const protocol = values.get('protocol');
  if (protocol && protocol.split(',').includes('1')) weak.push(`protocol ${protocol}`);
  return weak;
}

export function judgeSshd(s: SshdSettings): CheckOutcome[] {
  const get = (k: string) => (s.values.get(k) ?? DEFAULTS[k] ?? '?').toLowerCase();
  const shown = (k: string) => `${k} ${get(k)}${s.values.has(k) ? '' : ' (default)'}`;
  const src = ` [${s.source}]`;
  const root = get('permitrootlogin');
  const weak = weakAlgorithms(s.values);
  const pw = get('passwordauthentication');
  const kbd = get('kbdinteractiveauthentication') === 'yes' && get('challengeresponseauthentication') !== 'no';
  return [
    ['no', 'prohibit-password', 'without-password', 'forced-commands-only'].includes(root)
      ? pass(IDS.root, shown('permitrootlogin') + src)
      : fail(IDS.root, `${shown('permitrootlogin')}${src}: set PermitRootLogin prohibit-password or no`),
    get('permitemptypasswords') === 'no' ? pass(IDS.empty, shown('permitemptypasswords') + src) : fail(IDS.empty, `${shown('permitemptypasswords')}${src}: set PermitEmptyPasswords no`),
    weak.length ? fail(IDS.crypto, `weak: ${weak.join('; ')}${src}`) : pass(IDS.crypto, `no protocol 1 or weak cipher/MAC/key exchange configured${s.values.has('ciphers') ? '' : ' (OpenSSH defaults)'}${src}`),
    pw === 'no' && !kbd
      ? pass(IDS.password, `passwordauthentication no, keyboard-interactive off${src}`)
      : fail(IDS.password, `${shown('passwordauthentication')}${kbd ? ', keyboard-interactive on' : ''}${src}: allow keys only (PasswordAuthentication no, KbdInteractiveAuthentication no)`),
  ];
}

export const sshFamily: CheckFamily = {
  name: 'ssh',
  ids: Object.values(IDS),
  platforms: ['linux'],
  async run({ system }) {
    const t = await system.run('sshd', ['-T']);
    const out = okOut(t);
    if (out !== null) {
      const values = new Map(out.split('\n').flatMap((l) => { const m = l.match(/^(\S+)\s+(.*)$/); return m ? [[m[1]!.toLowerCase(), m[2]!] as [string, string]] : []; }));
      return judgeSshd({ values, source: 'sshd -T' });
    }
    if ((await system.stat(CONFIG)) === null) {
      if (t.kind === 'not-found') return Object.values(IDS).map((id) => pass(id, 'no SSH server installed (no sshd, no /etc/ssh/sshd_config)'));
    }
    const values = new Map<string, string>();
    await readSshdConfig(system, CONFIG, values);
    return judgeSshd({ values, source: `${CONFIG} (${whyFailed('sshd -T', t)})` });
  },
};
