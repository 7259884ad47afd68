/**
 * ClamAV configuration and signature database: where clamd's config is, what it says, and how
 * old the signatures in its DatabaseDirectory are.
 */
import type { SystemReader } from '../../../system.js';
import type { ProcessTable } from '../../common/processes.js';

/** Official signature containers: they start with a `ClamAV-VDB:` header that carries the build time. */
const CONTAINER = /\.(cvd|cld|cud)$/i;
/** Plain signature files a site writes itself (no header: their age is their modification time). */
const PLAIN = /\.(hdb|hsb|hdu|hsu|mdb|msb|mdu|msu|ndb|ndu|ldb|ldu|idb|cdb|cbc|pdb|gdb|wdb|ftm|fp|sfp|ign|ign2|yara|yar|crb|cat|pwdb|imp)$/i;
const DEFAULT_CONFIGS = ['/etc/clamav/clamd.conf', '/etc/clamd.d/scan.conf', '/usr/local/etc/clamd.conf', '/etc/clamd.conf'];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The 512-byte header of a CVD/CLD/CUD file, e.g. (a real daily.cvd)
 * `ClamAV-VDB:16 Apr 2020 07-58 -0400:25784:2267600:63:<md5>:<dsig>:raynman:1587038339`:
 * type, build time, version, signatures, functionality level, md5, digital signature, builder,
 * build time in seconds. The last field is preferred; the printed time (`%d %b %Y %H-%M %z`) is
 * the fallback. Anything else is not a header (null), never a guess.
 */
export function parseCvdHeader(head: string): { version: string; built: Date } | null {
  const parts = head
    .slice(0, 512)
    .split('\n')[0]!
    .replace(/[\0 ]+$/, '')
    .split(':');
  if (parts[0] !== 'ClamAV-VDB' || parts.length < 4) return null;
  const version = parts[2]!;
  if (!/^\d+$/.test(version)) return null;
  const stime = parts.length >= 9 && /^\d+$/.test(parts[8]!) ? Number(parts[8]) : 0;
  if (stime > 0) return { version, built: new Date(stime * 1000) };
  const m = parts[1]!.match(/^(\d{1,2}) (\w{3}) (\d{4}) (\d{2})-(\d{2}) ([+-])(\d{2})(\d{2})$/);
  const month = m ? MONTHS.indexOf(m[2]!) : -1;
  if (!m || month < 0) return null;
  const offsetMin = (m[6] === '-' ? -1 : 1) * (+m[7]! * 60 + +m[8]!);
  const built = new Date(Date.UTC(+m[3]!, month, +m[1]!, +m[4]!, +m[5]!) - offsetMin * 60_000);
  return Number.isNaN(built.getTime()) ? null : { version, built };
}

/** Every value of a repeatable clamd.conf directive (e.g. OnAccessIncludePath), in file order. */
export function confValues(conf: string | null, key: string): string[] {
  if (!conf) return [];
  const re = new RegExp(`^\\s*${key}\\s+(.+?)\\s*$`, 'gm');
  return [...conf.matchAll(re)].map((m) => m[1]!.replace(/^"(.*)"$/, '$1'));
}

/** The value of a clamd.conf directive (last one wins, as in clamd), or null. */
export function confValue(conf: string | null, key: string): string | null {
  return confValues(conf, key).at(-1) ?? null;
}

/**
 * The socket clamd listens on per its config: LocalSocket, else TCPSocket on TCPAddr (the first
 * one; clamd's default is every address, asked here on loopback).
 */
export function socketOf(conf: string | null): string | null {
  const local = confValue(conf, 'LocalSocket');
  if (local) return local;
  const port = confValue(conf, 'TCPSocket');
  if (!port || !/^\d+$/.test(port)) return null;
  const addr = confValues(conf, 'TCPAddr')[0] ?? '127.0.0.1';
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** The config file given on a clamd/clamonacc command line (`-c FILE`, `--config-file=FILE`). */
export function configFromArgs(argv: readonly string[]): string | null {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === '-c' || a === '--config-file') && argv[i + 1]) return argv[i + 1]!;
    if (a.startsWith('--config-file=')) return a.slice('--config-file='.length);
    if (a.startsWith('-c') && a.length > 2 && !a.startsWith('--')) return a.slice(2);
  }
  return null;
}

export interface ClamdConfig {
  /** The file read, or null when none was found. */
  file: string | null;
  text: string | null;
  /** How the file was chosen, for the evidence. */
  how: string;
}

/** Find the config the running clamd uses (its `-c` argument), else the first default that exists. */
export async function findClamdConfig(system: SystemReader, processes: ProcessTable): Promise<ClamdConfig> {
  const pids = processes.pids('clamd');
  // Several clamd instances are rare; the first one started with an explicit config is judged.
  const others = (pid: string) => (pids.length > 1 ? ` (${pids.length} clamd processes: ${pids.filter((p) => p !== pid).join(', ')} not judged)` : '');
  for (const pid of pids) {
    const argv = await processes.cmdline(pid);
    const file = argv ? configFromArgs(argv) : null;
    if (file) {
      const text = await system.readFile(file);
      return { file, text, how: `clamd pid ${pid} runs with -c ${file}${text === null ? ', which cannot be read' : ''}${others(pid)}` };
    }
  }
  for (const file of DEFAULT_CONFIGS) {
    const text = await system.readFile(file);
    if (text !== null) return { file, text, how: `default config ${file}` };
  }
  return { file: null, text: null, how: 'no clamd.conf found' };
}

export interface ClamDatabase {
  dir: string;
  /** The official containers found, with their header's version and build time. */
  containers: { file: string; version: string; built: Date }[];
  /** The newest official container (its build time is the database's date). */
  newest: { file: string; version: string; built: Date } | null;
  evidence: string;
}

/**
 * Read the signature database on disk: the header of every official container (daily, main,
 * bytecode .cvd/.cld/.cud). Plain signature files (.hdb, .ndb, ... written by a site or copied
 * in) carry no build date: their modification time says when the file was touched, not how old
 * the signatures are, so they never date the database.
 */
export async function readDatabase(system: SystemReader, dir: string): Promise<ClamDatabase> {
  const entries = await system.readDir(dir);
  if (entries === null) return { dir, containers: [], newest: null, evidence: `database directory ${dir} does not exist or cannot be read` };
  const containers: ClamDatabase['containers'] = [];
  const bad: string[] = [];
  const names = entries.filter((x) => CONTAINER.test(x)).sort();
  const heads = await Promise.all(names.map((f) => system.readHead(`${dir}/${f}`, 512)));
  names.forEach((f, i) => {
    const h = heads[i] ? parseCvdHeader(heads[i]) : null;
    if (h) containers.push({ file: f, version: h.version, built: h.built });
    else bad.push(f);
  });
  const newest = containers.reduce<ClamDatabase['newest']>((a, c) => (!a || c.built > a.built ? c : a), null);
  const badNote = bad.length ? `; not a ClamAV database header: ${bad.join(', ')}` : '';
  const plain = entries.filter((x) => PLAIN.test(x));
  const plainNote = plain.length ? `; ${plain.length} plain signature file(s) (${plain.slice(0, 4).join(', ')}) without build date` : '';
  if (newest) return { dir, containers, newest, evidence: `database ${dir}: newest official header ${newest.file} version ${newest.version} built ${newest.built.toISOString()}${badNote}${plainNote}` };
  return { dir, containers, newest, evidence: `database ${dir}: no official ClamAV database (CVD/CLD/CUD)${badNote}${plainNote}` };
}
