#!/usr/bin/env node
/**
 * Benchmark: the protection probe's wall time on this machine, against two baselines measured in
 * the same run: a bare /proc walk (what every Linux collection must pay to know the processes)
 * and one child-process spawn of /bin/true (the unit cost of asking a product's CLI).
 * Needs the built agent: `npm run build` first.
 * Usage: node bench/protection.mjs [iterations] [--clamd]
 *   --clamd  start a clamd (temp config, one-signature database) so the ClamAV path is the one a
 *            protected host takes: cmdline read, config read, database stat.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalSystem } from '../agent/dist/system.js';
import { validateConfig } from '../agent/dist/config.js';
import { protectionProbe } from '../agent/dist/probes/protection/index.js';
import { linuxProcessTable } from '../agent/dist/probes/common/processes.js';
import { sized } from './lib/smoke.mjs';

const N = sized(Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 40), 2);
const withClamd = process.argv.includes('--clamd');
let clamd;
let dir;
if (withClamd) {
  dir = mkdtempSync(join(tmpdir(), 'posture-bench-'));
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'db', 'bench.hdb'), '44d88612fea8a8f36de82e1278abb02f:68:Posture.Bench.EICAR\n');
  writeFileSync(join(dir, 'clamd.conf'), `LocalSocket ${join(dir, 'clamd.sock')}\nDatabaseDirectory ${join(dir, 'db')}\nTemporaryDirectory ${dir}\n`);
  clamd = spawn('/usr/sbin/clamd', ['-c', join(dir, 'clamd.conf'), '--foreground'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(join(dir, 'clamd.sock')); i++) await new Promise((r) => setTimeout(r, 100));
  if (!existsSync(join(dir, 'clamd.sock'))) throw new Error('clamd did not start (is clamav-daemon installed?)');
}
const system = new LocalSystem();
const config = validateConfig({ unit: 'bench' }, 'bench');
const signal = new AbortController().signal;

const subjects = {
  'protection probe (collect)': async () => {
    const f = await protectionProbe.collect({ system, config, signal, earlier: {} });
    if (!Array.isArray(f.products)) throw new Error('probe returned no product list');
  },
  'baseline: /proc walk (comm of every pid)': async () => {
    await linuxProcessTable(system);
  },
  'baseline: spawn /bin/true': async () => {
    const r = await system.run('/bin/true', []);
    if (r.kind !== 'ok') throw new Error(`spawn failed: ${r.kind}`);
  },
};

const times = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (const fn of Object.values(subjects)) for (let i = 0; i < 3; i++) await fn(); // warm-up
const rssBefore = process.memoryUsage().rss;
// Interleave the subjects so that machine noise (5 other engineers share 2 cores) hits all alike.
for (let i = 0; i < N; i++) {
  for (const [name, fn] of Object.entries(subjects)) {
    const t = performance.now();
    await fn();
    times[name].push(performance.now() - t);
  }
}
const rssAfter = process.memoryUsage().rss;

const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, q(v, 0.5)]));
const probe = med['protection probe (collect)'];
const sample = await protectionProbe.collect({ system, config, signal, earlier: {} });
console.log(`protection probe benchmark: ${N} interleaved iterations, node ${process.version}, ${process.platform}`);
console.log(`products found here: ${sample.products.map((p) => `${p.id}(running=${p.running})`).join(', ') || 'none'}`);
console.log('subject'.padEnd(44), 'median ms'.padStart(10), 'p90 ms'.padStart(9), 'probe / this'.padStart(13));
for (const [name, v] of Object.entries(times)) {
  console.log(name.padEnd(44), med[name].toFixed(2).padStart(10), q(v, 0.9).toFixed(2).padStart(9), (probe / med[name]).toFixed(2).padStart(13));
}
console.log(`RSS change over the measured runs: ${((rssAfter - rssBefore) / 1048576).toFixed(1)} MiB (of ${(rssAfter / 1048576).toFixed(1)} MiB)`);
if (clamd) {
  clamd.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
