/**
 * Give back what a collection cycle used. The daemon sleeps minutes between cycles, and V8
 * collects only when it allocates, so the garbage of the last cycle (command outputs, the
 * report's JSON) would stay resident until the next one. A full collection right after the cycle
 * lets V8 release those pages: on an idle agent that is the difference the sysadmin sees in `ps`.
 *
 * A full collection costs ~15 ms of CPU, as much as a warm cycle's own JavaScript, so after the
 * first one it runs only when the committed heap has grown by GROWTH_BYTES since the last: below
 * that, what it would give back is smaller than the growth. The first one (after the first
 * cycle) repeats until the heap stops shrinking: V8 drops the bytecode of functions that did not
 * run for several collections, and startup's code (command line, config schema, YAML parser)
 * runs once (~1 MB of idle RSS, bench/agent-footprint.mjs).
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const GROWTH_BYTES = 2 * 1024 * 1024;
const FIRST_ROUNDS = 8;
let gc: (() => void) | undefined;
/** Committed heap right after the last full collection (0: none yet). */
let settled = 0;

const committed = () => getHeapStatistics().total_heap_size;

/** Full garbage collection when the heap grew since the last one (the first call always collects). */
export function collectGarbage(): void {
  if (settled && committed() - settled < GROWTH_BYTES) return;
  if (!gc) {
    // Without requiring `--expose-gc` on the command line.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  const rounds = settled ? 1 : FIRST_ROUNDS;
  let before = Infinity;
  for (let i = 0; i < rounds && committed() < before; i++) {
    before = committed();
    gc();
  }
  settled = committed();
}
