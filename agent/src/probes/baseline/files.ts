/**
 * Ownership and mode of the account databases (files.passwd, files.shadow, files.group,
 * files.gshadow) and of the log files the syslog daemon writes (logging.file_permissions), from
 * stat(2) of the files themselves after symlinks (what open() reaches), the agent's own call:
 * the `stat` tool would make the same call from a child process. Group names come from
 * /etc/group (the groups these files may have, root, shadow and adm, are local ones; a group
 * only a directory service knows is named by its id). The log files are those named as file
 * actions in rsyslog's configuration (the daemon writes where it is told, not only
 * /var/log/syslog), plus the usual ones that exist.
 */
import type { FileStat, SystemReader } from '../../system.js';
import type { CheckFamily, CheckOutcome } from './check.js';
import { fail, pass, unknown } from './check.js';

export interface FileMode {
  /** Permission bits (`st_mode & 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  /** The group's name from /etc/group, else `gid N`. */
  group: string;
  path: string;
}

/** gid -> group name, from /etc/group (`name:password:gid:members`). */
export function groupNames(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && /^\d+$/.test(f[2]!) && !out.has(Number(f[2]))) out.set(Number(f[2]), f[0]!);
  }
  return out;
}

/** A path's mode and owners from stat(2), or undefined when the reader gave no mode. */
export function fileMode(path: string, st: FileStat | null, groups: ReadonlyMap<number, string>): FileMode | undefined {
  if (!st || st.mode === undefined || st.uid === undefined || st.gid === undefined) return undefined;
  return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, group: groups.get(st.gid) ?? `gid ${st.gid}`, path };
}

interface Rule {
  id: string;
  path: string;
  maxMode: number;
  groups: string[];
}
const RULES: Rule[] = [
  { id: 'files.passwd', path: '/etc/passwd', maxMode: 0o644, groups: ['root'] },
  { id: 'files.group', path: '/etc/group', maxMode: 0o644, groups: ['root'] },
  { id: 'files.shadow', path: '/etc/shadow', maxMode: 0o640, groups: ['root', 'shadow'] },
  { id: 'files.gshadow', path: '/etc/gshadow', maxMode: 0o640, groups: ['root', 'shadow'] },
];
const LOG = 'logging.file_permissions';
export const FILE_IDS = [...RULES.map((r) => r.id), LOG];
const oct = (n: number) => n.toString(8).padStart(3, '0');

/** Files rsyslog writes to: `*.* /var/log/x`, `-/var/log/x`, `action(type="omfile" file="...")`. */
export async function rsyslogFiles(system: SystemReader): Promise<string[]> {
  const main = (await system.readFile('/etc/rsyslog.conf')) ?? '';
  const names = ((await system.readDir('/etc/rsyslog.d')) ?? []).filter((n) => n.endsWith('.conf')).sort();
  const texts = [main, ...(await Promise.all(names.map((n) => system.readFile(`/etc/rsyslog.d/${n}`)))).map((t) => t ?? '')];
  const out = new Set<string>();
  for (const t of texts) {
    for (const raw of t.split('\n')) {
      const line = raw.replace(/#.*$/, '').trim();
      const legacy = line.match(/^\S+\s+-?(\/[^\s;]+)\s*$/);
      if (legacy && !line.startsWith('$') && !line.startsWith('module')) out.add(legacy[1]!);
      for (const m of line.matchAll(/\bfile\s*=\s*"(\/[^"]+)"/g)) out.add(m[1]!);
    }
  }
  return [...out].filter((p) => !p.startsWith('/dev/'));
}

export function judgeFile(r: Rule, st: FileMode | undefined): CheckOutcome {
  if (!st) return unknown(r.id, `${r.path}: cannot stat`);
  const problems: string[] = [];
  if (st.uid !== 0) problems.push(`owner uid ${st.uid}, not root`);
  if (!r.groups.includes(st.group)) problems.push(`group ${st.group}, not ${r.groups.join(' or ')}`);
  if (st.mode & ~r.maxMode & 0o7777) problems.push(`mode ${oct(st.mode)} wider than ${oct(r.maxMode)}`);
  const ev = `${r.path}: mode ${oct(st.mode)}, uid ${st.uid}, group ${st.group}`;
  return problems.length ? fail(r.id, `${ev}: ${problems.join('; ')}; fix with chown root:${r.groups.at(-1)} and chmod ${oct(r.maxMode)}`) : pass(r.id, ev);
}

/** Up to 8 journal files of journald's persistent storage. */
async function journalFiles(system: SystemReader): Promise<string[]> {
  const out: string[] = [];
  for (const d of ((await system.readDir('/var/log/journal')) ?? []).slice(0, 4)) {
    for (const f of ((await system.readDir(`/var/log/journal/${d}`)) ?? []).filter((n) => n.endsWith('.journal')).slice(0, 2)) out.push(`/var/log/journal/${d}/${f}`);
  }
  return out;
}

export const filesFamily: CheckFamily = {
  name: 'files',
  ids: FILE_IDS,
  platforms: ['linux'],
  async run({ system, processes }) {
    const logs = await rsyslogFiles(system);
    const usual = ['/var/log/syslog', '/var/log/messages', '/var/log/auth.log', '/var/log/secure', '/var/log/kern.log'];
    const candidates = [...new Set([...logs, ...usual])];
    const syslog = ['rsyslogd', 'syslog-ng', 'syslogd'].some((p) => processes.has(p)) || logs.length > 0;
    // journald alone: its own files are the logs on disk.
    const journals = syslog ? [] : await journalFiles(system);
    const [groupText, ruleStats, candidateStats, journalStats] = await Promise.all([
      system.readFile('/etc/group'),
      Promise.all(RULES.map((x) => system.stat(x.path))),
      Promise.all(candidates.map((p) => system.stat(p))),
      Promise.all(journals.map((p) => system.stat(p))),
    ]);
    if (groupText === null) return FILE_IDS.map((id) => unknown(id, '/etc/group unreadable: cannot name the groups that own the files (run the agent as root)'));
    const groups = groupNames(groupText);
    const results = RULES.map((x, i) => judgeFile(x, fileMode(x.path, ruleStats[i]!, groups)));
    // A file gone since it was listed (a journal rotated away) has no mode to judge.
    const present = [...candidates.map((p, i) => [p, candidateStats[i]!] as const), ...journals.map((p, i) => [p, journalStats[i]!] as const)].filter(([, st]) => st !== null);
    if (!present.length) {
      results.push(syslog ? unknown(LOG, `no log file found among ${candidates.slice(0, 6).join(', ')}`) : pass(LOG, 'no log file on disk: no syslog daemon configured, no journal file in /var/log/journal'));
    } else {
      const modes = present.map(([p, st]) => ({ path: p, st: fileMode(p, st, groups) }));
      // Others may read nothing; the group may read (adm on Debian), never write.
      const bad = modes.flatMap(({ st }) => (st && (st.mode & 0o037) !== 0 ? [st] : []));
      const ev = modes.map(({ path, st }) => (st ? `${path} ${oct(st.mode)} uid ${st.uid} ${st.group}` : `${path} ?`)).join('; ');
      if (bad.length) results.push(fail(LOG, `${ev}: ${bad.map((s) => s.path).join(', ')} readable or writable beyond owner and group; set $FileCreateMode 0640 in rsyslog.conf and chmod 0640`));
      else if (modes.some(({ st }) => !st)) results.push(unknown(LOG, `${ev}: the mode of a log file could not be read`));
      else results.push(pass(LOG, ev));
    }
    return results;
  },
};
