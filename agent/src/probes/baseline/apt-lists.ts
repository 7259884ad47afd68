/**
 * Pending security updates on apt systems without running apt's resolver: a package is pending
 * when its installed version (dpkg's status file, what is really installed) is lower than the
 * version a *-security suite offers for the same name and architecture (apt's downloaded
 * lists). This is what `apt-get -s dist-upgrade` reports from a security suite for installed
 * packages, at ~1/20 of its CPU (bench/baseline-probe.mjs). New packages pulled in by an update
 * (a kernel ABI bump) are covered by their installed metapackage (linux-image-amd64), whose
 * version rises in the same suite.
 *
 * Suites are told apart by their signed Release file (InRelease/Release: `Suite:` or
 * `Codename:` ending in `-security`, or `Label: *-Security`), not by the list's file name, so
 * a local mirror of the security archive counts too.
 */
import type { CommandResult, SystemReader } from '../../system.js';

export const LISTS = '/var/lib/apt/lists';
export const DPKG_STATUS = '/var/lib/dpkg/status';
/** apt's own reader: decompresses every format apt stores lists in (lz4, gz, xz, zst...). */
const APT_HELPER = '/usr/lib/apt/apt-helper';

/** Debian version ordering (deb-version(7)): epoch, upstream, revision; `~` sorts first. */
export function compareDebVersions(a: string, b: string): number {
  const split = (v: string) => {
    const colon = v.indexOf(':');
    const epoch = colon > 0 ? Number(v.slice(0, colon)) : 0;
    const rest = colon > 0 ? v.slice(colon + 1) : v;
    const dash = rest.lastIndexOf('-');
    return { epoch, upstream: dash >= 0 ? rest.slice(0, dash) : rest, revision: dash >= 0 ? rest.slice(dash + 1) : '0' };
  };
  const order = (c: string | undefined) => (c === undefined ? 0 : c === '~' ? -1 : /[A-Za-z]/.test(c) ? c.charCodeAt(0) : c.charCodeAt(0) + 256);
  const part = (x: string, y: string): number => {
    let i = 0;
    let j = 0;
    while (i < x.length || j < y.length) {
      // Non-digit prefix, compared character by character with dpkg's order.
      while ((i < x.length && !/\d/.test(x[i]!)) || (j < y.length && !/\d/.test(y[j]!))) {
        const cx = i < x.length && !/\d/.test(x[i]!) ? x[i] : undefined;
        const cy = j < y.length && !/\d/.test(y[j]!) ? y[j] : undefined;
        const d = order(cx) - order(cy);
        if (d) return d;
        if (cx !== undefined) i++;
        if (cy !== undefined) j++;
      }
      let nx = '';
      let ny = '';
      while (i < x.length && /\d/.test(x[i]!)) nx += x[i++];
      while (j < y.length && /\d/.test(y[j]!)) ny += y[j++];
      const d = Number(nx || 0) - Number(ny || 0);
      if (d) return d;
    }
    return 0;
  };
  const va = split(a);
  const vb = split(b);
  return va.epoch - vb.epoch || part(va.upstream, vb.upstream) || part(va.revision, vb.revision);
}

/**
 * The stanzas of a large deb822 file (dpkg status, Packages lists: megabytes), reduced to the
 * few fields asked for without splitting the text into lines: one regex walks the field lines
 * that matter, and a `Package:` line starts the next stanza. Keeps the agent's peak memory low.
 */
export function* packageStanzas(text: string, fields: readonly string[]): Generator<Record<string, string>> {
  const rx = new RegExp(`^(Package|${fields.join('|')}): *(.*)$`, 'gm');
  let cur: Record<string, string> | null = null;
  for (const m of text.matchAll(rx)) {
    if (m[1] === 'Package') {
      if (cur) yield cur;
      cur = { Package: m[2]! };
    } else if (cur) cur[m[1]!] = m[2]!;
  }
  if (cur) yield cur;
}

/**
 * A copy of a string that shares no memory with the text it was cut from: V8 keeps a whole
 * multi-megabyte list alive behind every substring of it, and these results are cached.
 */
const own = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

/** Installed packages (`install ok installed` or held): `name:arch` -> version. */
export function installedPackages(status: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of packageStanzas(status, ['Status', 'Version', 'Architecture'])) {
    if (!s.Version || !/ installed$/.test(s.Status ?? '')) continue;
    out.set(own(`${s.Package}:${s.Architecture ?? 'all'}`), own(s.Version));
  }
  return out;
}

const installedCache = new WeakMap<object, { key: string; installed: Map<string, string> }>();

/**
 * Installed packages, parsed once per change of dpkg's status file (mtime and size) for a given
 * reader: the file is ~800 kB on a server and several checks need it every cycle.
 */
export async function installedCached(system: SystemReader): Promise<Map<string, string> | null> {
  const st = await system.stat(DPKG_STATUS);
  if (!st) return null;
  const key = `${st.mtime.getTime()}/${st.size}`;
  const hit = installedCache.get(system);
  if (hit?.key === key) return hit.installed;
  const text = await system.readFile(DPKG_STATUS);
  if (text === null) return null;
  const installed = installedPackages(text);
  installedCache.set(system, { key, installed });
  return installed;
}

const dumpCache = new WeakMap<object, Promise<CommandResult>>();
/** `apt-config dump`, run once per cycle (per BaselineContext) for the families that read it. */
export function aptConfigDump(ctx: { system: SystemReader }): Promise<CommandResult> {
  let p = dumpCache.get(ctx);
  if (!p) dumpCache.set(ctx, (p = ctx.system.run('apt-config', ['dump'])));
  return p;
}

/** Whether a Release/InRelease text describes a security suite. */
export function isSecurityRelease(text: string): boolean {
  const field = (k: string) => text.match(new RegExp(`^${k}:\\s*(.+)$`, 'm'))?.[1]?.trim() ?? '';
  return /-security$/i.test(field('Suite')) || /-security$/i.test(field('Codename')) || /-security$/i.test(field('Label'));
}

export interface SecurityPending {
  /** `name (installed -> offered)` for each installed package with a higher security version. */
  pending: string[];
  /** The security lists read. */
  lists: string[];
  /** Lists that could not be read, with why: the answer is incomplete when any. */
  unreadable: string[];
}

async function listText(system: SystemReader, path: string): Promise<string | null> {
  if (!/\.(lz4|gz|xz|bz2|zst|lzma)$/.test(path)) return system.readFile(path);
  const r = await system.run(APT_HELPER, ['cat-file', path], { timeoutMs: 10_000 });
  return r.kind === 'ok' && r.code === 0 ? r.stdout : null;
}

/** Compare dpkg's installed versions with every security suite's Packages lists. */
export async function securityPending(system: SystemReader, status: string | Map<string, string>): Promise<SecurityPending> {
  const names = (await system.readDir(LISTS)) ?? [];
  const releases = names.filter((n) => /_(InRelease|Release)$/.test(n));
  const securityPrefixes: string[] = [];
  for (const r of releases) {
    const text = await system.readHead(`${LISTS}/${r}`, 4096);
    if (text && isSecurityRelease(text)) securityPrefixes.push(r.replace(/_(InRelease|Release)$/, '_'));
  }
  const lists = names.filter((n) => securityPrefixes.some((p) => n.startsWith(p)) && /_Packages(\.\w+)?$/.test(n));
  const installed = typeof status === 'string' ? installedPackages(status) : status;
  const pending = new Map<string, string>();
  const unreadable: string[] = [];
  for (const l of lists) {
    const text = await listText(system, `${LISTS}/${l}`);
    if (text === null) {
      unreadable.push(l);
      continue;
    }
    for (const s of packageStanzas(text, ['Version', 'Architecture'])) {
      const have = installed.get(`${s.Package}:${s.Architecture ?? 'all'}`);
      if (have && s.Version && compareDebVersions(s.Version, have) > 0) {
        const seen = pending.get(s.Package!);
        if (!seen || compareDebVersions(s.Version, seen.split(' -> ')[1]!) > 0) pending.set(own(s.Package!), own(`${have} -> ${s.Version}`));
      }
    }
  }
  return { pending: [...pending].map(([n, v]) => `${n} (${v})`).sort(), lists, unreadable };
}
