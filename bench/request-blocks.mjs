#!/usr/bin/env node
// What else keeps the event loop (and so every agent's report) waiting at 100,000 hosts: the
// longest block of a 1 ms timer (and monitorEventLoopDelay's max) while each read API is
// answered over HTTP, an evaluation runs on request (the report's `fresh=1`, the same evaluation
// alone without the report's render, a console page whose kept view was dropped), the InfluxDB
// writer flushes the outbox, and /metrics is scraped, after
// the collector's first evaluation, against GET /healthz in the same run (what a request costs at
// all). While an evaluation on request runs, GET /healthz is asked every 10 ms: the slowest of
// those answers is what a request arriving meanwhile waits. One process: the collector as
// `posture serve` wires it (startServices), a real influxd.
//   npx tsc -b protocol agent collector && node bench/request-blocks.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parse, stringify } from 'yaml';
import { SERVE_OPTIONS, build } from '../collector/dist/app.js';
import { openCollector, startServices } from '../collector/dist/compose.js';
import { validateConfig } from '../collector/dist/config.js';
import { consoleData } from '../collector/dist/console/data.js';
import { toLines } from '../collector/dist/influx/line.js';
import { pointsOfReport } from '../collector/dist/influx/points.js';
import { benchReport } from './lib/report.mjs';
import { startInfluxd } from './lib/influxd.mjs';
import { BENCH_TOKEN, seedStore } from './lib/seed-store.mjs';
import { consoleSession } from './lib/console-session.mjs';
import { sized } from './lib/smoke.mjs';

const HOSTS = sized(Number(process.env.BENCH_HOSTS ?? 100_000), 200);
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const seeded = await seedStore(HOSTS);
const influx = await startInfluxd();
const config = { ...parse(readFileSync(seeded.file, 'utf8')), influx: { url: influx.url, database: 'posture' } };
writeFileSync(seeded.file, stringify(config));
const c = openCollector(validateConfig(config, seeded.file, seeded.dir));
const app = build(c, SERVE_OPTIONS);
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${app.server.address().port}`;
const services = startServices(c);
await c.engine.idle();

let gaps = [];
let prev = performance.now();
const tick = setInterval(() => {
  const t = performance.now();
  if (t - prev > 2) gaps.push(t - prev);
  prev = t;
}, 1);
const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
async function measure(name, f) {
  await new Promise((r) => setTimeout(r, 30));
  gaps = [];
  h.reset();
  const t = performance.now();
  const detail = await f();
  await new Promise((r) => setTimeout(r, 10));
  return { name, wall: performance.now() - t, block: Math.max(0, ...gaps), monitor: h.max / 1e6, detail };
}
const get = async (path) => {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
  const bytes = (await res.arrayBuffer()).byteLength;
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return `${(bytes / 1024).toFixed(0)} KiB`;
};
/** `f()`, with GET /healthz asked every 10 ms meanwhile: f's detail and the slowest of those answers. */
async function withHealthz(f) {
  const waits = [];
  let done = false;
  const asking = (async () => {
    while (!done) {
      const t = performance.now();
      await get('/healthz');
      waits.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const detail = await f().finally(() => (done = true));
  await asking;
  return `${detail}; /healthz meanwhile: ${waits.length} answered, slowest ${Math.max(0, ...waits).toFixed(0)} ms`;
}
const session = await consoleSession(base, BENCH_TOKEN);
const page = async (path) => {
  const res = await fetch(`${base}${path}`, { headers: { cookie: session } });
  const bytes = (await res.arrayBuffer()).byteLength;
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return `${(bytes / 1024).toFixed(0)} KiB`;
};
// The outbox's backlog for the drain below, queued with the writer stopped (not timed).
const BACKLOG = sized(20_000, 100);
await c.influx.stop();
for (let i = 0; i < BACKLOG; i += 1000) {
  const points = [];
  for (let k = i; k < Math.min(BACKLOG, i + 1000); k++) points.push(...pointsOfReport(benchReport(`backlog-${k}`, 'U00', k), 'U00'));
  c.outbox.add(toLines(points), points.length);
}
// A deep page (the last tenth of the hosts) and one host, for the rows below.
const DEEP = Math.floor(HOSTS * 0.9);
const oneHost = c.hosts.page({ limit: 1, offset: Math.floor(HOSTS / 2) }).rows[0].agent_id;
const loadBefore = loadavg();
const rows = [
  await measure('GET /healthz (baseline)', () => get('/healthz')),
  await measure('GET /metrics', () => get('/metrics')),
  await measure('GET /api/v1/report?format=json, first after the evaluation (renders)', () => get('/api/v1/report?format=json')),
  await measure('GET /api/v1/report?format=json, again (kept body)', () => get('/api/v1/report?format=json')),
  await measure('GET /api/v1/report?format=markdown, first (renders)', () => get('/api/v1/report?format=markdown')),
  await measure('GET /api/v1/report?format=csv, first (renders)', () => get('/api/v1/report?format=csv')),
  await measure('GET /report (HTML), first (renders)', () => get('/report')),
  await measure('GET /report?format=docx, first (renders)', () => get('/report?format=docx')),
  // Evaluations on request, each over every host (the rule inputs are kept in memory: a warm cache).
  await measure('GET /api/v1/report?format=json&fresh=1 (evaluates on request)', () => withHealthz(() => get('/api/v1/report?format=json&fresh=1'))),
  // The same evaluation without a request around it: what of the rows above is the evaluation's, not the render's.
  await measure('Engine.evaluateNowSliced() alone (what fresh=1 evaluates, no render)', () =>
    withHealthz(async () => {
      const { ev } = await c.engine.evaluateNowSliced();
      return `${ev.indicators.length} indicators, ${c.engine.lastSlices} slices`;
    }),
  ),
  await measure('GET /console, its kept view dropped (evaluates on request)', () =>
    withHealthz(() => {
      consoleData(c).invalidate();
      return page('/console');
    }),
  ),
  await measure('GET /api/v1/hosts?limit=1000', () => get('/api/v1/hosts?limit=1000')),
  await measure('GET /api/v1/hosts?limit=10000', () => get('/api/v1/hosts?limit=10000')),
  await measure(`GET /api/v1/hosts?limit=10000&offset=${DEEP}`, () => get(`/api/v1/hosts?limit=10000&offset=${DEEP}`)),
  await measure('GET /api/v1/hosts?unit=U01&stale=false', () => get('/api/v1/hosts?unit=U01&stale=false')),
  await measure('GET /api/v1/hosts?stale=true (none stale)', () => get('/api/v1/hosts?stale=true')),
  await measure(`GET /api/v1/hosts?stale=false&limit=10000&offset=${DEEP}`, () => get(`/api/v1/hosts?stale=false&limit=10000&offset=${DEEP}`)),
  await measure('GET /api/v1/hosts?decommissioned=true&limit=10000', () => get('/api/v1/hosts?decommissioned=true&limit=10000')),
  await measure('GET /api/v1/hosts/:id', () => get(`/api/v1/hosts/${encodeURIComponent(oneHost)}`)),
  await measure('GET /api/v1/agents', () => get('/api/v1/agents')),
  await measure('GET /api/v1/agents?unit=U01', () => get('/api/v1/agents?unit=U01')),
  await measure('GET /api/v1/systems', () => get('/api/v1/systems')),
  await measure('GET /api/v1/rules', () => get('/api/v1/rules')),
  await measure('GET /api/v1/audit', () => get('/api/v1/audit')),
  await measure('GET /api/v1/portals', () => get('/api/v1/portals')),
  // After an InfluxDB outage: the points of BACKLOG reports queued, drained in batches.
  await measure(`InfluxDB writer: drains the points of ${BACKLOG.toLocaleString('en-US')} reports queued in an outage`, async () => {
    const depth = c.outbox.pointCount();
    await c.influx.flush();
    return `${depth.toLocaleString('en-US')} points, ${c.outbox.pointCount()} left`;
  }),
];
const loadAfter = loadavg();
clearInterval(tick);
h.disable();
await services.stopEvaluation();
await services.stopDelivery();
await app.close();
c.db.close();
await influx.stop();
await rm(seeded.dir, { recursive: true, force: true });

console.log(`\nevent loop while requests are answered: ${HOSTS.toLocaleString('en-US')} hosts, after the first evaluation; load average ${loadBefore} -> ${loadAfter}`);
console.log(`${'request'.padEnd(72)} ${'wall'.padStart(9)} ${'longest block'.padStart(14)} ${'monitor max'.padStart(12)}  size`);
for (const r of rows) console.log(`${r.name.padEnd(72)} ${`${r.wall.toFixed(0)} ms`.padStart(9)} ${`${r.block.toFixed(0)} ms`.padStart(14)} ${`${r.monitor.toFixed(0)} ms`.padStart(12)}  ${r.detail ?? ''}`);
