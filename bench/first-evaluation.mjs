#!/usr/bin/env node
// The event loop at a restart with 100,000 hosts in state: how long the collector's first
// evaluation (the one `posture serve` runs at start, while agents reconnect) keeps the event
// loop at a time, in its evaluation and in its recording (history rows, alert state, dashboard
// points, the console's indexes and verdict history); then the same for the next scheduled
// evaluation, after 1% of the hosts reported anew (what every interval costs). A wall time of a
// part done in slices includes the requests served between its slices. Each run is a new process on a fresh
// copy of the same store, which has already been evaluated once (a restart, not a first start:
// the verdict history holds every host), with a real influxd for the dashboard points.
//   npx tsc -b protocol agent collector && node bench/first-evaluation.mjs [--main DIR] [--runs 3]
// --main DIR: the root of another checkout, built (e.g. main exported with git archive, its
// dist built, node_modules linked): its first evaluation is measured on the same store in the
// same run, runs alternating between the two builds (it must open this build's store: same
// schema). Prints medians.
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { openCollector } from '../collector/dist/app.js';
import { validateConfig } from '../collector/dist/config.js';
import { consoleData } from '../collector/dist/console/data.js';
import { startInfluxd } from './lib/influxd.mjs';
import { seedStore } from './lib/seed-store.mjs';
import { sized } from './lib/smoke.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const { values: a } = parseArgs({ options: { main: { type: 'string' }, runs: { type: 'string', default: '3' }, smoke: { type: 'boolean' } } });
const HOSTS = sized(Number(process.env.BENCH_HOSTS ?? 100_000), 200);
const RUNS = sized(Number(a.runs), 1);
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const seeded = await seedStore(HOSTS);
const base = parse(readFileSync(seeded.file, 'utf8'));
// One evaluation before: what a restart finds (indicator history, every host's verdict).
{
  const c = openCollector(validateConfig(base, seeded.file, seeded.dir));
  const { ev, members } = c.engine.evaluateNowWithMembers(new Date());
  consoleData(c).afterEvaluation(new Date(), members, ev);
  c.db.close();
}
const influx = await startInfluxd();

let n = 0;
function restart(root) {
  const dir = join(seeded.dir, `run-${n++}`);
  cpSync(base.dataDir, join(dir, 'data'), { recursive: true });
  const file = join(dir, 'collector.yaml');
  writeFileSync(file, stringify({ ...base, dataDir: join(dir, 'data'), influx: { url: influx.url, database: 'posture' } }));
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [join(ROOT, 'bench/lib/first-evaluation-child.mjs'), root, file], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, POSTURE_LOG_LEVEL: 'error' } });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.once('error', rej);
    p.once('close', (code) => {
      void rm(dir, { recursive: true, force: true });
      if (code !== 0) return rej(new Error(`${root}: the child exited ${code}`));
      res(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

const builds = [['this build', ROOT], ...(a.main ? [['--main', resolve(a.main)]] : [])];
const results = new Map(builds.map(([name]) => [name, []]));
const loadBefore = loadavg();
try {
  for (let i = 0; i < RUNS; i++) for (const [name, root] of builds) results.get(name).push(await restart(root));
} finally {
  // Also when a run fails (e.g. --main cannot open a store of a newer schema).
  await influx.stop();
  await rm(seeded.dir, { recursive: true, force: true });
}
const loadAfter = loadavg();

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const m = (name, k) => median(results.get(name).map((r) => r[k]));
console.log(`\nfirst evaluation after a restart: ${HOSTS.toLocaleString('en-US')} hosts, median of ${RUNS} run(s), load average ${loadBefore} -> ${loadAfter}`);
console.log(`${'event loop held at a time (longest gap of a 1 ms timer)'.padEnd(64)} ${builds.map(([name]) => name.padStart(12)).join(' ')}`);
const row = (label, k, unit = ' ms') => console.log(`${label.padEnd(64)} ${builds.map(([name]) => `${m(name, k).toFixed(0)}${unit}`.padStart(12)).join(' ')}`);
row('first evaluation, longest block (start to the console)', 'longestMs');
row('  in its evaluation (cache read, members, rules)', 'slicesLongestMs');
row('  in its recording (record + afterEvaluation)', 'recordingLongestMs');
row('  record (one transaction), its wall time', 'recordMs');
row('  afterEvaluation (points, console), its wall time', 'afterMs');
row('  blocks over 50 ms (count)', 'gapsOver50', '');
row('  monitorEventLoopDelay max', 'monitorMaxMs');
row('first evaluation, wall time', 'wallMs');
row('startServices returned after', 'startReturnedMs');
row('next scheduled evaluation (1% reported anew), longest block', 'nextLongestMs');
row('  in its recording (record + afterEvaluation)', 'nextRecordingLongestMs');
row('  record (one transaction), its wall time', 'nextRecordMs');
row('  afterEvaluation (points, console), its wall time', 'nextAfterMs');
row('  monitorEventLoopDelay max', 'nextMonitorMaxMs');
if (a.main) console.log(`first evaluation's longest block: ${m('this build', 'longestMs').toFixed(0)} ms this build, ${m('--main', 'longestMs').toFixed(0)} ms --main (${(m('this build', 'longestMs') / m('--main', 'longestMs')).toFixed(2)}x)`);
