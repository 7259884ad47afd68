/**
 * Give back what a collection cycle used. The daemon sleeps minutes between cycles, and V8
 * collects only when it allocates, so the garbage of the last cycle (command outputs, the
 * report's JSON) would stay resident until the next one. A full collection right after the cycle
 * lets V8 release those pages: on an idle agent that is the difference the sysadmin sees in `ps`.
 *
 * A full collection costs ~15 ms of CPU, as much as a warm cycle's own JavaScript, so after the
 * first one it runs only when the committed heap has grown by GROWTH_BYTES since the last: below
 * that, what it would give back is smaller than the growth.
 *
 * The first one (after the first cycle) also drops the bytecode of startup's code: the command
 * line, the config schema, the YAML parser ran once and V8 would keep their bytecode until ~5
 * full collections passed without them, i.e. for hours. With the bytecode age set to 1 for
 * those FIRST_ROUNDS collections, everything that is not running is flushed; the next cycle
 * compiles again what cycles use (once: at the default age of 5 it stays). ~0.4 MB of idle RSS
 * (bench/agent-footprint.mjs).
 *
 * Then the young generation (shrinkYoungGeneration): a cycle leaves both of its semi-spaces
 * resident (2 MB at the unit's --max-semi-space-size=1), and no collection the agent can ask for
 * gives them back: V8 does it after a collection only when the collection reduces memory (its
 * memory reducer, ~8 s after a full collection, and not again while the heap stays small) or
 * when the allocation rate it has recorded is low (see shrinkYoungGeneration). ~1.5 MB of idle
 * RSS right after every cycle.
 */
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const GROWTH_BYTES = 2 * 1024 * 1024;
/** Collections at age 1 after the first cycle: the first ages the bytecode, the second flushes it. */
const FIRST_ROUNDS = 2;
/** V8's default --bytecode-old-age (node 20, V8 11.3). */
const DEFAULT_BYTECODE_AGE = 5;
/** V8's `gc` (gc-extension): no argument, a full collection; `{ type: 'minor' }`, a scavenge. */
type Gc = (options?: { type: 'minor' }) => void;
let gc: Gc | undefined;
/** Committed heap right after the last full collection (0: none yet). */
let settled = 0;

const committed = () => getHeapStatistics().total_heap_size;

/**
 * V8's `gc`: the global one when the agent runs with `--expose-gc` (the systemd unit's
 * NODE_OPTIONS), else one from a new V8 context made with the flag set. That context stays alive
 * with its function (~2 MB of RSS in a bare node, ~0.2 MB in the agent, which pages in most of
 * the same code anyway), so the service sets the flag; a daemon started by hand still collects.
 */
export function gcFunction(): Gc {
  const global = (globalThis as { gc?: unknown }).gc;
  if (typeof global === 'function') return global as Gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as Gc;
}

/** Full garbage collection when the heap grew since the last one (the first call always collects). */
export function collectGarbage(): void {
  if (settled && committed() - settled < GROWTH_BYTES) return;
  gc ??= gcFunction();
  if (settled) gc();
  else {
    setFlagsFromString('--bytecode-old-age=1');
    try {
      for (let i = 0; i < FIRST_ROUNDS; i++) gc();
    } finally {
      setFlagsFromString(`--bytecode-old-age=${DEFAULT_BYTECODE_AGE}`);
    }
  }
  settled = committed();
}

/**
 * Scavenges after a cycle, at most: V8's window is 10 collections and one more flips onto fresh
 * pages; 12 to 15 were needed after a burst in a bare node, 12 to 14 in the daemon.
 */
const MAX_SCAVENGES = 24;
/** Between two scavenges: what is allocated meanwhile (a timer, a promise) stays far below 1 KB/ms. */
const SCAVENGE_SPACING_MS = 10;

/** The young generation: committed (both semi-spaces when in use) and resident bytes. */
export function youngGeneration(): { committed: number; resident: number } {
  const s = getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  return { committed: s?.space_size ?? 0, resident: s?.physical_space_size ?? 0 };
}
const settledYoung = (y: { committed: number; resident: number }) => y.resident * 2 <= y.committed;

/**
 * Scavenges SCAVENGE_SPACING_MS apart until at most half of the young generation is resident
 * (at most MAX_SCAVENGES). V8 (Heap::ReduceNewSpaceSize in node 20's V8 11.3) shrinks the young
 * generation and uncommits its idle semi-space after a collection when the allocation rate
 * recorded over its last 10 collections (at most 5 s back) is below 1,000 bytes/ms. The cycle's
 * own collections are far above that; empty scavenges a few ms apart are far below, and once
 * they fill the window V8 uncommits the idle semi-space; the next one copies the few survivors
 * onto fresh pages and the old ones go too. Measured in the daemon on a 3 s schedule: 12-14
 * scavenges after each of the first two cycles (~150 ms; 5-8 ms of CPU after a burst in a bare
 * node), then one per cycle, as the window still holds the last round's quiet samples.
 * memory.test.ts fails if V8 stops doing it.
 * Returns what the daemon logs: the young generation's resident bytes before and after, and the
 * scavenges run.
 */
export async function shrinkYoungGeneration(): Promise<{ before: number; after: number; scavenges: number }> {
  const before = youngGeneration();
  let scavenges = 0;
  if (!settledYoung(before)) {
    gc ??= gcFunction();
    while (scavenges < MAX_SCAVENGES) {
      await new Promise((r) => setTimeout(r, SCAVENGE_SPACING_MS));
      gc({ type: 'minor' });
      scavenges++;
      if (settledYoung(youngGeneration())) break;
    }
  }
  return { before: before.resident, after: youngGeneration().resident, scavenges };
}
