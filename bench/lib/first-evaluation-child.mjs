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
let afterDone = false;
Object.defineProperty(c.engine, 'afterEvaluation', {
  get: () => after,
  set: (f) => {
    after =
      f &&
      timed('after', (...args) => {
        const r = f(...args);
        if (r && typeof r.then === 'function') return r.finally(() => (afterDone = true));
        afterDone = true;
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
while (!afterDone) await new Promise((r) => setTimeout(r, 5));
const done = performance.now();
await new Promise((r) => setTimeout(r, 20));
clearInterval(tick);
h.disable();
const longest = (from, to) => gaps.filter(([s, d]) => s + d > from && s < to).reduce((m, [, d]) => Math.max(m, d), 0);
const recordStart = spans.record[0][0];
const sum = (xs) => xs.reduce((s, [a, b]) => s + (b - a), 0);
await services.stopEvaluation();
await services.stopDelivery();
c.db.close();
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
console.log(
  JSON.stringify({
    // The first evaluation, from startServices until the console had it.
    wallMs: done - t0,
    startReturnedMs,
    longestMs: longest(t0, done),
    slicesLongestMs: longest(t0, recordStart),
    recordingLongestMs: longest(recordStart, done),
    recordingWallMs: done - recordStart,
    recordMs: sum(spans.record),
    afterMs: sum(spans.after),
    monitorMaxMs: h.max / 1e6,
    gapsOver50: gaps.filter(([, d]) => d > 50).length,
  }),
);
