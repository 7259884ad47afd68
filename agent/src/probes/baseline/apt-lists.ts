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
import { filesStamp } from '../common/file-stamp.js';

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
 * The stanzas of a deb822 file (dpkg status, Packages lists: megabytes), fed one line at a time
 * and reduced to the few fields asked for: a `Package:` line starts the next stanza, other
 * fields (and continuation lines) are skipped. Lines come from SystemReader.readLines/runLines,
 * so no list is ever held whole: the agent's peak memory stays that of one read chunk.
 */
export class StanzaReader {
  private cur: Record<string, string> | null = null;
  private readonly wanted: ReadonlySet<string>;

  constructor(
    fields: readonly string[],
    private readonly onStanza: (stanza: Record<string, string>) => void,
  ) {
    this.wanted = new Set(fields);
  }

  /** One line of the file, without its newline. */
  readonly line = (l: string): void => {
    const colon = l.indexOf(':');
    // Continuation lines start with a space; field names never contain one.
    if (colon <= 0 || l.charCodeAt(0) === 32 || l.charCodeAt(0) === 9) return;
    const name = l.slice(0, colon);
    if (name === 'Package') {
      if (this.cur) this.onStanza(this.cur);
      this.cur = { Package: value(l, colon) };
    } else if (this.cur && this.wanted.has(name)) this.cur[name] = value(l, colon);
  };

  /** After the last line: hands out the last stanza. */
  end(): void {
    if (this.cur) this.onStanza(this.cur);
    this.cur = null;
  }
}

/** A field's value: after the colon, leading spaces dropped. */
function value(line: string, colon: number): string {
  let i = colon + 1;
  while (line.charCodeAt(i) === 32) i++;
  return line.slice(i);
}

/** The stanzas of a deb822 text already in memory (tests, small files). */
export function packageStanzas(text: string, fields: readonly string[]): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  const r = new StanzaReader(fields, (st) => out.push(st));
  for (const l of text.split('\n')) r.line(l.endsWith('\r') ? l.slice(0, -1) : l);
  r.end();
  return out;
}

/**
 * A copy of a string that shares no memory with the text it was cut from: V8 keeps a whole
 * read chunk alive behind every substring of it, and these results are cached.
 */
const own = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

const INSTALLED_FIELDS = ['Status', 'Version', 'Architecture'];
/** Adds a dpkg status stanza to `out` when it is installed (`install ok installed` or held): `name:arch` -> version. */
const addInstalled = (out: Map<string, string>) => (s: Record<string, string>) => {
  if (!s.Version || !/ installed$/.test(s.Status ?? '')) return;
  out.set(own(`${s.Package}:${s.Architecture ?? 'all'}`), own(s.Version));
};

/** Installed packages of a dpkg status text: `name:arch` -> version. */
export function installedPackages(status: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of packageStanzas(status, INSTALLED_FIELDS)) addInstalled(out)(s);
  return out;
}

const installedCache = new WeakMap<object, { key: string; installed: Promise<Map<string, string> | null> }>();

/**
 * Installed packages, parsed once per change of dpkg's status file (mtime and size) for a given
 * reader: the file is ~800 kB on a server and several checks need it every cycle (families
 * running at the same time share the one read in flight).
 */
export async function installedCached(system: SystemReader): Promise<Map<string, string> | null> {
  const st = await system.stat(DPKG_STATUS);
  if (!st) return null;
  const key = `${st.mtime.getTime()}/${st.size}`;
  const hit = installedCache.get(system);
  if (hit?.key === key) return hit.installed;
  const installed = (async () => {
    const out = new Map<string, string>();
    const reader = new StanzaReader(INSTALLED_FIELDS, addInstalled(out));
    if (!(await system.readLines(DPKG_STATUS, reader.line))) return null;
    reader.end();
    return out;
  })();
  installedCache.set(system, { key, installed });
  const result = await installed;
  // An unreadable status is asked again next time.
  if (result === null && installedCache.get(system)?.installed === installed) installedCache.delete(system);
  return result;
}

const APT_CONF = '/etc/apt/apt.conf';
const APT_CONF_D = '/etc/apt/apt.conf.d';

/**
 * What `apt-config dump` reads: its own defaults (the binary), apt.conf, every file of
 * apt.conf.d (the directory's mtime changes when one is added, removed or renamed) and
 * $APT_CONFIG.
 */
async function aptConfigInputs(system: SystemReader): Promise<string> {
  const names = ((await system.readDir(APT_CONF_D)) ?? []).sort();
  return filesStamp(system, ['/usr/bin/apt-config', APT_CONF, APT_CONF_D, ...names.map((n) => `${APT_CONF_D}/${n}`), ...(process.env.APT_CONFIG ? [process.env.APT_CONFIG] : [])]);
}

/** The dump names the default places (a config that moves them elsewhere is not cached: its files are not watched). */
const defaultPlaces = (dump: string) => /^Dir::Etc::main "apt\.conf";$/m.test(dump) && /^Dir::Etc::parts "apt\.conf\.d\/?";$/m.test(dump) && /^Dir::Etc "\/?etc\/apt\/?";$/m.test(dump) && /^Dir "\/";$/m.test(dump);

const dumpCache = new WeakMap<object, Promise<CommandResult>>();
const dumpKept = new WeakMap<object, { inputs: string; dump: CommandResult }>();
/**
 * `apt-config dump`, run once per cycle (per BaselineContext) for the families that read it,
 * and only when what it reads changed since the last run by this reader (same files, same
 * mtimes and sizes: the same configuration); a failed run is never kept.
 */
export function aptConfigDump(ctx: { system: SystemReader }): Promise<CommandResult> {
  let p = dumpCache.get(ctx);
  if (!p) {
    const { system } = ctx;
    p = (async () => {
      const inputs = await aptConfigInputs(system);
      const kept = dumpKept.get(system);
      if (kept?.inputs === inputs) return kept.dump;
      const dump = await system.run('apt-config', ['dump']);
      if (dump.kind === 'ok' && dump.code === 0 && defaultPlaces(dump.stdout)) dumpKept.set(system, { inputs, dump });
      else dumpKept.delete(system);
      return dump;
    })();
    dumpCache.set(ctx, p);
  }
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

/** Feeds each line of a Packages list to `onLine`; compressed lists through apt's own reader. False when unreadable. */
async function listLines(system: SystemReader, path: string, onLine: (line: string) => void): Promise<boolean> {
  if (!/\.(lz4|gz|xz|bz2|zst|lzma)$/.test(path)) return system.readLines(path, onLine);
  const r = await system.runLines(APT_HELPER, ['cat-file', path], onLine, { timeoutMs: 10_000 });
  return r.kind === 'ok' && r.code === 0;
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
  /** Keeps in `into` the highest offered version above the installed one (`installed -> offered`). */
  const offer = (into: Map<string, string>, name: string, have: string, version: string) => {
    const seen = into.get(name);
    if (!seen || compareDebVersions(version, seen.split(' -> ')[1]!) > 0) into.set(own(name), own(`${have} -> ${version}`));
  };
  for (const l of lists) {
    // A list cut short (apt-helper failed half-way) answers nothing: what it offered so far is dropped.
    const found = new Map<string, string>();
    const reader = new StanzaReader(['Version', 'Architecture'], (s) => {
      const have = installed.get(`${s.Package}:${s.Architecture ?? 'all'}`);
      if (have && s.Version && compareDebVersions(s.Version, have) > 0) offer(found, s.Package!, have, s.Version);
    });
    if (!(await listLines(system, `${LISTS}/${l}`, reader.line))) {
      unreadable.push(l);
      continue;
    }
    reader.end();
    for (const [name, v] of found) offer(pending, name, ...(v.split(' -> ') as [string, string]));
  }
  return { pending: [...pending].map(([n, v]) => `${n} (${v})`).sort(), lists, unreadable };
}
