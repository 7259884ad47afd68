/**
 * The views that keep host_rule_facts and baseline_check_titles (migrations.ts) read each report as
 * jsonb once and every check through jsonb_each, for speed on the ingest path; the facts must
 * be exactly those of the plain json form of the same views. Checked on stored reports that
 * go through the real ingest transaction (its triggers), with what could read differently:
 * per-level results, measured values written as the agent wrote them (30.0, 1e3, -0.5),
 * reason codes, titles with quotes, backslashes, control characters and non-BMP characters,
 * a failed protection probe, IPv6 reason codes, and no baseline probe at all; and on the real
 * agent's report of this machine (`collect --once --json`: its 60-odd baseline checks).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaselineCheck, Report } from '@posture/protocol';
import { AGENT_BIN, runNode } from '../../../testing/collector.js';
import { sqlAll, sqlGet } from '../../../testing/sql.js';
import { sampleReport } from '../../../testing/reports.js';
import { openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { pointsOfReport } from '../influx/points.js';
import { toIngestRow } from '../ingest/rows.js';

let dir: string;
let c: Collector;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-facts-views-'));
  c = openCollector(validateConfig({ dataDir: dir, units: [{ id: 'A', name: 'Cục A' }] }, 'test'));
});
afterAll(async () => {
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

const check = (id: string, more: Partial<BaselineCheck> = {}): BaselineCheck => ({ id, title: { vi: `Kiểm tra ${id}`, en: `Check ${id}` }, level: 2, result: 'pass', evidence: `${id}: read`, ...more });

const CHECKS: BaselineCheck[] = [
  check('plain.pass'),
  check('plain.fail', { result: 'fail', level: 1 }),
  check('unknown.coded', { result: 'unknown', reasonCode: { code: 'BASELINE_READ_FAILED', params: { path: '/etc/login.defs' } } }),
  check('retention.days', {
    value: 30,
    byLevel: [
      { level: 2, result: 'pass', threshold: 30 },
      { level: 3, result: 'fail', threshold: 90 },
    ],
  }),
  check('value.real', { value: 30.5, result: 'fail' }),
  check('value.exp', { value: 1000, result: 'fail' }),
  check('value.negative', { value: -0.5, result: 'unknown' }),
  check('title.hostile', { result: 'fail', title: { vi: 'Dấu "ngoặc" \\ gạch\tthẻ\u0007chuông 😀', en: 'Quote " back\\slash\nnewline \u0001 𝔘' } }),
  check('bylevel.all.pass', { byLevel: [{ level: 2, result: 'pass', threshold: 1 }] }),
];

/** Store `report` through the ingest transaction, its JSON text as given (the agent's own number forms). */
function store(report: Report, json = JSON.stringify(report)): void {
  const row = toIngestRow({ report, unit: 'A', points: pointsOfReport(report, 'A'), receivedAt: new Date(), json });
  expect(c.ingestCommit.commit([row]).outcomes).toEqual(['stored']);
}

const viewSql = (name: string) => sqlGet<{ sql: string }>(c.db, "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", name)!.sql;
/** The same view with plain json: the report text parsed by every json function. */
const plainForm = (sql: string) =>
  sql
    .replace(/^CREATE VIEW \w+ AS/, '')
    .replaceAll('FROM (SELECT agent_id, jsonb(report) AS report FROM hosts) h', 'FROM hosts h')
    .replaceAll('jsonb_each(', 'json_each(');

describe('rule facts views', () => {
  it('read each report once as jsonb', () => {
    for (const name of ['host_rule_facts_of', 'baseline_titles_of']) {
      const sql = viewSql(name);
      expect(sql).toContain('FROM (SELECT agent_id, jsonb(report) AS report FROM hosts) h');
      expect(sql).not.toMatch(/\bjson_each\(/);
    }
  });

  it('give exactly the facts and titles of their plain json form', () => {
    const id = Object.fromEntries(['none', 'record', 'full', 'failed'].map((k) => [k, c.agents.enroll('A', `host-${k}`, '').agentId])) as Record<'none' | 'record' | 'full' | 'failed', string>;
    store(sampleReport({ agentId: id.none, unit: 'A' }));
    store(sampleReport({ agentId: id.record, unit: 'A', ipv6: 'routed', baseline: { 'updates.automatic': 'fail', 'password.min_length': 'unknown' } }));
    const full = sampleReport({ agentId: id.full, unit: 'A', ipv6: { readiness: 'address', reasonCodes: [{ code: 'IPV6_NO_DEFAULT_ROUTE', params: {} }] }, baseline: CHECKS });
    // The agent's own number forms, kept in the stored text.
    const text = JSON.stringify(full).replace('"value":30,', '"value":30.0,').replace('"value":1000}', '"value":1e3}').replace('"threshold":90', '"threshold":9E1');
    expect(text).toContain('"value":1e3');
    store(full, text);
    const failed = sampleReport({ agentId: id.failed, unit: 'A', baseline: CHECKS.slice(0, 3) });
    failed.probes.protection = { ok: false, durationMs: 3, error: { code: 'PROBE_TIMEOUT', message: 'timed out after 30 s' } };
    store(failed);

    const facts = expectPlainFormAgrees(Object.values(id));
    // What could differ did reach the facts.
    expect(facts.get(id.full)).toContain('["retention.days",2,"pass",[[2,"pass",30],[3,"fail",90.0]],30.0,null]');
    expect(facts.get(id.full)).toContain('IPV6_NO_DEFAULT_ROUTE');
    expect(facts.get(id.failed)).toContain('PROBE_TIMEOUT');
    const hostile = sqlGet<{ title: string }>(c.db, "SELECT title FROM baseline_check_titles WHERE check_id = 'title.hostile'")!;
    expect(JSON.parse(hostile.title)).toEqual(CHECKS.find((x) => x.id === 'title.hostile')!.title);
    expect(sqlAll(c.db, 'SELECT check_id FROM baseline_check_titles ORDER BY check_id').map((r) => r.check_id)).toEqual(
      expect.arrayContaining(['plain.fail', 'retention.days', 'title.hostile', 'unknown.coded', 'value.exp', 'value.negative', 'value.real']),
    );
  });

  it("give the facts and titles of their plain json form for the real agent's report of this machine", async () => {
    const agentConfig = join(dir, 'agent.yaml');
    await writeFile(agentConfig, `unit: A\nrole: server\nstateDir: ${join(dir, 'agent-state')}\n`);
    const run = await runNode(AGENT_BIN, ['-c', agentConfig, 'collect', '--once', '--json'], {}, 120_000);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    const baseline = report.probes.baseline;
    if (!baseline?.ok) throw new Error(`the agent's baseline probe failed on this machine: ${JSON.stringify(baseline)}`);
    expect(baseline.facts.checks.length).toBeGreaterThan(20);
    const agentId = c.agents.enroll('A', 'this-machine', '').agentId;
    // Stored as the agent wrote it, under the id this store enrolled.
    store({ ...report, agentId }, run.stdout.trim().split(JSON.stringify(report.agentId)).join(JSON.stringify(agentId)));
    const facts = expectPlainFormAgrees([agentId]);
    expect((JSON.parse(facts.get(agentId)!) as unknown[])[3]).toHaveLength(baseline.facts.checks.length);
  }, 180_000);
});

/** host_rule_facts as the triggers wrote it for `agents`, and every title row, equal what the plain json views give; returns the facts. */
function expectPlainFormAgrees(agents: readonly string[]): Map<string, string> {
  const ids = `(${agents.map(() => '?').join(', ')})`;
  const stored = sqlAll<{ agent_id: string; facts: string }>(c.db, `SELECT agent_id, facts FROM host_rule_facts WHERE agent_id IN ${ids} ORDER BY agent_id`, ...agents);
  const plain = sqlAll<{ agent_id: string; facts: string }>(c.db, `SELECT agent_id, facts FROM (${plainForm(viewSql('host_rule_facts_of'))}) WHERE agent_id IN ${ids} ORDER BY agent_id`, ...agents);
  expect(stored.map((r) => r.agent_id)).toEqual([...agents].sort());
  expect(stored).toEqual(plain);
  const titles = `SELECT agent_id, check_id, title FROM baseline_titles_of ORDER BY agent_id, check_id`;
  const plainTitles = `SELECT agent_id, check_id, title FROM (${plainForm(viewSql('baseline_titles_of'))}) ORDER BY agent_id, check_id`;
  expect(sqlAll(c.db, titles)).toEqual(sqlAll(c.db, plainTitles));
  return new Map(stored.map((r) => [r.agent_id, r.facts]));
}
