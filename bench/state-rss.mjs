#!/usr/bin/env node
// Collector memory with 100,000 distinct hosts in state, against the same collector with an
// empty store in the same run. The store is seeded directly (SQLite, same code as ingest), then
// `posture serve` starts (it evaluates every indicator at start, in slices: it answers /healthz
// meanwhile), and the report and hosts APIs are called, as Grafana and the security team would:
// the first report call, made while that evaluation is under way, waits for it and is served
// from it (one evaluation in memory at a time), so its time includes the rest of the evaluation.
// Usage: npm run build && node bench/state-rss.mjs   (BENCH_HOSTS=100000)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { waitUntil } from './lib/influxd.mjs';
import { BENCH_TOKEN as TOKEN, BENCH_UNITS as UNITS, seedStore as setup } from './lib/seed-store.mjs';
import { sized } from './lib/smoke.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const HOSTS = sized(Number(process.env.BENCH_HOSTS ?? 100_000), 200);

const status = (pid) =>
  Object.fromEntries(
    readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .filter((l) => /^Vm(RSS|HWM)/.test(l))
      .map((l) => [l.split(':')[0], Number(l.split(/\s+/)[1]) / 1024]),
  );

async function measure(s) {
  const proc = spawn(process.execPath, [join(ROOT, 'collector/bin/posture.js'), '-c', s.file, 'serve'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, POSTURE_LOG_LEVEL: 'error' } });
  await waitUntil('collector', async () => (await fetch(`${s.url}/healthz`)).ok, 120_000);
  const afterStart = status(proc.pid);
  const get = async (path) => {
    const t = performance.now();
    const res = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const bytes = (await res.arrayBuffer()).byteLength;
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return { ms: performance.now() - t, bytes };
  };
  const report = await get('/api/v1/report?format=json');
  // The report serves the last evaluation, rendered on the first call after it: time both.
  const reportAgain = await get('/api/v1/report?format=json');
  const afterReport = status(proc.pid);
  const hosts = await get('/api/v1/hosts?limit=10000');
  const afterHosts = status(proc.pid);
  await new Promise((r) => (proc.once('exit', r), proc.kill('SIGTERM')));
  return { afterStart, afterReport, afterHosts, report, reportAgain, hosts };
}

const mb = (x) => `${x.toFixed(0)} MB`;
const empty = await setup(0);
const full = await setup(HOSTS);
const e = await measure(empty);
const f = await measure(full);
console.log(`\nstate RSS benchmark: ${HOSTS.toLocaleString('en-US')} hosts in ${UNITS.length} units (seeded in ${full.seedSeconds.toFixed(1)} s), node ${process.version}`);
console.log(`${'moment'.padEnd(44)} ${'empty store'.padStart(12)} ${`${HOSTS / 1000}k hosts`.padStart(12)} ${'ratio'.padStart(7)}`);
for (const [name, k] of [
  ['after start (first evaluation under way)', 'afterStart'],
  ['after GET /api/v1/report', 'afterReport'],
  ['after GET /api/v1/hosts?limit=10000', 'afterHosts'],
]) {
  console.log(`${('RSS ' + name).padEnd(44)} ${mb(e[k].VmRSS).padStart(12)} ${mb(f[k].VmRSS).padStart(12)} ${(f[k].VmRSS / e[k].VmRSS).toFixed(2).padStart(7)}`);
}
console.log(`${'peak RSS (VmHWM)'.padEnd(44)} ${mb(e.afterHosts.VmHWM).padStart(12)} ${mb(f.afterHosts.VmHWM).padStart(12)} ${(f.afterHosts.VmHWM / e.afterHosts.VmHWM).toFixed(2).padStart(7)}`);
console.log(
  `report API ${f.report.ms.toFixed(0)} ms first (waits for the first evaluation), ${f.reportAgain.ms.toFixed(0)} ms again (${(f.report.bytes / 1024).toFixed(0)} KiB; goal <= 50 ms); hosts API ${f.hosts.ms.toFixed(0)} ms (${(f.hosts.bytes / 1048576).toFixed(1)} MiB)`,
);
console.log(`goal: peak RSS <= 400 MB with ${HOSTS.toLocaleString('en-US')} hosts -> ${f.afterHosts.VmHWM <= 400 ? 'met' : 'NOT met'}`);
await rm(empty.dir, { recursive: true, force: true });
await rm(full.dir, { recursive: true, force: true });
