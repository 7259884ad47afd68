#!/usr/bin/env node
// Bytes per host of the baseline facts the collector keeps for rules (host_rule_facts), for the
// real agent's report of this machine, against a same-run baseline: the [id, level, result]
// tuples kept before per-level results, and the naive form that keeps each check's title and
// reason code per host. Also the time to load 20,000 such hosts' rule inputs (loadHostInputs)
// against loading the same hosts with the old tuples.
// Run after `npx tsc -b protocol agent collector`:   node bench/baseline-facts.mjs [hosts=20000]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../collector/dist/store/db.js';
import { loadHostInputs } from '../collector/dist/store/host-facts.js';
import { HostRuleFactsStore } from '../collector/dist/store/host-rule-facts.js';
import { sized } from './lib/smoke.mjs';

const HOSTS = sized(Number(process.argv.slice(2).find((x) => /^\d+$/.test(x)) ?? 20_000), 200);
const dir = mkdtempSync(join(tmpdir(), 'posture-bench-facts-'));
try {
  writeFileSync(join(dir, 'agent.yaml'), `unit: U\nrole: server\nstateDir: ${join(dir, 'state')}\n`);
  const out = execFileSync(process.execPath, [new URL('../agent/bin/posture-agent.js', import.meta.url).pathname, '-c', join(dir, 'agent.yaml'), 'collect', '--once', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const report = JSON.parse(out);
  if (!report.probes.baseline?.ok) throw new Error(`the baseline probe failed: ${JSON.stringify(report.probes.baseline)}`);
  const checks = report.probes.baseline.facts.checks;
  const db = openDb(join(dir, 'db'));
  db.prepare("INSERT INTO units (id, name) VALUES ('U', 'U')").run();
  const agent = db.prepare("INSERT INTO agents (id, unit, credential_hash, hostname, machine_id, enrolled_at) VALUES (?, 'U', ?, 'h', 'm', 't')");
  const host = db.prepare("INSERT INTO hosts (agent_id, unit, hostname, role, systems, protected, protection_reasons, last_report_id, collected_at, received_at) VALUES (?, 'U', ?, 'server', '[]', 1, '[]', 'r', 't', 't')");
  const hostReport = db.prepare('INSERT INTO host_reports (agent_id, report) VALUES (?, ?)');
  const text = JSON.stringify(report);
  db.transaction(() => {
    for (let i = 0; i < HOSTS; i++) {
      agent.run(`a${i}`, `c${i}`);
      host.run(`a${i}`, `h${i}`);
      hostReport.run(`a${i}`, text);
    }
  })();
  // Rows written straight into hosts: their rule facts come from the stored reports (the ingest builds them itself).
  new HostRuleFactsStore(db).rebuildFromReports();
  const facts = JSON.parse(db.prepare('SELECT facts FROM host_rule_facts LIMIT 1').get().facts);
  const now = JSON.stringify(facts[3]).length;
  const before = JSON.stringify(checks.map((c) => [c.id, c.level, c.result])).length;
  const naive = JSON.stringify(checks.map((c) => [c.id, c.level, c.result, c.byLevel ?? null, c.value ?? null, c.result !== 'pass' ? c.title : null, c.reasonCode ?? null])).length;
  const notPassing = checks.filter((c) => c.result !== 'pass' || c.byLevel?.some((b) => b.result !== 'pass')).length;
  console.log(`${checks.length} checks, ${notPassing} not passing at every level on this machine`);
  console.log(`baseline facts per host: ${now} B; before per-level results ${before} B (x${(now / before).toFixed(2)}); titles and codes per host ${naive} B (x${(naive / before).toFixed(2)})`);

  const median = (f) => {
    const t = [];
    for (let i = 0; i < 5; i++) {
      const s = process.hrtime.bigint();
      f();
      t.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    return t.sort((a, b) => a - b)[2];
  };
  loadHostInputs(db);
  const withLevels = median(() => loadHostInputs(db));
  // Same hosts with the old tuples: rewrite the facts rows in place.
  const old = JSON.stringify([facts[0], facts[1], facts[2], checks.map((c) => [c.id, c.level, c.result])]);
  db.prepare('UPDATE host_rule_facts SET facts = ?').run(old);
  loadHostInputs(db);
  const oldTuples = median(() => loadHostInputs(db));
  console.log(`loadHostInputs over ${HOSTS} hosts: ${withLevels.toFixed(0)} ms; with the old tuples ${oldTuples.toFixed(0)} ms (x${(withLevels / oldTuples).toFixed(2)})`);
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
