// Inner run of bench/openscap-agreement.mjs: in the current (possibly namespaced) view of the
// machine, evaluate OpenSCAP and the baseline probe, each measured in CPU in this same run,
// and print one JSON line. Arguments: <data stream> <profile> <results dir> <probe runs>.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalSystem } from '../../agent/dist/system.js';
import { cpuMs, cycle, median } from './baseline-cycle.mjs';

const [ds, profile, dir, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);

const c0 = cpuMs();
const t0 = performance.now();
try {
  execFileSync('oscap', ['xccdf', 'eval', '--profile', profile, '--results', join(dir, 'results.xml'), ds], { stdio: ['ignore', 'ignore', 'ignore'] });
} catch (e) {
  // oscap exits 2 when a rule fails: that is a result, not an error.
  if (e.status !== 2) throw e;
}
const oscap = { cpuMs: cpuMs() - c0, wallMs: performance.now() - t0 };
const xml = readFileSync(join(dir, 'results.xml'), 'utf8');
const rules = {};
for (const m of xml.matchAll(/<rule-result[^>]*idref="xccdf_org\.ssgproject\.content_rule_([^"]+)"[^>]*>[\s\S]*?<result>(\w+)<\/result>/g)) rules[m[1]] = m[2];

const warmSystem = new LocalSystem();
const first = await cycle(undefined, warmSystem);
const cold = [],
  warm = [];
for (let i = 0; i < runs; i++) {
  cold.push((await cycle(undefined, new LocalSystem())).cpuMs);
  warm.push((await cycle(undefined, warmSystem)).cpuMs);
}
console.log(
  JSON.stringify({
    oscap,
    rules,
    probe: { coldCpuMs: median(cold), warmCpuMs: median(warm), outcomes: Object.fromEntries(first.outcomes.map((o) => [o.id, { result: o.result, evidence: o.evidence }])) },
  }),
);
