#!/usr/bin/env node
/**
 * Benchmark: the appendix report in every format (Markdown, CSV, JSON, HTML with its inline SVG
 * charts, Word .docx) on a large fleet with 100 days of stored evaluations (trend lines and the
 * comparison with the previous quarter), as ratios against the baseline measured in the same
 * run: the plain Markdown report evaluated anew (buildReport fresh + render markdown). Also what
 * GET /api/v1/report serves between evaluations (the last recorded evaluation, rendered once),
 * the dashboard inventory points and a plain evaluation, against the same baseline.
 *
 *   npm run build && node --expose-gc bench/report.mjs   # 20,000 hosts, 30 units, 600 systems
 *   (with --expose-gc each case starts after a full GC, so one case's garbage is not collected on another's time)
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
const HISTORY_DAYS = sized(Number(process.env.BENCH_HISTORY_DAYS ?? 100), 5);
const LEVELS = ['none', 'address', 'routed', 'dual-stack-services', 'ready'];

const dir = mkdtempSync(join(tmpdir(), 'posture-bench-report-'));
const units = Array.from({ length: UNITS }, (_, i) => ({ id: `U${i}`, name: `Đơn vị số ${i}`, shortName: `ĐV ${i}` }));
const config = validateConfig({ dataDir: join(dir, 'data'), units, report: { filing: { documentNumber: '…/BGTVT-TTCNTT', issuer: 'Bộ Giao thông vận tải' } } }, 'bench');
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
// History: one evaluation a day for HISTORY_DAYS days (trend lines, the previous quarter's
// comparison), and three in the last quarter hour (--at).
for (let d = HISTORY_DAYS; d >= 1; d--) c.engine.evaluateAndRecord(new Date(now.getTime() - d * 86_400_000));
for (let k = 0; k < 3; k++) c.engine.evaluateAndRecord(new Date(now.getTime() - (3 - k) * 300_000));
console.log(`fleet: ${HOSTS} hosts, ${UNITS} units, ${SYSTEMS} registered systems (+ declared ones), ${HISTORY_DAYS} days of stored evaluations; filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const D2022 = '2224-QD-BGTVT';
const opts = { directive: D2022, fresh: true };
const FORMATS = ['markdown', 'csv', 'json', 'html', 'docx'];
// Warm up every path once (JIT), so the first format timed is not the slowest by accident.
for (const f of FORMATS) await render(buildReport(c, opts, now), f, 'vi');
/**
 * Interleaved: each run times every case once, in turn, so a burst of load from elsewhere on
 * the machine falls on all cases alike instead of on whichever was being timed; medians of RUNS.
 */
async function timeAll(cases) {
  const ms = cases.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    for (const [i, [, fn]] of cases.entries()) {
      globalThis.gc?.();
      const s = performance.now();
      await fn();
      ms[i].push(performance.now() - s);
    }
  }
  return cases.map(([name], i) => [name, ms[i].sort((a, b) => a - b)[Math.floor(RUNS / 2)]]);
}
const built = buildReport(c, opts, now);
const { members } = c.engine.evaluateNowWithMembers(now);
const endToEnd = await timeAll([
  ['baseline: Markdown report (buildReport fresh + render markdown)', () => render(buildReport(c, opts, now), 'markdown', 'vi')],
  ...FORMATS.slice(1).map((f) => [`${f} report (buildReport fresh + render${f === 'html' ? ', with SVG charts' : ''})`, () => render(buildReport(c, opts, now), f, 'vi')]),
  ['buildReport(fresh) alone (evaluation, portals, trend, comparison)', () => buildReport(c, opts, now)],
  ['buildReport() from the last recorded evaluation', () => buildReport(c, { directive: D2022 }, now)],
  // The first call renders and keeps the body; what GET /api/v1/report serves after is the median.
  ['served json body (last evaluation, rendered once)', () => c.lastReport.rendered(`json/vi/${D2022}`, async () => ({ ...(await render(buildReport(c, { directive: D2022 }, now), 'json', 'vi')), fileName: 'x' }))],
  ['buildReport(at) from history', () => buildReport(c, { ...opts, fresh: false, at: new Date(now.getTime() - 400_000) }, now)],
  ['engine.evaluateNow()', () => c.engine.evaluateNow(now)],
  ['inventoryPoints() per evaluation (system + collector points)', () => inventoryPoints(c, members, now)],
]);
const renders = await timeAll(FORMATS.map((f) => [`render ${f} alone (on the built model${f === 'html' ? ', with SVG charts' : ''})`, () => render(built, f, 'vi')]));
const base = { ms: endToEnd[0][1] };
const renderMd = { ms: renders[0][1] };
const rows = [...endToEnd.slice(0, FORMATS.length), ...renders, ...endToEnd.slice(FORMATS.length)];
const w = Math.max(...rows.map((r) => r[0].length));
console.log(`median of ${RUNS} runs; ratio = time / baseline (the Markdown report); render-only ratio = time / render markdown alone (${renderMd.ms.toFixed(1)} ms)`);
for (const [name, ms] of rows) {
  const renderOnly = name.startsWith('render ') ? `  ${(ms / renderMd.ms).toFixed(2).padStart(6)}x render-only` : '';
  console.log(`${name.padEnd(w)}  ${ms.toFixed(1).padStart(8)} ms  ${(ms / base.ms).toFixed(2).padStart(6)}x${renderOnly}`);
}
const size = async (f) => (await render(built, f, 'vi')).body.length;
console.log(
  `sizes: markdown ${((await size('markdown')) / 1024).toFixed(0)} KiB, html ${((await size('html')) / 1024).toFixed(0)} KiB, docx ${((await size('docx')) / 1024).toFixed(0)} KiB (failing lists capped at 200 per indicator); trend points per indicator: ${built.indicators[0].trend.length}; compared with ${built.compare?.evaluatedAt ?? 'nothing'}; systems points: ${inventoryPoints(c, members, now).length - 1}`,
);
c.db.close();
rmSync(dir, { recursive: true, force: true });
