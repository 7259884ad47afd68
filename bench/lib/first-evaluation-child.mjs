// Child of bench/first-evaluation.mjs: one restart of the collector of the build at argv[2] on
// the store of the config file argv[3], as `posture serve` does it (startServices: the engine
// and its first evaluation, the InfluxDB writer, the console's hand-over). A timer that should
// fire every millisecond notes every gap of the event loop; the engine's hooks are wrapped to
// tell which gaps fall in the evaluation's slices and which in its recording (deps.record, then
// afterEvaluation: history rows and alert state, dashboard points, the console's indexes and
// verdict history). Prints one JSON line.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';

const [root, file] = process.argv.slice(2);
const dist = (f) => import(pathToFileURL(join(root, 'collector/dist', f)).href);
const { openCollector, startServices } = await dist('compose.js');
const { validateConfig } = await dist('config.js');

const c = openCollector(validateConfig(parse(readFileSync(file, 'utf8')), file, dirname(file)));
const spans = { record: [], after: [] };
const timed = (name, fn) =>
  function (...args) {
    const t = performance.now();
    const r = fn.apply(this, args);
    const end = () => spans[name].push([t, performance.now()]);
    if (r && typeof r.then === 'function') return r.finally(end);
    end();
    return r;
  };
const deps = c.engine.deps;
deps.record = timed('record', deps.record);
let after;
let afterDone = 0;
Object.defineProperty(c.engine, 'afterEvaluation', {
  get: () => after,
  set: (f) => {
    after =
      f &&
      timed('after', (...args) => {
        const r = f(...args);
        if (r && typeof r.then === 'function') return r.finally(() => afterDone++);
        afterDone++;
        return r;
      });
  },
});

// Every gap between two firings of a 1 ms timer: [start, length] (what a request would wait).
const gaps = [];
let prev = performance.now();
const tick = setInterval(() => {
  const t = performance.now();
  if (t - prev > 2) gaps.push([prev, t - prev]);
  prev = t;
}, 1);
const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
await new Promise((r) => setTimeout(r, 50));
const t0 = performance.now();
prev = t0;
const services = startServices(c);
const startReturnedMs = performance.now() - t0;
while (afterDone < 1) await new Promise((r) => setTimeout(r, 5));
const done = performance.now();
await new Promise((r) => setTimeout(r, 20));
// After a timer ran: a block's delay is sampled once the loop is free again.
const firstMonitorMaxMs = h.max / 1e6;
// Then a scheduled evaluation as every interval runs one (every group due by hand), with 1% of the hosts reported anew.
const hosts = c.db.prepare('SELECT agent_id FROM hosts ORDER BY rowid').pluck().all();
const { sampleReport } = await import(pathToFileURL(join(root, 'collector/dist/simulate/sample-report.js')).href);
const { toIngestRow } = await import(pathToFileURL(join(root, 'collector/dist/ingest/rows.js')).href);
const units = new Map(c.db.prepare('SELECT agent_id, unit FROM hosts').raw().all());
const fresh = hosts.filter((_, i) => i % 100 === 0);
c.ingestCommit.commit(fresh.map((agentId) => toIngestRow({ report: sampleReport({ agentId, unit: units.get(agentId) }), unit: units.get(agentId), points: [], receivedAt: new Date() })));
await new Promise((r) => setTimeout(r, 20));
// The bench's own commit above is not the collector's to answer for.
h.reset();
const t1 = performance.now();
c.engine.nextAt.clear();
while (afterDone < 2) await new Promise((r) => setTimeout(r, 5));
const done1 = performance.now();
await new Promise((r) => setTimeout(r, 20));
clearInterval(tick);
h.disable();
const longest = (from, to) => gaps.filter(([s0, d]) => s0 + d > from && s0 < to).reduce((m, [, d]) => Math.max(m, d), 0);
const [recordStart, recordStart1] = [spans.record[0][0], spans.record[1][0]];
if (process.env.FIRST_EVAL_DEBUG)
  console.error(
    JSON.stringify({
      top: [...gaps]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 6)
        .map(([s0, d]) => [Math.round(s0 - t0), Math.round(d)]),
      record: spans.record.map(([x, y]) => [Math.round(x - t0), Math.round(y - t0)]),
      after: spans.after.map(([x, y]) => [Math.round(x - t0), Math.round(y - t0)]),
    }),
  );
await services.stopEvaluation();
await services.stopDelivery();
c.db.close();
console.log(
  JSON.stringify({
    // The first evaluation, from startServices until the console had it.
    wallMs: done - t0,
    startReturnedMs,
    longestMs: longest(t0, done),
    slicesLongestMs: longest(t0, recordStart),
    recordingLongestMs: longest(recordStart, done),
    recordMs: spans.record[0][1] - spans.record[0][0],
    afterMs: spans.after[0][1] - spans.after[0][0],
    gapsOver50: gaps.filter(([s0, d]) => s0 < done && d > 50).length,
    // The next scheduled one.
    nextLongestMs: longest(t1, done1),
    nextRecordingLongestMs: longest(recordStart1, done1),
    nextRecordMs: spans.record[1][1] - spans.record[1][0],
    nextAfterMs: spans.after[1][1] - spans.after[1][0],
    monitorMaxMs: firstMonitorMaxMs,
    nextMonitorMaxMs: h.max / 1e6,
  }),
);
