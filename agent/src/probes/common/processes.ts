/**
 * Running processes on Linux, from /proc/<pid>/comm (no child process). The command line of a
 * process is read only on demand, for the few processes a probe cares about (e.g. the `-c`
 * argument of clamd), so one walk of /proc stays cheap.
 */
import type { CycleReads } from '../../cycle-reads.js';
import type { SystemReader } from '../../system.js';

export interface ProcessTable {
  /** Names as the kernel shows them (comm: at most 15 characters). */
  readonly names: ReadonlySet<string>;
  /** Whether a process with this comm name runs. */
  has(name: string): boolean;
  /** Pids of the processes with this comm name. */
  pids(name: string): readonly string[];
  /** argv of a process (from /proc/<pid>/cmdline), or null when it is gone or unreadable. */
  cmdline(pid: string): Promise<string[] | null>;
}

/**
 * The running processes (/proc/<pid>/comm of every pid), walked once per cycle when the cycle's
 * reads are given (the probes of one cycle share one walk), else now.
 */
export function linuxProcessTable(system: SystemReader, cycle?: CycleReads): Promise<ProcessTable> {
  return cycle ? cycle.once('linux-process-table', () => walkProc(system)) : walkProc(system);
}

async function walkProc(system: SystemReader): Promise<ProcessTable> {
  const byName = new Map<string, string[]>();
  const entries = (await system.readDir('/proc')) ?? [];
  const pids = entries.filter((e) => /^\d+$/.test(e));
  const comms = await Promise.all(pids.map((pid) => system.readFile(`/proc/${pid}/comm`)));
  comms.forEach((c, i) => {
    if (!c) return;
    const name = c.trim();
    const list = byName.get(name) ?? [];
    list.push(pids[i]!);
    byName.set(name, list);
  });
  return processTable(byName, async (pid) => {
    const raw = await system.readFile(`/proc/${pid}/cmdline`);
    if (!raw) return null;
    return raw.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
  });
}

/** A table over known names (Windows process lists, tests). */
export function processTable(byName: ReadonlyMap<string, readonly string[]>, cmdline: (pid: string) => Promise<string[] | null> = async () => null): ProcessTable {
  const names = new Set(byName.keys());
  return {
    names,
    has: (name) => names.has(name),
    pids: (name) => byName.get(name) ?? [],
    cmdline,
  };
}

/** Running process names on Linux (kept for probes that need only names). */
export async function linuxProcessNames(system: SystemReader, cycle?: CycleReads): Promise<ReadonlySet<string>> {
  return (await linuxProcessTable(system, cycle)).names;
}
