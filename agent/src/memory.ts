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
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const GROWTH_BYTES = 2 * 1024 * 1024;
/** Collections at age 1 after the first cycle: the first ages the bytecode, the second flushes it. */
const FIRST_ROUNDS = 2;
/** V8's default --bytecode-old-age (node 20, V8 11.3). */
const DEFAULT_BYTECODE_AGE = 5;
let gc: (() => void) | undefined;
/** Committed heap right after the last full collection (0: none yet). */
let settled = 0;

const committed = () => getHeapStatistics().total_heap_size;

/**
 * V8's `gc`: the global one when the agent runs with `--expose-gc` (the systemd unit's
 * NODE_OPTIONS), else one from a new V8 context made with the flag set. That context stays alive
 * with its function (~2 MB of RSS in a bare node, ~0.2 MB in the agent, which pages in most of
 * the same code anyway), so the service sets the flag; a daemon started by hand still collects.
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
