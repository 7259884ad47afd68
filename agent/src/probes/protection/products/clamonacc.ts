/**
 * ClamAV on-access scanning (clamonacc) as it is enforced, not as clamd.conf reads:
 * - the clamonacc process is alive (kernel state in /proc/<pid>/stat is not T = stopped,
 *   Z = zombie) and holds fanotify marks (/proc/<pid>/fdinfo: `fanotify mnt_id:` = a whole
 *   mount, `fanotify ino:` = one directory or file): without marks it watches nothing;
 * - what it watches is what ITS config says (the `-c` on its command line, else the default),
 *   plus `--watch-list`/`--exclude-list` files: OnAccessMountPath covers a whole mount (fanotify
 *   mount mark), OnAccessIncludePath a directory tree (through its dynamic directory
 *   determination; with `OnAccessDisableDDD yes` only the directory's own entries, and clamonacc
 *   refuses `/` as an include path), OnAccessExcludePath removes a tree;
 * - it sends files to a clamd that answers (its config's socket).
 * Real-time counts only when every path of `protection.onAccessMustCover` (default `/`) is covered.
 */
import type { SystemReader } from '../../../system.js';
import type { ProcessTable } from '../../common/processes.js';
import { configFromArgs, confValue, confValues, socketOf } from './clamav-db.js';

export interface OnAccessState {
  /** true: running, watching, covering every required path; false: not; null: could not tell. */
  covers: boolean | null;
  evidence: string[];
  /** Why covers is not true, in a few words. */
  problem: string | null;
  /** The clamd socket clamonacc sends files to. */
  socket: string | null;
}

const under = (path: string, root: string) => root === '/' || path === root || path.startsWith(`${root.replace(/\/+$/, '')}/`);

/** Mount points from /proc/self/mounts (octal escapes such as \040 decoded). */
export function mountPoints(mounts: string): string[] {
  return mounts
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m): m is string => Boolean(m))
    .map((m) => m.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

/** The mount that holds `path`: the longest mount point that is a prefix of it. */
export const mountOf = (path: string, points: readonly string[]) => points.filter((m) => under(path, m)).sort((a, b) => b.length - a.length)[0] ?? '/';

/** Kernel state letter of a process (third field of /proc/<pid>/stat), or null. */
export async function processState(system: SystemReader, pid: string): Promise<string | null> {
  const stat = await system.readFile(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || null;
}

/** fanotify marks a process holds, from /proc/<pid>/fdinfo of each of its fds. */
export async function fanotifyMarks(system: SystemReader, pid: string): Promise<{ mounts: number; inodes: number } | null> {
  const fds = await system.readDir(`/proc/${pid}/fd`);
  if (fds === null) return null;
  const infos = await Promise.all(fds.slice(0, 256).map((fd) => system.readFile(`/proc/${pid}/fdinfo/${fd}`)));
  let mounts = 0;
  let inodes = 0;
  for (const info of infos) {
    for (const line of (info ?? '').split('\n')) {
      if (line.startsWith('fanotify mnt_id:')) mounts++;
      else if (line.startsWith('fanotify ino:')) inodes++;
    }
  }
  return { mounts, inodes };
}

const list = (text: string | null) =>
  (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('/'));

export async function readOnAccess(system: SystemReader, processes: ProcessTable, mustCover: readonly string[]): Promise<OnAccessState> {
  const pids = processes.pids('clamonacc');
  if (!pids.length) return { covers: false, evidence: ['no clamonacc process: clamd scans on demand only (Debian: systemctl enable --now clamav-clamonacc)'], problem: 'clamonacc is not running', socket: null };
  const pid = pids[0]!;
  const evidence: string[] = [];
  const state = await processState(system, pid);
  if (state === 'T' || state === 't' || state === 'Z') {
    return { covers: false, evidence: [`clamonacc pid ${pid} is ${state === 'Z' ? 'a zombie' : 'stopped (SIGSTOP)'}: files are opened unscanned`], problem: 'clamonacc is stopped', socket: null };
  }
  const argv = (await processes.cmdline(pid)) ?? [];
  const confFile = configFromArgs(argv) ?? '/etc/clamav/clamd.conf';
  const conf = await system.readFile(confFile);
  if (conf === null) return { covers: null, evidence: [`clamonacc pid ${pid} config ${confFile} cannot be read`], problem: 'clamonacc config unreadable', socket: null };
  const arg = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? null;
  const watchList = arg('watch-list');
  const excludeList = arg('exclude-list');
  const [watchText, excludeText, mounts, marks] = await Promise.all([
    watchList ? system.readFile(watchList) : Promise.resolve(null),
    excludeList ? system.readFile(excludeList) : Promise.resolve(null),
    system.readFile('/proc/self/mounts'),
    fanotifyMarks(system, pid),
  ]);
  const mountPaths = confValues(conf, 'OnAccessMountPath');
  const includes = [...confValues(conf, 'OnAccessIncludePath'), ...list(watchText)];
  const excludes = [...confValues(conf, 'OnAccessExcludePath'), ...list(excludeText)];
  const ddd = !/^yes|true|1$/i.test(confValue(conf, 'OnAccessDisableDDD') ?? 'no');
  evidence.push(
    `clamonacc pid ${pid} (config ${confFile}${watchList ? `, --watch-list ${watchList}` : ''}): OnAccessMountPath ${mountPaths.join(', ') || '-'}; OnAccessIncludePath ${includes.join(', ') || '-'}; OnAccessExcludePath ${excludes.join(', ') || '-'}${ddd ? '' : '; OnAccessDisableDDD yes (include paths not recursive)'}`,
  );
  if (/^yes|true|1$/i.test(confValue(conf, 'OnAccessExcludeRootUID') ?? 'no')) evidence.push('OnAccessExcludeRootUID yes: files opened by root are not scanned');
  if (marks === null) evidence.push(`/proc/${pid}/fd not readable: the kernel's fanotify marks were not checked`);
  else {
    evidence.push(`kernel: clamonacc holds ${marks.mounts} fanotify mount mark(s) and ${marks.inodes} inode mark(s)`);
    if (marks.mounts + marks.inodes === 0) return { covers: false, evidence, problem: 'clamonacc holds no fanotify mark: it watches nothing', socket: socketOf(conf) };
  }
  const points = mountPoints(mounts ?? '');
  const coveredBy = (path: string): string | null => {
    if (excludes.some((e) => under(path, e))) return null;
    // Without the mount table a mount path is taken to cover only its own tree (never more).
    const m = mountPaths.find((mp) => (points.length ? mountOf(mp, points) === mountOf(path, points) : under(path, mp)));
    if (m) return `OnAccessMountPath ${m}`;
    const i = includes.find((inc) => inc !== '/' && (ddd ? under(path, inc) : path === inc));
    return i ? `OnAccessIncludePath ${i}` : null;
  };
  const missing = mustCover.filter((p) => !coveredBy(p));
  if (missing.length) {
    evidence.push(`on-access scanning does not cover ${missing.join(', ')} (protection.onAccessMustCover): files there are opened unscanned`);
    return { covers: false, evidence, problem: `on-access scanning does not cover ${missing.join(', ')}`, socket: socketOf(conf) };
  }
  evidence.push(`on-access scanning covers ${mustCover.map((p) => `${p} (${coveredBy(p)})`).join(', ')}`);
  return { covers: marks === null ? null : true, evidence, problem: marks === null ? 'fanotify marks not readable' : null, socket: socketOf(conf) };
}
