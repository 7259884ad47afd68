import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { build } from '../collector/dist/app.js';
import { openCollector, startServices } from '../collector/dist/compose.js';
import { validateConfig } from '../collector/dist/config.js';
import { BENCH_TOKEN } from './lib/seed-store.mjs';
const file = '/tmp/ph4/seed/collector.yaml';
const c = openCollector(validateConfig(parse(readFileSync(file, 'utf8')), file, '/tmp/ph4/seed'));
import { SERVE_OPTIONS } from '../collector/dist/app.js';
const app = build(c, SERVE_OPTIONS);
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${app.server.address().port}`;
const services = process.env.NOEVAL ? null : startServices(c);
if (services) await c.engine.idle();
let gaps = []; let prev = performance.now();
const tick = setInterval(() => { const t = performance.now(); if (t - prev > 2) gaps.push(t - prev); prev = t; }, 1);
const paths = process.argv.slice(2);
for (const p of paths) {
  for (let i = 0; i < Number(process.env.REPEAT ?? 1); i++) {
  await new Promise((r) => setTimeout(r, 50));
  gaps = [];
  const t = performance.now();
  const h0 = process.hrtime.bigint() / 1000n;
  const res = await fetch(`${base}${p}`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
  const b = await res.arrayBuffer();
  await new Promise((r) => setTimeout(r, 10));
  console.log('window', h0, process.hrtime.bigint() / 1000n);
  console.log(p, res.status, b.byteLength, 'wall', (performance.now() - t).toFixed(0), 'block', Math.max(0, ...gaps).toFixed(0), 'gaps', gaps.filter(g=>g>20).map(g=>g.toFixed(0)).join(' '));
  }
}
clearInterval(tick);
if (services) { await services.stopEvaluation(); await services.stopDelivery(); }
await app.close(); c.db.close();
