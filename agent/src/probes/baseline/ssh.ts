/**
 * Remote administration over SSH: ssh.root_login, ssh.empty_passwords, ssh.weak_crypto,
 * ssh.password_auth, ssh.idle_timeout, ssh.max_auth_tries, ssh.log_level, ssh.banner,
 * ssh.config_loaded. The effective settings come from `sshd -T` (root; sshd's own parser,
 * with its defaults and Include files), evaluated per connection with `-C`: for root
 * (`user=root`) and for the user/address of every `Match` block in the files, because plain
 * `sshd -T` applies no Match block and a `Match User root` can re-allow what the global part
 * forbids. The worst connection decides. When sshd -T cannot run, the files are read (first
 * value wins, Match blocks read apart). The running daemon read its files when it started:
 * files changed since (mtime after the listener's start) are not enforced yet, so a passing
 * file-derived result is only as good as a restart: ssh.config_loaded says so. No SSH server
 * installed passes: nobody can log in over SSH.
 */
import type { CommandResult, SystemReader } from '../../system.js';
import { filesStamp } from '../common/file-stamp.js';
import type { CheckFamily, CheckOutcome } from './check.js';
import { fail, okOut, pass, unknown, whyFailed } from './check.js';

const IDS = {
  root: 'ssh.root_login',
  empty: 'ssh.empty_passwords',
  crypto: 'ssh.weak_crypto',
  password: 'ssh.password_auth',
  idle: 'ssh.idle_timeout',
  tries: 'ssh.max_auth_tries',
  log: 'ssh.log_level',
  banner: 'ssh.banner',
  loaded: 'ssh.config_loaded',
} as const;
const CONFIG = '/etc/ssh/sshd_config';

/** OpenSSH >= 7.0 defaults for the keys these checks read. */
const DEFAULTS: Record<string, string> = {
  permitrootlogin: 'prohibit-password',
  permitemptypasswords: 'no',
  passwordauthentication: 'yes',
  kbdinteractiveauthentication: 'yes',
  clientaliveinterval: '0',
  clientalivecountmax: '3',
  maxauthtries: '6',
  loglevel: 'INFO',
  banner: 'none',
};

/** Broken or deprecated algorithms (OpenSSH release notes, RFC 9142); hmac-sha1 is not broken as an HMAC. */
const WEAK = [/^3des-cbc$/, /^(aes\d+|blowfish|cast128|rijndael)-cbc/, /^arcfour/, /^hmac-md5/, /-96(@|$)/, /^diffie-hellman-group1-sha1$/, /^diffie-hellman-group14-sha1$/, /^diffie-hellman-group-exchange-sha1$/, /^ssh-dss$/];

export interface SshdSettings {
  /** Lowercased keys to their first value (the global part, for a connection no Match selects). */
  values: Map<string, string>;
  source: string;
  /** Settings as they are for other connections (root, each Match block), labelled. */
  variants?: { label: string; values: Map<string, string>; user: string }[];
}

export interface MatchBlock {
  criteria: string;
  values: Map<string, string>;
}

/** Parse sshd_config text, following `Include` (globs of a directory's *.conf) recursively. */
export async function readSshdConfig(system: SystemReader, path: string, values = new Map<string, string>(), depth = 0, matches: MatchBlock[] = [], files: string[] = []): Promise<void> {
  const text = await system.readFile(path);
  if (text === null || depth > 4) return;
  files.push(path);
  let block: MatchBlock | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = line.match(/^(\S+)\s*(?:=\s*|\s+)(.*)$/);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    // A Match block applies only to some connections: it runs to the end of its file.
    if (key === 'match') {
      block = { criteria: m[2]!.trim(), values: new Map() };
      matches.push(block);
      continue;
    }
    if (block) {
      if (!block.values.has(key)) block.values.set(key, m[2]!.trim());
      continue;
    }
    if (key === 'include') {
      for (const pattern of m[2]!.split(/\s+/)) {
        const full = pattern.startsWith('/') ? pattern : `/etc/ssh/${pattern}`;
        const slash = full.lastIndexOf('/');
        const [dir, glob] = [full.slice(0, slash), full.slice(slash + 1)];
        const rx = new RegExp(
          `^${glob
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replaceAll('*', '.*')
            .replaceAll('?', '.')}$`,
        );
        const names = glob.includes('*') || glob.includes('?') ? ((await system.readDir(dir)) ?? []).filter((n) => rx.test(n)).sort() : [glob];
        for (const n of names) await readSshdConfig(system, `${dir}/${n}`, values, depth + 1, matches, files);
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

type Get = (k: string) => string;
interface SshRule {
  id: string;
  ok(get: Get, values: ReadonlyMap<string, string>): boolean;
  shown(get: Get): string;
  fix: string;
}

const ROOT_OK = ['no', 'prohibit-password', 'without-password', 'forced-commands-only'];
const LOG_OK = ['info', 'verbose'];

/** One rule per check; `limits` holds the mapping's thresholds (seconds, tries). */
function rules(limits: { maxIdleSeconds: number; maxAuthTries: number }): SshRule[] {
  return [
    { id: IDS.root, ok: (g) => ROOT_OK.includes(g('permitrootlogin')), shown: (g) => `permitrootlogin ${g('permitrootlogin')}`, fix: 'set PermitRootLogin prohibit-password or no (and in every Match block)' },
    { id: IDS.empty, ok: (g) => g('permitemptypasswords') === 'no', shown: (g) => `permitemptypasswords ${g('permitemptypasswords')}`, fix: 'set PermitEmptyPasswords no' },
    { id: IDS.crypto, ok: (_g, v) => weakAlgorithms(v).length === 0, shown: () => 'ciphers/MACs/kex', fix: 'remove CBC, arcfour, 3DES, MD5, 96-bit MACs, SHA-1 DH groups and ssh-dss' },
    {
      id: IDS.password,
      ok: (g) => g('passwordauthentication') === 'no' && !(g('kbdinteractiveauthentication') === 'yes' && g('challengeresponseauthentication') !== 'no'),
      shown: (g) => `passwordauthentication ${g('passwordauthentication')}, kbdinteractiveauthentication ${g('kbdinteractiveauthentication')}`,
      fix: 'allow keys only (PasswordAuthentication no, KbdInteractiveAuthentication no)',
    },
    {
      id: IDS.idle,
      ok: (g) => {
        const i = Number(g('clientaliveinterval'));
        const n = Number(g('clientalivecountmax'));
        return i > 0 && n >= 0 && i * Math.max(n, 1) <= limits.maxIdleSeconds;
      },
      shown: (g) => `clientaliveinterval ${g('clientaliveinterval')}, clientalivecountmax ${g('clientalivecountmax')}`,
      fix: `set ClientAliveInterval (seconds) x ClientAliveCountMax <= ${limits.maxIdleSeconds}, interval > 0`,
    },
    { id: IDS.tries, ok: (g) => Number(g('maxauthtries')) >= 1 && Number(g('maxauthtries')) <= limits.maxAuthTries, shown: (g) => `maxauthtries ${g('maxauthtries')}`, fix: `set MaxAuthTries ${limits.maxAuthTries} or lower` },
    { id: IDS.log, ok: (g) => LOG_OK.includes(g('loglevel')), shown: (g) => `loglevel ${g('loglevel')}`, fix: 'set LogLevel INFO or VERBOSE (logins are logged from INFO)' },
    { id: IDS.banner, ok: (g) => g('banner') !== 'none' && g('banner') !== '', shown: (g) => `banner ${g('banner')}`, fix: 'set Banner /etc/issue.net with the authorised-use warning' },
  ];
}

/**
 * Judge every check on the global settings and on each variant (root, Match blocks); the first
 * failing connection is named.
 */
export function judgeSshd(s: SshdSettings, limits = { maxIdleSeconds: 900, maxAuthTries: 4 }): CheckOutcome[] {
  const getter =
    (values: ReadonlyMap<string, string>): Get =>
    (k) =>
      (values.get(k) ?? DEFAULTS[k] ?? '?').toLowerCase();
  // For evidence: a value sshd would take from its defaults says so.
  const shown =
    (values: ReadonlyMap<string, string>): Get =>
    (k) =>
      `${getter(values)(k)}${values.has(k) ? '' : ' (default)'}`;
  const all = [{ label: 'all connections', values: s.values, user: 'root' }, ...(s.variants ?? [])];
  return rules(limits).map((r) => {
    // Root login is a question about root's connections; the others about any connection.
    const scope = r.id === IDS.root ? all.filter((v) => v.user === 'root') : all;
    const bad = scope.find((v) => !r.ok(getter(v.values), v.values));
    const src = ` [${s.source}]`;
    if (r.id === IDS.crypto) {
      const weak = bad ? weakAlgorithms(bad.values) : [];
      return bad ? fail(r.id, `weak (${bad.label}): ${weak.join('; ')}${src}`) : pass(r.id, `no protocol 1 or weak cipher/MAC/key exchange configured${s.values.has('ciphers') ? '' : ' (OpenSSH defaults)'}${src}`);
    }
    if (bad) return fail(r.id, `${r.shown(shown(bad.values))} for ${bad.label}${src}: ${r.fix}`);
    return pass(
      r.id,
      `${r.shown(shown(s.values))}${
        all.length > 1
          ? ` (also for ${all
              .slice(1)
              .map((v) => v.label)
              .join(', ')})`
          : ''
      }${src}`,
    );
  });
}

/** `sshd -T` output to a key -> value map (keys lowercase, as sshd prints them). */
export function parseSshdT(out: string): Map<string, string> {
  return new Map(
    out.split('\n').flatMap((l) => {
      const m = l.match(/^(\S+)\s+(.*)$/);
      return m ? [[m[1]!.toLowerCase(), m[2]!] as [string, string]] : [];
    }),
  );
}

/**
 * `-C` connection specs that select each Match block: `Match User x` / `Address a` /
 * `LocalPort p` (Group needs a member, which sshd resolves itself: root's groups are tried).
 */
export function connectionSpecs(matches: readonly MatchBlock[]): { label: string; spec: string; user: string }[] {
  const base = { user: 'root', host: 'localhost', addr: '127.0.0.1', laddr: '127.0.0.1', lport: '22' };
  const specs = [
    {
      label: 'root',
      user: 'root',
      spec: Object.entries(base)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  ];
  for (const m of matches.slice(0, 8)) {
    const c = { ...base };
    const words = m.criteria.split(/\s+/);
    for (let i = 0; i + 1 < words.length; i += 2) {
      const [k, v] = [words[i]!.toLowerCase(), words[i + 1]!.split(',')[0]!.replace(/^!/, '')];
      if (k === 'user') c.user = v.replace(/[*?]/g, 'x');
      else if (k === 'address') c.addr = v.replace(/\/\d+$/, '').replace(/\*/g, '1');
      else if (k === 'host') c.host = v.replace(/\*/g, 'x');
      else if (k === 'localport') c.lport = v;
      else if (k === 'localaddress') c.laddr = v.replace(/\/\d+$/, '');
    }
    specs.push({
      label: `Match ${m.criteria}`,
      user: c.user,
      spec: Object.entries(c)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    });
  }
  return specs;
}

/** When the running sshd listener started (seconds since epoch), from its pid file and /proc. */
async function daemonStart(system: SystemReader, pidFile: string): Promise<number | null> {
  const pid = (await system.readFile(pidFile))?.trim();
  if (!pid || !/^\d+$/.test(pid)) return null;
  const [stat, procStat] = await Promise.all([system.readFile(`/proc/${pid}/stat`), system.readFile('/proc/stat')]);
  // Field 22 (after the parenthesised name) is the start time in clock ticks after boot;
  // /proc reports ticks at USER_HZ, 100 on every Linux ABI.
  const ticks = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  const btime = procStat?.match(/^btime (\d+)$/m)?.[1];
  return ticks && btime ? Number(btime) + Number(ticks) / 100 : null;
}

const ALL_IDS = Object.values(IDS);

/**
 * `sshd -T` answers (plain and per `-C` connection), kept per reader while nothing they are
 * computed from changed: the sshd binary, every config file read (Includes resolved), /etc/ssh
 * (its mtime moves when a host key or drop-in appears or goes), the host keys it named, and
 * passwd/group (Match User/Group). sshd -T costs ~12 ms of CPU per run and a host with Match
 * blocks runs it several times per cycle. Timeouts and absent binaries are never kept.
 */
const sshdKept = new WeakMap<object, { base: string; hostKeys: string; at: Date; runs: Map<string, CommandResult> }>();

/** The host keys an sshd -T answer named (`hostkey /etc/ssh/ssh_host_ed25519_key`). */
const hostKeysOf = (runs: ReadonlyMap<string, CommandResult>) => [...new Set([...runs.values()].flatMap((r) => (r.kind === 'ok' ? [...r.stdout.matchAll(/^hostkey (\S+)$/gm)].map((m) => m[1]!) : [])))];

/** Runs sshd with these args, or answers from the kept runs when nothing they read changed. */
async function sshdRunner(system: SystemReader, files: readonly string[], cacheable: boolean): Promise<{ run(args: string[]): Promise<CommandResult>; keep(): Promise<void>; reusedFrom: Date | null }> {
  // Stamped before the runs: a file changed while sshd reads it changes the stamp for next cycle.
  const base = await filesStamp(system, ['/usr/sbin/sshd', '/usr/bin/sshd', '/usr/local/sbin/sshd', ...files, '/etc/ssh', '/etc/passwd', '/etc/group']);
  const kept = cacheable ? sshdKept.get(system) : undefined;
  const valid = kept && kept.base === base && kept.hostKeys === (await filesStamp(system, hostKeysOf(kept.runs))) ? kept : undefined;
  const runs = new Map<string, CommandResult>();
  let reused = false;
  return {
    async run(args) {
      const key = args.join('\0');
      const hit = valid?.runs.get(key);
      if (hit) {
        reused = true;
        runs.set(key, hit);
        return hit;
      }
      const r = await system.run('sshd', args);
      runs.set(key, r);
      return r;
    },
    async keep() {
      if (!cacheable || [...runs.values()].some((r) => r.kind !== 'ok')) {
        sshdKept.delete(system);
        return;
      }
      if (reused && runs.size === valid?.runs.size) return;
      sshdKept.set(system, { base, hostKeys: await filesStamp(system, hostKeysOf(runs)), at: reused ? valid!.at : system.now(), runs });
    },
    get reusedFrom() {
      return reused ? valid!.at : null;
    },
  };
}

export const sshFamily: CheckFamily = {
  name: 'ssh',
  ids: ALL_IDS,
  platforms: ['linux'],
  async run(ctx) {
    const { system } = ctx;
    const limits = { maxIdleSeconds: ctx.param(IDS.idle, 'maxIdleSeconds'), maxAuthTries: ctx.param(IDS.tries, 'maxAuthTries') };
    const values = new Map<string, string>();
    const matches: MatchBlock[] = [];
    const files: string[] = [];
    await readSshdConfig(system, CONFIG, values, 0, matches, files);
    // An Include inside a Match block is not followed by readSshdConfig: its files are not stamped.
    const sshd = await sshdRunner(system, files, !matches.some((m) => m.values.has('include')));
    const t = await sshd.run(['-T']);
    const out = okOut(t);
    if (out === null && files.length === 0 && t.kind === 'not-found') {
      return ALL_IDS.map((id) => pass(id, 'no SSH server installed (no sshd, no /etc/ssh/sshd_config)'));
    }
    let outcomes: CheckOutcome[];
    if (out !== null) {
      const variants: { label: string; values: Map<string, string>; user: string }[] = [];
      for (const c of connectionSpecs(matches)) {
        const r = okOut(await sshd.run(['-T', '-C', c.spec]));
        if (r !== null) variants.push({ label: c.label, values: parseSshdT(r), user: c.user });
      }
      const reused = sshd.reusedFrom ? ` (run at ${sshd.reusedFrom.toISOString()}; binary, config files and host keys unchanged since)` : '';
      outcomes = judgeSshd({ values: parseSshdT(out), source: `sshd -T${variants.length ? ` and -C for ${variants.length} connection(s)` : ''}${reused}`, variants }, limits);
    } else {
      const specs = connectionSpecs(matches).slice(1);
      const variants = matches.slice(0, 8).map((m, i) => ({ label: `Match ${m.criteria}`, values: new Map([...values, ...m.values]), user: specs[i]!.user }));
      outcomes = judgeSshd({ values, source: `${CONFIG} read as files (${whyFailed('sshd -T', t)})`, variants }, limits);
    }
    await sshd.keep();
    // Is what we judged what the daemon enforces? Files newer than the listener are not.
    const started = await daemonStart(system, values.get('pidfile') ?? '/run/sshd.pid');
    const mtimes = await Promise.all(files.map(async (f) => ({ f, m: (await system.stat(f))?.mtime.getTime() ?? 0 })));
    const newer = started === null ? [] : mtimes.filter((x) => x.m / 1000 > started + 1);
    let loaded: CheckOutcome;
    if (started === null) loaded = pass(IDS.loaded, 'no running sshd listener (no pid file): the files are what the next start enforces');
    else if (!newer.length) loaded = pass(IDS.loaded, `sshd running since ${new Date(started * 1000).toISOString()}; its ${files.length} config file(s) are older`);
    else {
      const ev = `${newer.map((x) => `${x.f} changed ${new Date(x.m).toISOString()}`).join(', ')} after sshd started (${new Date(started * 1000).toISOString()})`;
      loaded = fail(IDS.loaded, `${ev}: the running daemon still enforces the old settings; reload sshd (systemctl reload ssh)`);
      // What the files say is not yet enforced: a passing file result is not known to hold.
      outcomes = outcomes.map((o) => (o.result === 'pass' ? unknown(o.id, `${o.evidence}; but ${ev}: the running sshd may enforce older settings`) : o));
    }
    return [...outcomes, loaded];
  },
};
