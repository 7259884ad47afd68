#!/usr/bin/env node
// CPU of one baseline probe cycle on this machine (this process and the commands it runs),
// cold and warm, per family, against same-run baselines:
//  - "apt simulation": `apt-get -s dist-upgrade`, what the probe ran before it read dpkg's status
//    and the security lists itself (the old cold cycle was this plus the rest);
//  - "without updates": the probe minus its updates family.
// "cold" uses a fresh SystemReader each run (what `collect --once` pays: nothing cached);
// "warm" reuses one (a long-running agent: the security comparison is reused while the apt
// lists and dpkg status keep their mtimes). Median of N runs after one warm-up.
// Run after `npx tsc -b protocol agent`:   node bench/baseline-probe.mjs [runs=7]
import { execFileSync } from 'node:child_process';
import { LocalSystem } from '../agent/dist/system.js';
import { cpuMs, cycle, linuxFamilies, median } from './lib/baseline-cycle.mjs';
import { sized } from './lib/smoke.mjs';

const runs = sized(Number(process.argv.slice(2).find((x) => /^\d+$/.test(x)) ?? 7), 1);
const warmSystem = new LocalSystem();
const withoutUpdates = linuxFamilies.filter((f) => f.name !== 'updates');
await cycle(linuxFamilies, warmSystem); // warm-up: page cache, and the warm reader's apt comparison
const cold = [],
  warm = [],
  base = [],
  sim = [],
  per = Object.fromEntries(linuxFamilies.map((f) => [f.name, []]));
for (let i = 0; i < runs; i++) {
  cold.push((await cycle(linuxFamilies, new LocalSystem())).cpuMs);
  warm.push((await cycle(linuxFamilies, warmSystem)).cpuMs);
  base.push((await cycle(withoutUpdates, new LocalSystem())).cpuMs);
  const c0 = cpuMs();
  execFileSync('apt-get', ['-s', '-o', 'Debug::NoLocking=1', 'dist-upgrade'], { stdio: 'ignore', env: { ...process.env, LC_ALL: 'C' } });
  sim.push(cpuMs() - c0);
  for (const f of linuxFamilies) per[f.name].push((await cycle([f], new LocalSystem())).cpuMs);
}
const ms = (xs) => median(xs).toFixed(1).padStart(8);
console.log(`baseline probe on ${process.platform}, ${runs} runs, median CPU ms per cycle (user+sys, children included)`);
for (const [name, xs] of Object.entries(per)) console.log(`  family ${name.padEnd(30)} ${ms(xs)}   (cold)`);
console.log(`  whole probe, cold                     ${ms(cold)}`);
console.log(`  whole probe, warm                     ${ms(warm)}`);
console.log(`  without updates (same-run baseline)   ${ms(base)}`);
console.log(`  apt-get -s dist-upgrade alone (old)   ${ms(sim)}`);
console.log(`  ratio cold / without updates          ${(median(cold) / median(base)).toFixed(2).padStart(8)}x`);
console.log(`  ratio cold / apt simulation alone     ${(median(cold) / median(sim)).toFixed(2).padStart(8)}x`);
console.log(`  ratio warm / cold                     ${(median(warm) / median(cold)).toFixed(2).padStart(8)}x`);
