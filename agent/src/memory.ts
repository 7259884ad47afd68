/**
 * Give back what a collection cycle used. The daemon sleeps minutes between cycles, and V8
 * collects only when it allocates, so the garbage of the last cycle (command outputs, the
 * report's JSON) would stay resident until the next one. A full collection right after the cycle
 * lets V8 release those pages: on an idle agent that is the difference the sysadmin sees in `ps`.
 *
 * A full collection costs ~15 ms of CPU, as much as a warm cycle's own JavaScript, so after the
 * first one it runs only when the committed heap has grown by GROWTH_BYTES since the last: below
 * that, what it would give back is smaller than the growth. The first one (after the first
 * cycle) repeats while the committed heap shrinks, usually once or twice. (Flushing the bytecode
 * of startup's code, which V8 does after ~5 collections, was measured: ~0.6 MB even with
 * `--bytecode-old-age=1`, paid back with recompiling every cycle's code; not done.)
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const GROWTH_BYTES = 2 * 1024 * 1024;
const FIRST_ROUNDS = 8;
let gc: (() => void) | undefined;
/** Committed heap right after the last full collection (0: none yet). */
let settled = 0;

const committed = () => getHeapStatistics().total_heap_size;

/**
 * V8's `gc`: the global one when the agent runs with `--expose-gc` (the systemd unit's
 * NODE_OPTIONS), else one from a new V8 context made with the flag set. That context stays alive
 * with its function and costs ~2 MB of resident memory (bench/agent-footprint.mjs), so the
 * service sets the flag instead; a daemon started by hand still collects.
 */
export function gcFunction(): () => void {
  const global = (globalThis as { gc?: unknown }).gc;
  if (typeof global === 'function') return global as () => void;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Full garbage collection when the heap grew since the last one (the first call always collects). */
export function collectGarbage(): void {
  if (settled && committed() - settled < GROWTH_BYTES) return;
  gc ??= gcFunction();
  const rounds = settled ? 1 : FIRST_ROUNDS;
  let before = Infinity;
  for (let i = 0; i < rounds && committed() < before; i++) {
    before = committed();
    gc();
  }
  settled = committed();
}
