/**
 * `--smoke`: run once in the tiniest size, only to prove the bench still runs and prints its
 * figures (bench/smoke.test.ts runs every bench so under `npm test`). Figures of a smoke run
 * mean nothing; every bench must honour the flag.
 */
export const SMOKE = process.argv.includes('--smoke');

/** `full` normally, `tiny` under --smoke. */
export const sized = (full, tiny) => (SMOKE ? tiny : full);
