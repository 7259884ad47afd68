#!/usr/bin/env node
// Cost of the baseline probe on this machine, per check family, against a same-run baseline:
// the probe without its `updates` family (the package-manager simulation). "cold" uses a fresh
// SystemReader each run (what `collect --once` pays), "warm" reuses one (a long-running agent:
// the apt simulation is reused while lists and installed packages are unchanged).
// Wall time, median of N runs after one warm-up. Run after `npx tsc -b protocol agent`:
//   node bench/baseline-probe.mjs [runs=7]
import { families, runFamily } from '../agent/dist/probes/baseline/index.js';
import { builtinMapping } from '../agent/dist/probes/baseline/mapping.js';
import { linuxProcessNames } from '../agent/dist/probes/common/processes.js';
import { validateConfig } from '../agent/dist/config.js';
import { LocalSystem } from '../agent/dist/system.js';

const runs = Number(process.argv[2] ?? 7);
const config = validateConfig({ unit: 'bench' }, 'bench');
const mapping = builtinMapping();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fams, system) {
  const t0 = performance.now();
  const ctx = { system, config, earlier: {}, role: 'server', processes: await linuxProcessNames(system), param: (id, key) => mapping.checks.get(id).params[key] };
  await Promise.all(fams.map((f) => runFamily(f, ctx)));
  return performance.now() - t0;
}
const warmSystem = new LocalSystem();
const mine = families.filter((f) => f.platforms.includes(warmSystem.platform));
const withoutUpdates = mine.filter((f) => f.name !== 'updates');
await time(mine, warmSystem); // warm-up: page cache, and the warm reader's apt result
const cold = [], warm = [], base = [], per = Object.fromEntries(mine.map((f) => [f.name, []]));
for (let i = 0; i < runs; i++) {
  cold.push(await time(mine, new LocalSystem()));
  warm.push(await time(mine, warmSystem));
  base.push(await time(withoutUpdates, new LocalSystem()));
  for (const f of mine) per[f.name].push(await time([f], new LocalSystem()));
}
const ms = (xs) => median(xs).toFixed(1).padStart(8);
console.log(`baseline probe on ${warmSystem.platform}, ${runs} runs, median wall ms (cold unless said)`);
for (const [name, xs] of Object.entries(per)) console.log(`  family ${name.padEnd(30)} ${ms(xs)}`);
console.log(`  whole probe, cold                     ${ms(cold)}`);
console.log(`  whole probe, warm (apt result reused) ${ms(warm)}`);
console.log(`  without updates (same-run baseline)   ${ms(base)}`);
console.log(`  ratio cold / baseline                 ${(median(cold) / median(base)).toFixed(1).padStart(8)}x`);
console.log(`  ratio warm / baseline                 ${(median(warm) / median(base)).toFixed(1).padStart(8)}x`);
