/**
 * Give back what a collection cycle used. The daemon sleeps minutes between cycles, and V8
 * collects only when it allocates, so the garbage of the last cycle (command outputs, the
 * report's JSON) would stay resident until the next one. A full collection right after the cycle
 * lets V8 release those pages: on an idle agent that is the difference the sysadmin sees in `ps`.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/** Full garbage collection, without requiring `--expose-gc` on the command line. */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
