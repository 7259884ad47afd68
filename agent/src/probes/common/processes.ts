/** Running process names on Linux, from /proc/<pid>/comm (no child process). */
import type { SystemReader } from '../../system.js';

export async function linuxProcessNames(system: SystemReader): Promise<Set<string>> {
  const names = new Set<string>();
  const entries = (await system.readDir('/proc')) ?? [];
  const pids = entries.filter((e) => /^\d+$/.test(e));
  const comms = await Promise.all(pids.map((pid) => system.readFile(`/proc/${pid}/comm`)));
  for (const c of comms) if (c) names.add(c.trim());
  return names;
}
