#!/usr/bin/env node
/**
 * The reliability table: runs the fault tests (real collector, InfluxDB, Alertmanager, agent
 * daemons, a tmpfs and network namespaces: needs root) and prints, per fault, what each test
 * measured: reports sent, acknowledged, stored, lost, duplicated. The rows come from the tests
 * (testing/reliability.ts), never from this file. Exits 1 if a test failed or anything was lost
 * or duplicated.
 *
 *   node bench/reliability.mjs            (builds first; about a minute)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SMOKE } from './lib/smoke.mjs';

const root = resolve(import.meta.dirname, '..');
const TESTS = [
  'collector/src/durability.integration.test.ts',
  'collector/src/alerts/alertmanager-outage.integration.test.ts',
  'agent/src/spool-disk-full.integration.test.ts',
  'agent/src/partition.integration.test.ts',
  'collector/src/routes/reports.fuzz.test.ts',
  // --smoke: only the fuzz test (no servers), to prove the table is still made.
].filter((t) => !SMOKE || t.includes('fuzz'));

// The collector's ingest thread and the agent binary run from dist: build what changed
// (--smoke runs under npm test, which has just built).
const build = SMOKE ? { status: 0 } : spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'protocol', 'agent', 'collector', 'dashboards'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const dir = mkdtempSync(join(tmpdir(), 'posture-reliability-'));
const out = join(dir, 'rows.jsonl');
const t0 = Date.now();
const run = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...TESTS], {
  cwd: root,
  env: { ...process.env, POSTURE_RELIABILITY_OUT: out },
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
const seconds = ((Date.now() - t0) / 1000).toFixed(0);
let rows = [];
try {
  rows = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
} catch {
  // no rows: reported below with the test output
}
rmSync(dir, { recursive: true, force: true });

const cols = ['fault', 'sent', 'acknowledged', 'stored', 'lost', 'duplicated'];
console.log(`| ${cols.join(' | ')} |`);
console.log(`|${cols.map((c, i) => (i ? '---:' : '---')).join('|')}|`);
for (const r of rows) console.log(`| ${cols.map((c) => r[c]).join(' | ')} |`);
console.log('');
for (const r of rows) if (r.note) console.log(`- ${r.fault}: ${r.note}`);
const lost = rows.reduce((n, r) => n + r.lost, 0);
const dup = rows.reduce((n, r) => n + r.duplicated, 0);
console.log(`\n${rows.length} fault(s) measured in ${seconds} s; lost ${lost}, duplicated ${dup} (goal: 0 and 0)`);

// One row per test; durability.integration.test.ts records two (InfluxDB outage, SIGKILL).
const expectedRows = TESTS.length + (TESTS.some((t) => t.includes('durability')) ? 1 : 0);
if (run.status !== 0 || rows.length < expectedRows) {
  console.error(`\nfault tests failed (exit ${run.status}) or recorded ${rows.length} row(s); their output:\n${run.stdout.slice(-6000)}\n${run.stderr.slice(-4000)}`);
  process.exit(1);
}
if (lost || dup) process.exit(1);
