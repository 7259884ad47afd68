/**
 * The ingest builds each host's rule facts and not-passing checks' titles in JavaScript from the
 * parsed report (ingest/rule-facts.ts); the SQL views of migrations.ts define the same facts
 * (they kept host_rule_facts by triggers before, and rebuild it for hosts rows written without
 * the ingest). Checked here: the facts the ingest stores are the views' JSON values (numbers
 * as numbers: the views spell a number as the agent wrote it, `30.0`, where JavaScript writes
 * `30`), on reports through the real ingest transaction with what could read differently:
 * per-level results, measured values written as the agent wrote them (30.0, 1e3, -0.5),
 * reason codes, titles with quotes, backslashes, control characters and non-BMP characters,
 * a failed protection probe, IPv6 reason codes, and no baseline probe at all; on the real
 * agent's report of this machine (`collect --once --json`: its 60-odd baseline checks); on rows
 * the triggers stored before (a store of the previous version, opened by this one); and the
 * views' jsonb form gives exactly the text of their plain json form.
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
import { ruleFactsOf } from '../ingest/rule-facts.js';
import { AgentStore } from './agents.js';
import { openDb } from './db.js';
import { MIGRATIONS } from './migrations.js';
import { ForwardOutbox } from './forward-outbox.js';
import { HostRuleFactsStore } from './host-rule-facts.js';
import { HostStore } from './hosts.js';
import { IngestCommit } from './ingest-commit.js';
import { Outbox } from './outbox.js';
import { ReportStore } from './reports.js';

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
    .replaceAll('FROM (SELECT agent_id, jsonb(report) AS report FROM host_reports) h', 'FROM host_reports h')
    .replaceAll('jsonb_each(', 'json_each(');

describe('rule facts views', () => {
  it('read each report once as jsonb', () => {
    for (const name of ['host_rule_facts_of', 'baseline_titles_of']) {
      const sql = viewSql(name);
      expect(sql).toContain('FROM (SELECT agent_id, jsonb(report) AS report FROM host_reports) h');
      expect(sql).not.toMatch(/\bjson_each\(/);
    }
  });

  it('give the facts and titles the ingest stores, and exactly the text of their plain json form', () => {
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

    const facts = expectViewsAgree(Object.values(id));
    // What could differ did reach the facts; the views spell the agent's numbers as written.
    expect(facts.get(id.full)).toContain('["retention.days",2,"pass",[[2,"pass",30],[3,"fail",90]],30,null]');
    expect(sqlGet<{ facts: string }>(c.db, 'SELECT facts FROM host_rule_facts_of WHERE agent_id = ?', id.full)!.facts).toContain('["retention.days",2,"pass",[[2,"pass",30],[3,"fail",90.0]],30.0,null]');
    expect(facts.get(id.full)).toContain('IPV6_NO_DEFAULT_ROUTE');
    expect(facts.get(id.failed)).toContain('PROBE_TIMEOUT');
    const hostile = sqlGet<{ title: string }>(c.db, "SELECT title FROM baseline_check_titles WHERE check_id = 'title.hostile'")!;
    expect(JSON.parse(hostile.title)).toEqual(CHECKS.find((x) => x.id === 'title.hostile')!.title);
    expect(sqlAll(c.db, 'SELECT check_id FROM baseline_check_titles ORDER BY check_id').map((r) => r.check_id)).toEqual(
      expect.arrayContaining(['plain.fail', 'retention.days', 'title.hostile', 'unknown.coded', 'value.exp', 'value.negative', 'value.real']),
    );
  });

  it("give the facts and titles the ingest stores for the real agent's report of this machine", async () => {
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
    const facts = expectViewsAgree([agentId]);
    expect((JSON.parse(facts.get(agentId)!) as unknown[])[3]).toHaveLength(baseline.facts.checks.length);
  }, 180_000);

  it('are written as JSON.stringify writes their values (numbers, escapes, codes)', () => {
    const odd = sampleReport({
      agentId: 'a-odd',
      unit: 'A',
      ipv6: { readiness: 'none', reasonCodes: [{ code: 'IPV6_DISABLED', params: { by: 'quote " \\ \n' } }] },
      baseline: [...CHECKS, check('value.tiny', { value: 1e-7, result: 'fail' }), check('value.huge', { value: 1e21, byLevel: [{ level: 2, result: 'fail', threshold: 0.1 + 0.2 }] })],
    });
    const { facts, titles } = ruleFactsOf(odd);
    expect(facts).toBe(JSON.stringify(JSON.parse(facts)));
    expect(facts).toContain('["value.huge",2,"pass",[[2,"fail",0.30000000000000004]],1e+21,null]');
    const titleOf = new Map(odd.probes.baseline?.ok ? odd.probes.baseline.facts.checks.map((k) => [k.id, k.title]) : []);
    for (const t of titles) expect(JSON.parse(t.json)).toEqual([t.id, titleOf.get(t.id)]);
    expect(titles.map((t) => t.id)).toEqual(['plain.fail', 'unknown.coded', 'retention.days', 'value.real', 'value.exp', 'value.negative', 'title.hostile', 'value.tiny', 'value.huge']);
  });

  it("keep a host's facts when an older report (a spool draining) is stored after a newer one", () => {
    const agentId = c.agents.enroll('A', 'host-order', '').agentId;
    const newer = sampleReport({ agentId, unit: 'A', collectedAt: new Date(Date.now() - 60_000), baseline: { 'updates.automatic': 'fail' } });
    const older = sampleReport({ agentId, unit: 'A', collectedAt: new Date(Date.now() - 3_600_000), baseline: { 'updates.automatic': 'pass', 'password.min_length': 'unknown' } });
    store(newer);
    store(older);
    expect(sqlGet<{ facts: string }>(c.db, 'SELECT facts FROM host_rule_facts WHERE agent_id = ?', agentId)!.facts).toBe(ruleFactsOf(newer).facts);
    expectViewsAgree([agentId]);
  });

  it('are rebuilt from the stored reports by the views for hosts rows written without the ingest', () => {
    const before = sqlAll<{ agent_id: string; facts: string }>(c.db, 'SELECT agent_id, facts FROM host_rule_facts ORDER BY agent_id');
    expect(before.length).toBeGreaterThan(3);
    c.db.exec('DELETE FROM host_rule_facts; DELETE FROM baseline_check_titles');
    new HostRuleFactsStore(c.db).rebuildFromReports();
    expect(parsedRows(sqlAll(c.db, 'SELECT agent_id, facts FROM host_rule_facts ORDER BY agent_id'))).toEqual(parsedRows(before));
    expectViewsAgree(
      before.map((r) => r.agent_id),
      '',
    );
  });
});

/** The schema version before the migration that dropped the triggers: the last one whose triggers built the facts. */
const TRIGGERS_DROPPED = MIGRATIONS.findIndex((m) => typeof m === 'string' && m.trim() === 'DROP TRIGGER host_rule_facts_ins;\n  DROP TRIGGER host_rule_facts_upd;');

describe('rule facts stored by the previous version', () => {
  it('stay as its triggers wrote them, equal the facts the ingest builds now, and are replaced by the next report', async () => {
    const old = await mkdtemp(join(tmpdir(), 'posture-facts-old-'));
    try {
      // The previous version's store: its triggers build the facts of rows written straight into hosts.
      expect(TRIGGERS_DROPPED).toBeGreaterThan(0);
      const prev = openDb(old, TRIGGERS_DROPPED);
      prev.prepare("INSERT INTO units (id, name) VALUES ('A', 'Cục A')").run();
      const reports = [
        sampleReport({ agentId: 'a-plain', unit: 'A' }),
        sampleReport({ agentId: 'a-full', unit: 'A', ipv6: { readiness: 'address', reasonCodes: [{ code: 'IPV6_NO_DEFAULT_ROUTE', params: {} }] }, baseline: CHECKS }),
        sampleReport({ agentId: 'a-none', unit: 'A', baseline: { 'updates.automatic': 'fail', 'password.min_length': 'unknown' } }),
      ];
      delete reports[2]!.probes.baseline;
      for (const r of reports) {
        prev.prepare("INSERT INTO agents (id, unit, credential_hash, hostname, machine_id, enrolled_at) VALUES (?, 'A', ?, 'h', '', '2026-11-01T00:00:00Z')").run(r.agentId, `hash-${r.agentId}`);
        prev
          .prepare("INSERT INTO hosts (agent_id, unit, hostname, role, systems, protected, protection_reasons, last_report_id, collected_at, collected_ms, received_at, report) VALUES (?, 'A', 'h', 'server', '[]', 1, '[]', ?, ?, ?, ?, ?)")
          .run(r.agentId, r.reportId, r.collectedAt, Date.parse(r.collectedAt), r.collectedAt, JSON.stringify(r));
      }
      const written = sqlAll<{ agent_id: string; facts: string }>(prev, 'SELECT agent_id, facts FROM host_rule_facts ORDER BY agent_id');
      expect(written.map((r) => r.agent_id)).toEqual(['a-full', 'a-none', 'a-plain']);
      prev.close();

      const db = openDb(old);
      try {
        expect(sqlAll(db, 'SELECT agent_id, facts FROM host_rule_facts ORDER BY agent_id')).toEqual(written);
        const byId = new Map(reports.map((r) => [r.agentId, r]));
        for (const w of written) expect(JSON.parse(ruleFactsOf(byId.get(w.agent_id)!).facts)).toEqual(JSON.parse(w.facts));
        expect(sqlAll(db, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'host_rule_facts%'")).toEqual([{ name: 'host_rule_facts_del' }]);
        // Each report moved out of its hosts row, whole.
        expect(sqlAll(db, "SELECT name FROM pragma_table_info('hosts') WHERE name = 'report'")).toEqual([]);
        for (const r of reports) expect(new HostStore(db).latestReport(r.agentId)).toEqual(r);
        const next = sampleReport({ agentId: 'a-full', unit: 'A', baseline: { 'updates.automatic': 'fail' } });
        const commit = new IngestCommit(db, { reports: new ReportStore(db), hosts: new HostStore(db), outbox: new Outbox(db), forwardOutbox: new ForwardOutbox(db), agents: new AgentStore(db) });
        expect(commit.commit([toIngestRow({ report: next, unit: 'A', points: [], receivedAt: new Date() })]).outcomes).toEqual(['stored']);
        expect(sqlGet<{ facts: string }>(db, "SELECT facts FROM host_rule_facts WHERE agent_id = 'a-full'")!.facts).toBe(ruleFactsOf(next).facts);
      } finally {
        db.close();
      }
    } finally {
      await rm(old, { recursive: true, force: true });
    }
  });
});

const parsedRows = (rows: { agent_id: string; facts: string }[]) => rows.map((r) => ({ agent_id: r.agent_id, facts: JSON.parse(r.facts) as unknown }));

/**
 * host_rule_facts as the ingest wrote it for `agents` holds the JSON values the views give, the
 * views' jsonb form the exact text of their plain json form, and every title the views name is
 * in baseline_check_titles (`last`: the agent whose report was stored last, none after a
 * rebuild); returns the stored facts.
 */
function expectViewsAgree(agents: readonly string[], last = agents.at(-1)): Map<string, string> {
  const ids = `(${agents.map(() => '?').join(', ')})`;
  const stored = sqlAll<{ agent_id: string; facts: string }>(c.db, `SELECT agent_id, facts FROM host_rule_facts WHERE agent_id IN ${ids} ORDER BY agent_id`, ...agents);
  const view = sqlAll<{ agent_id: string; facts: string }>(c.db, `SELECT agent_id, facts FROM host_rule_facts_of WHERE agent_id IN ${ids} ORDER BY agent_id`, ...agents);
  const plain = sqlAll<{ agent_id: string; facts: string }>(c.db, `SELECT agent_id, facts FROM (${plainForm(viewSql('host_rule_facts_of'))}) WHERE agent_id IN ${ids} ORDER BY agent_id`, ...agents);
  expect(stored.map((r) => r.agent_id)).toEqual([...agents].sort());
  expect(parsedRows(stored)).toEqual(parsedRows(view));
  expect(view).toEqual(plain);
  const titles = `SELECT agent_id, check_id, title FROM baseline_titles_of ORDER BY agent_id, check_id`;
  const plainTitles = `SELECT agent_id, check_id, title FROM (${plainForm(viewSql('baseline_titles_of'))}) ORDER BY agent_id, check_id`;
  const viewTitles = sqlAll<{ agent_id: string; check_id: string; title: string }>(c.db, titles);
  expect(viewTitles).toEqual(sqlAll(c.db, plainTitles));
  // A check's title is the one the last host stored that does not pass it sent: exactly that of
  // `last`, for the others one that some host sent.
  const kept = new Map(sqlAll<{ check_id: string; title: string }>(c.db, 'SELECT check_id, title FROM baseline_check_titles').map((r) => [r.check_id, JSON.parse(r.title) as unknown]));
  for (const t of viewTitles.filter((t) => agents.includes(t.agent_id))) {
    if (t.agent_id === last) expect([t.check_id, kept.get(t.check_id)]).toEqual([t.check_id, JSON.parse(t.title)]);
    else expect(viewTitles.filter((v) => v.check_id === t.check_id).map((v) => JSON.parse(v.title) as unknown)).toContainEqual(kept.get(t.check_id));
  }
  return new Map(stored.map((r) => [r.agent_id, r.facts]));
}
