#!/usr/bin/env node
/**
 * Benchmark: the appendix report and the dashboard inventory points on a large fleet, as
 * ratios against the baseline measured in the same run: one plain indicator evaluation
 * (engine.evaluateNow, what the first report did). The report GET serves the last recorded
 * evaluation (rendered once); `fresh` evaluates anew.
 *
 *   npm run build && node bench/report.mjs            # 20,000 hosts, 30 units, 600 systems
 *   BENCH_HOSTS=50000 node bench/report.mjs
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCollector } from '../collector/dist/app.js';
import { validateConfig } from '../collector/dist/config.js';
import { inventoryPoints } from '../collector/dist/influx/inventory.js';
import { pointsOfReport } from '../collector/dist/influx/points.js';
import { buildReport } from '../collector/dist/report/source.js';
import { render } from '../collector/dist/report/render.js';
import { sampleReport } from '../collector/dist/simulate/sample-report.js';
import { sized } from './lib/smoke.mjs';

const HOSTS = sized(Number(process.env.BENCH_HOSTS ?? 20_000), 200);
const UNITS = 30;
const SYSTEMS = 600;
const RUNS = sized(Number(process.env.BENCH_RUNS ?? 7), 1);
const LEVELS = ['none', 'address', 'routed', 'dual-stack-services', 'ready'];

const dir = mkdtempSync(join(tmpdir(), 'posture-bench-report-'));
const units = Array.from({ length: UNITS }, (_, i) => ({ id: `U${i}`, name: `Đơn vị số ${i}` }));
const config = validateConfig({ dataDir: join(dir, 'data'), units }, 'bench');
const c = openCollector(config);

// The registry: a third classified, a third without a deployed plan, a third without a level; some portals.
c.systems.replaceAll(
  Array.from({ length: SYSTEMS }, (_, i) => ({
    id: `sys-${i}`,
    name: `Hệ thống ${i}`,
    ownerUnit: `U${i % UNITS}`,
    ...(i % 3 !== 2 ? { level: 1 + (i % 4) } : {}),
    ...(i % 3 === 0 ? { approval: { number: `${i}/QĐ`, date: '2022-01-01' }, protectionPlan: { deployed: true } } : {}),
    tags: i % 50 === 0 ? ['portal'] : [],
  })),
);

function report(i, at) {
  const prot = i % 7 !== 0;
  return sampleReport({
    agentId: `a-${i}`,
    unit: `U${i % UNITS}`,
    index: i,
    hostname: `host-${i}`,
    role: i % 2 ? 'server' : 'workstation',
    protected: prot,
    systems: [`sys-${i % (SYSTEMS + 40)}`],
    collectedAt: at,
    ipv6: LEVELS[i % 5],
  });
}

const now = new Date();
const t0 = performance.now();
// Agents must exist for the hosts' foreign key; one transaction for the whole fill.
const enrollStmt = c.db.prepare("INSERT INTO agents (id, unit, credential_hash, hostname, machine_id, enrolled_at) VALUES (?, ?, ?, ?, '', ?)");
c.db.transaction(() => {
  for (let i = 0; i < HOSTS; i++) {
    const unit = `U${i % UNITS}`;
    enrollStmt.run(`a-${i}`, unit, `h-${i}`, `host-${i}`, now.toISOString());
    const r = report(i, now);
    c.storeReport(r, unit, pointsOfReport(r, unit), now);
  }
})();
// Some history for --at.
for (let k = 0; k < 3; k++) c.engine.evaluateAndRecord(new Date(now.getTime() - (3 - k) * 300_000));
console.log(`fleet: ${HOSTS} hosts, ${UNITS} units, ${SYSTEMS} registered systems (+ declared ones); filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

function time(fn) {
  const ms = [];
  let out;
  for (let r = 0; r < RUNS; r++) {
    const s = performance.now();
    out = fn();
    ms.push(performance.now() - s);
  }
  ms.sort((a, b) => a - b);
  return { ms: ms[Math.floor(ms.length / 2)], out };
}

const base = time(() => c.engine.evaluateNow(now));
// inventoryPoints takes the members an evaluation counted (one definition of every figure).
const { members } = c.engine.evaluateNowWithMembers(now);
const live = time(() => buildReport(c, undefined, now, true));
// The first call renders and keeps the body; what GET /api/v1/report serves after is the median.
const served = time(() => c.lastReport.rendered('json', 'vi'));
const rows = [
  ['baseline: engine.evaluateNow()', base.ms],
  ['buildReport(fresh) live (evaluation + portals)', live.ms],
  ['buildReport() from the last recorded evaluation', time(() => buildReport(c, undefined, now)).ms],
  ['served json body (last evaluation, rendered once)', served.ms],
  ...['markdown', 'csv', 'json', 'html'].map((f) => [`render ${f} (on the built model)`, time(() => render(live.out, f, 'vi')).ms]),
  ['buildReport(at) from history', time(() => buildReport(c, new Date(now.getTime() - 400_000), now)).ms],
  ['inventoryPoints() per evaluation (system + collector points)', time(() => inventoryPoints(c, members, now)).ms],
];
const w = Math.max(...rows.map((r) => r[0].length));
console.log(`median of ${RUNS} runs; ratio = time / baseline`);
for (const [name, ms] of rows) console.log(`${name.padEnd(w)}  ${ms.toFixed(1).padStart(8)} ms  ${(ms / base.ms).toFixed(2).padStart(6)}x`);
const html = render(live.out, 'html', 'vi').body;
console.log(`html size: ${(html.length / 1024).toFixed(0)} KiB (failing lists capped at 200 per indicator); systems points: ${inventoryPoints(c, members, now).length - 1}`);
c.db.close();
rmSync(dir, { recursive: true, force: true });
