#!/usr/bin/env node
/**
 * The performance goals in one run: the benches behind them (bench/lib/goals.mjs), one after
 * another on this machine, each one's own output shown as it runs, then a table of every
 * figure beside its goal, with the load average around each bench (the machine is shared:
 * read a figure taken at a high load with care; same-run ratios are in each bench's output).
 *   npm run build && node bench/goals.mjs [--only agent-footprint.mjs,state-rss.mjs]
 * Needs what the benches need (influxd, node_exporter, the built agent and collector).
 * Exits 1 when a figure could not be read from its bench's output.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOALS, figureIn } from './lib/goals.mjs';
import { SMOKE } from './lib/smoke.mjs';

const DIR = import.meta.dirname;
const only = process.argv.includes('--only') ? new Set(process.argv[process.argv.indexOf('--only') + 1].split(',')) : undefined;
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** Runs one bench, echoing its output; resolves with what it printed. */
function run(bench, args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', join(DIR, bench), ...args, ...(SMOKE ? ['--smoke'] : [])], { cwd: join(DIR, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    p.once('error', reject);
    p.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`bench/${bench} exited ${code}`))));
  });
}

const runs = new Map();
for (const g of GOALS) {
  const key = [g.bench, ...(g.args ?? [])].join(' ');
  if (runs.has(key) || (only && !only.has(g.bench))) continue;
  console.log(`\n== ${key} (load average ${loadavg()}, ${new Date().toISOString()})`);
  const before = loadavg();
  const output = await run(g.bench, g.args ?? []);
  runs.set(key, { output, load: `${before} -> ${loadavg()}` });
}

console.log(`\n| figure | measured | goal | met? | bench (load average before -> after) |\n|---|---|---|---|---|`);
let missing = 0;
for (const g of GOALS) {
  const key = [g.bench, ...(g.args ?? [])].join(' ');
  const r = runs.get(key);
  if (!r) continue;
  const v = figureIn(g, r.output);
  if (v === undefined) missing++;
  const measured = v === undefined ? 'NOT FOUND in the output' : `${v.toLocaleString('en-US')} ${g.unit}`;
  console.log(`| ${g.figure} | ${measured} | ${g.goal} | ${v === undefined ? '?' : g.met(v) ? 'yes' : 'no'} | \`node bench/${key}\` (${r.load}) |`);
}
if (missing) {
  console.error(`${missing} figure(s) not found: a bench's output changed; update its pattern in bench/lib/goals.mjs`);
  process.exit(1);
}
