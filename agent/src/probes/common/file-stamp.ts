/**
 * What a cached command answer depends on, as one comparable string: each input file's
 * modification and inode-change times and size (absent files included, so that one appearing
 * changes the stamp). A cache keeps an answer only while the stamp of everything the command
 * reads is the same; a directory's entry counts as a file (its mtime moves when an entry is
 * added, removed or renamed).
 */
import type { SystemReader } from '../../system.js';

export async function filesStamp(system: SystemReader, paths: readonly string[]): Promise<string> {
  const stats = await Promise.all(paths.map((p) => system.stat(p)));
  return paths.map((p, i) => (stats[i] ? `${p}=${stats[i].mtime.getTime()}/${stats[i].ctime?.getTime() ?? '-'}/${stats[i].size}` : `${p}=absent`)).join('\n');
}
