/**
 * What one collection cycle reads of the machine for several probes: the process table is
 * walked once per cycle (protection and baseline both need it; each walk reads every
 * /proc/<pid>/comm), not once per probe. A cycle's reads never outlive it: the next cycle
 * reads the machine afresh.
 */
export class CycleReads {
  private readonly reads = new Map<string, Promise<unknown>>();

  /** What `read` gives for `key`, read at most once in this cycle (a failure is shared too). */
  once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let p = this.reads.get(key) as Promise<T> | undefined;
    if (!p) this.reads.set(key, (p = read()));
    return p;
  }
}
