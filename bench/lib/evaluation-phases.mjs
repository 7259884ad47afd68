// Child of bench/evaluation-memory.mjs, run with --expose-gc: opens the collector on a seeded
// store and records, after a full GC, the heap in use and the RSS at each phase of two
// scheduled evaluations as `posture serve` runs them (members built, evaluated, recorded,
// report footnotes, console), then what stays resident. Prints one JSON line.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse } from 'yaml';
import { openCollector } from '../../collector/dist/app.js';
import { validateConfig } from '../../collector/dist/config.js';
import { consoleData } from '../../collector/dist/console/data.js';

const file = process.argv[2];
const c = openCollector(validateConfig(parse(readFileSync(file, 'utf8')), file, dirname(file)));
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
const phases = [];
const mark = (name) => {
  const before = process.memoryUsage().heapUsed;
  const rss = rssMb();
  globalThis.gc();
  phases.push({ name, heapBeforeGcMb: before / 1048576, heapMb: process.memoryUsage().heapUsed / 1048576, rssMb: rss });
};
mark('opened');
// The engine's own hooks, wrapped (the engine is built by compose.ts; nothing else changes).
const deps = c.engine.deps;
let round = 0;
const members = deps.members;
deps.members = (now) => {
  const m = members(now);
  mark(`${round}: members built`);
  return m;
};
const membersSliced = deps.membersSliced;
deps.membersSliced = async (now, slicer) => {
  const m = await membersSliced(now, slicer);
  mark(`${round}: members built`);
  return m;
};
const record = deps.record;
deps.record = (r) => {
  mark(`${round}: rules evaluated`);
  record(r);
};
const evaluate = async () => {
  const now = new Date();
  // What the scheduler does (Engine.start's tick): evaluate (in slices) and record, then hand it to the console.
  const { ev, members: m } = await c.engine.evaluateAndRecordSliced(now);
  mark(`${round}: recorded, report footnotes`);
  consoleData(c).afterEvaluation(now, m, ev);
};
for (round = 1; round <= 2; round++) {
  await evaluate();
  mark(`${round}: resident after the evaluation`);
}
c.db.close();
console.log(JSON.stringify(phases));
