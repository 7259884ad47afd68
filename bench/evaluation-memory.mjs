#!/usr/bin/env node
// Where the collector's memory goes during an evaluation of 100,000 hosts, phase by phase,
// against the same collector over an empty store in the same run: heap in use after a full GC
// (what is alive), and RSS (what the process holds) at each phase of two scheduled
// evaluations, then what stays resident between evaluations. The store is seeded as
// bench/state-rss.mjs seeds it (every host serves a system: all facts are loaded).
// Usage: npm run build && node bench/evaluation-memory.mjs   (BENCH_HOSTS=100000)
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { seedStore } from './lib/seed-store.mjs';
import { sized } from './lib/smoke.mjs';

const HOSTS = sized(Number(process.env.BENCH_HOSTS ?? 100_000), 200);
const phasesOf = (s) => JSON.parse(execFileSync(process.execPath, ['--expose-gc', join(import.meta.dirname, 'lib/evaluation-phases.mjs'), s.file], { encoding: 'utf8', env: { ...process.env, POSTURE_LOG_LEVEL: 'error' } }));
const empty = await seedStore(0);
const full = await seedStore(HOSTS);
const e = phasesOf(empty);
const f = phasesOf(full);
const mb = (x) => `${x.toFixed(0)} MB`;
console.log(`\nevaluation memory: ${HOSTS.toLocaleString('en-US')} hosts (seeded in ${full.seedSeconds.toFixed(1)} s), node ${process.version}; heap after a full GC / RSS`);
console.log(`${'phase'.padEnd(40)} ${'empty store'.padStart(18)} ${`${HOSTS / 1000}k hosts`.padStart(18)} ${'heap over empty'.padStart(16)}`);
for (let i = 0; i < f.length; i++) {
  const a = e[i],
    b = f[i];
  console.log(`${b.name.padEnd(40)} ${`${mb(a.heapMb)} / ${mb(a.rssMb)}`.padStart(18)} ${`${mb(b.heapMb)} / ${mb(b.rssMb)}`.padStart(18)} ${mb(b.heapMb - a.heapMb).padStart(16)}`);
}
const members = f.find((p) => p.name === '2: members built');
const resident = f.find((p) => p.name === '1: resident after the evaluation');
console.log(
  `members of ${HOSTS.toLocaleString('en-US')} hosts: ${mb(members.heapMb - resident.heapMb)} alive while evaluating (${((1024 * (members.heapMb - resident.heapMb)) / Math.max(1, HOSTS)).toFixed(2)} KB per host); resident between evaluations: ${mb(resident.heapMb - e[0].heapMb)} over the opened collector`,
);
await rm(empty.dir, { recursive: true, force: true });
await rm(full.dir, { recursive: true, force: true });
