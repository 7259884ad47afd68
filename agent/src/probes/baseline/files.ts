/**
 * Ownership and mode of the account databases (files.passwd, files.shadow, files.group,
 * files.gshadow) and of the log files the syslog daemon writes (logging.file_permissions), read
 * with one `stat -L -c` of the files themselves (after symlinks: what open() reaches). The log
 * files are those named as file actions in rsyslog's configuration (the daemon writes where it
 * is told, not only /var/log/syslog), plus the usual ones that exist.
 */
import type { SystemReader } from '../../system.js';
import type { CheckFamily, CheckOutcome } from './check.js';
import { fail, pass, unknown, whyFailed } from './check.js';

export interface FileMode {
  mode: number;
  uid: number;
  gid: number;
  group: string;
  path: string;
}

/** `stat -L -c '%a %u %g %G %n'` lines. */
export function parseStat(text: string): Map<string, FileMode> {
  const out = new Map<string, FileMode>();
  for (const l of text.split('\n')) {
    const m = l.match(/^([0-7]+) (\d+) (\d+) (\S+) (.+)$/);
    if (m) out.set(m[5]!, { mode: parseInt(m[1]!, 8), uid: Number(m[2]), gid: Number(m[3]), group: m[4]!, path: m[5]! });
  }
  return out;
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
    const present = [...(await Promise.all(candidates.map(async (p) => ((await system.stat(p)) ? p : null)))).filter((p): p is string => p !== null), ...journals];
    const r = await system.run('stat', ['-L', '-c', '%a %u %g %G %n', ...RULES.map((x) => x.path), ...present]);
    // stat exits 1 when one file is missing but still prints the others.
    const out = r.kind === 'ok' ? r.stdout : null;
    if (out === null) return FILE_IDS.map((id) => unknown(id, whyFailed('stat', r)));
    const st = parseStat(out);
    const results = RULES.map((x) => judgeFile(x, st.get(x.path)));
    if (!present.length) {
      results.push(syslog ? unknown(LOG, `no log file found among ${candidates.slice(0, 6).join(', ')}`) : pass(LOG, 'no log file on disk: no syslog daemon configured, no journal file in /var/log/journal'));
    } else {
      // Others may read nothing; the group may read (adm on Debian), never write.
      const bad = present.map((p) => st.get(p)).filter((s): s is FileMode => !!s && (s.mode & 0o037) !== 0);
      const ev = present
        .map((p) => {
          const s = st.get(p);
          return s ? `${p} ${oct(s.mode)} uid ${s.uid} ${s.group}` : `${p} ?`;
        })
        .join('; ');
      results.push(bad.length ? fail(LOG, `${ev}: ${bad.map((s) => s.path).join(', ')} readable or writable beyond owner and group; set $FileCreateMode 0640 in rsyslog.conf and chmod 0640`) : pass(LOG, ev));
    }
    return results;
  },
};
