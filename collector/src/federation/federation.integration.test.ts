/**
 * Integration: federation with real collector processes on loopback. Two unit collectors
 * (Cục Hàng hải, Tổng cục Đường bộ) take reports from simulated fleets through the real API and
 * forward them to the ministry's collector. Checked: the ministry's report shows each unit's
 * hosts with the unit's own ratios, and ministry-wide ratios over both; reports acknowledged
 * while the ministry is down arrive once it is back, exactly once; a unit collector SIGKILLed
 * with a non-empty forward outbox loses nothing; a relay of one unit cannot bring in another
 * unit's hosts (refused per item, kept aside with the reason, queued again once fixed).
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTURE_BIN, TEST_TOKENS, TEST_UNITS, collectorFixture, runNode, startCollectorProcess, type CollectorFixture, type CollectorProcess } from '../../../testing/collector.js';
import { waitFor } from '../../../testing/ports.js';
import { buildFleet, type VirtualHost } from '../simulate/fleet.js';
import { simulate } from '../simulate/run.js';
import { sqlAll } from '../../../testing/sql.js';

const unitOf = (id: string) => TEST_UNITS.find((u) => u.id === id)!;
const CHHVN = unitOf('CHHVN');
const TCDBVN = unitOf('TCDBVN');

interface Node {
  f: CollectorFixture;
  proc?: CollectorProcess | undefined;
}
let ministry: Node;
let unitA: Node;
let unitB: Node;
const fleetA = buildFleet({ hosts: 40, units: [CHHVN.id], shares: { protected: 0.8, stale: 0, ipv6Ready: 0.4 }, seed: 11, systemsPerUnit: 3 });
const fleetB = buildFleet({ hosts: 30, units: [TCDBVN.id], shares: { protected: 0.6, stale: 0, ipv6Ready: 0.2 }, seed: 12, systemsPerUnit: 3 });
const acked = new Set<string>();

/** The store of a collector, read beside the running process (SQLite WAL allows it). */
function query<T>(n: Node, sql: string, ...args: unknown[]): T[] {
  const db = new Database(join(n.f.dir, 'data', 'posture.sqlite'), { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return sqlAll<T>(db, sql, ...args);
  } finally {
    db.close();
  }
}
const count = (n: Node, sql: string, ...args: unknown[]) => query<{ n: number }>(n, `SELECT count(*) AS n FROM (${sql})`, ...args)[0]!.n;
const reportIdsOf = (n: Node, unit: string) => new Set(query<{ report_id: string }>(n, 'SELECT r.report_id FROM reports r JOIN agents a ON a.id = r.agent_id WHERE a.unit = ?', unit).map((r) => r.report_id));

async function send(n: Node, unit: { id: string; enrollmentSecret: string }, hosts: VirtualHost[]): Promise<void> {
  const stats = await simulate({ url: n.f.url, hosts, secrets: new Map([[unit.id, unit.enrollmentSecret]]), rate: 1000, durationSeconds: 30, reports: hosts.length, stateFile: join(n.f.dir, 'fleet-creds.json') });
  expect(stats.errors).toEqual({});
  expect(stats.accepted).toBe(hosts.length);
  stats.ackedIds.forEach((id) => acked.add(id));
}

/** Wait until the ministry holds every report the unit collector stored for `unit`. */
async function converged(unit: string, from: Node): Promise<void> {
  await waitFor(
    `the ministry to hold every ${unit} report of the unit collector`,
    async () => {
      const refused = new Set(query<{ report_id: string }>(from, 'SELECT report_id FROM forward_refused').map((r) => r.report_id));
      const want = [...reportIdsOf(from, unit)].filter((id) => !refused.has(id));
      const got = reportIdsOf(ministry, unit);
      return want.length > 0 && want.every((id) => got.has(id)) && count(from, 'SELECT 1 FROM forward_outbox') === 0;
    },
    30_000,
    200,
  );
}

interface ScopeRow {
  scope: string;
  pass: number;
  total: number;
  ratio: number | null;
}
type Appendix = { indicators: { id: string; ministry: ScopeRow; units: ScopeRow[] }[] };
async function appendix(n: Node): Promise<Appendix> {
  const res = await fetch(`${n.f.url}/api/v1/report?format=json&fresh=1&directive=2224-QD-BGTVT`, { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Appendix;
}
const unitRows = (a: Appendix, unit: string) => a.indicators.map((i) => ({ indicator: i.id, ...i.units.find((u) => u.scope === unit)! }));

const unitCollector = (unit: { id: string; name: string }) => collectorFixture({ units: [{ id: unit.id, name: unit.name }], upstream: { url: ministry.f.url, intervalMs: 100, backoffMinMs: 100, backoffMaxMs: 800, batchSize: 25 } });

beforeAll(async () => {
  ministry = { f: await collectorFixture() };
  ministry.proc = await startCollectorProcess(ministry.f);
  // Unit collectors enroll their own agents with their own secrets (the fixture's TEST_UNITS
  // secrets are the ministry's; a unit collector gets its own).
  unitA = { f: await unitCollector(CHHVN) };
  unitB = { f: await unitCollector(TCDBVN) };
  for (const [n, u] of [
    [unitA, CHHVN],
    [unitB, TCDBVN],
  ] as const) {
    const cfg = parse(await readFile(n.f.configFile, 'utf8')) as { units: { enrollmentSecret?: string }[] };
    cfg.units[0]!.enrollmentSecret = u.enrollmentSecret;
    await writeFile(n.f.configFile, stringify(cfg));
  }
}, 60_000);

afterAll(async () => {
  for (const n of [unitA, unitB, ministry]) await n?.proc?.stop();
  for (const n of [unitA, unitB, ministry]) if (n) await rm(n.f.dir, { recursive: true, force: true });
});

describe('federation: unit collectors forward to the ministry collector', { timeout: 60_000 }, () => {
  it('enrolls a unit collector as a relay with its unit secret, and refuses a wrong one with the reason', async () => {
    const wrong = await runNode(POSTURE_BIN, ['-c', unitA.f.configFile, 'upstream', 'enroll', '--secret', TCDBVN.enrollmentSecret]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('ENROLL_DENIED');
    const ok = await runNode(POSTURE_BIN, ['-c', unitA.f.configFile, 'upstream', 'enroll', '--secret', CHHVN.enrollmentSecret, '--name', 'hh-collector']);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/enrolled as relay r-.* of unit CHHVN/);
    unitA.proc = await startCollectorProcess(unitA.f);
  });

  it("shows the unit's hosts at the ministry with the unit's own ratios", async () => {
    await send(unitA, CHHVN, fleetA);
    await converged(CHHVN.id, unitA);
    const [atUnit, atMinistry] = [await appendix(unitA), await appendix(ministry)];
    const ep = unitRows(atMinistry, CHHVN.id).find((r) => r.indicator === 'endpoint_protection')!;
    expect(ep).toMatchObject({ pass: fleetA.filter((h) => h.protected).length, total: fleetA.length });
    expect(unitRows(atMinistry, CHHVN.id)).toEqual(unitRows(atUnit, CHHVN.id));
  });

  it('keeps what it acknowledged while the ministry is down and delivers it exactly once when it is back', async () => {
    await ministry.proc!.stop();
    await send(unitA, CHHVN, fleetA);
    await new Promise((r) => setTimeout(r, 1500)); // several failed attempts, backing off
    expect(count(unitA, 'SELECT 1 FROM forward_outbox')).toBe(fleetA.length);
    ministry.proc = await startCollectorProcess(ministry.f);
    await converged(CHHVN.id, unitA);
    expect(reportIdsOf(ministry, CHHVN.id)).toEqual(reportIdsOf(unitA, CHHVN.id));
    expect(count(ministry, 'SELECT 1 FROM reports')).toBe(2 * fleetA.length);
    expect(count(unitA, 'SELECT 1 FROM forward_refused')).toBe(0);
  });

  it('loses nothing when the unit collector is SIGKILLed with a non-empty forward outbox', async () => {
    await ministry.proc!.stop();
    await send(unitA, CHHVN, fleetA);
    expect(count(unitA, 'SELECT 1 FROM forward_outbox')).toBe(fleetA.length);
    await unitA.proc!.kill();
    unitA.proc = await startCollectorProcess(unitA.f);
    ministry.proc = await startCollectorProcess(ministry.f);
    await converged(CHHVN.id, unitA);
    const atMinistry = reportIdsOf(ministry, CHHVN.id);
    expect([...acked].filter((id) => !atMinistry.has(id))).toEqual([]);
    expect(atMinistry.size).toBe(3 * fleetA.length);
  });

  it("refuses, per item, a relay of one unit bringing in another unit's hosts", async () => {
    // Unit B's collector misconfigured with unit A's relay credential.
    await mkdir(join(unitB.f.dir, 'data'), { recursive: true });
    await copyFile(join(unitA.f.dir, 'data', 'upstream.credential'), join(unitB.f.dir, 'data', 'upstream.credential'));
    unitB.proc = await startCollectorProcess(unitB.f);
    await send(unitB, TCDBVN, fleetB);
    await waitFor('unit B to set aside the refused reports', async () => count(unitB, 'SELECT 1 FROM forward_outbox') === 0, 20_000, 200);
    const refused = query<{ code: string; reason: string }>(unitB, 'SELECT code, reason FROM forward_refused');
    expect(refused).toHaveLength(fleetB.length);
    expect(new Set(refused.map((r) => r.code))).toEqual(new Set(['UNIT_MISMATCH']));
    expect(refused[0]!.reason).toContain('claims unit "TCDBVN" but this agent is enrolled for unit "CHHVN"');
    expect(count(ministry, "SELECT 1 FROM agents WHERE unit = 'TCDBVN'")).toBe(0);
    expect(count(ministry, "SELECT 1 FROM hosts WHERE unit = 'TCDBVN'")).toBe(0);
  });

  it('gives ministry-wide ratios over both units once unit B forwards with its own relay credential', async () => {
    const ok = await runNode(POSTURE_BIN, ['-c', unitB.f.configFile, 'upstream', 'enroll', '--secret', TCDBVN.enrollmentSecret]);
    expect(ok.code).toBe(0);
    // The credential file is read at each batch: no restart needed. What was refused with the
    // wrong credential is queued again and now arrives too: nothing unit B acknowledged is lost.
    const requeue = await runNode(POSTURE_BIN, ['-c', unitB.f.configFile, 'upstream', 'requeue', '--code', 'UNIT_MISMATCH']);
    expect(requeue.stdout).toContain(`${fleetB.length} refused report(s) queued again`);
    await send(unitB, TCDBVN, fleetB);
    await converged(TCDBVN.id, unitB);
    expect(count(unitB, 'SELECT 1 FROM forward_refused')).toBe(0);
    expect(reportIdsOf(ministry, TCDBVN.id)).toEqual(reportIdsOf(unitB, TCDBVN.id));
    expect([...acked].filter((id) => !reportIdsOf(ministry, CHHVN.id).has(id) && !reportIdsOf(ministry, TCDBVN.id).has(id))).toEqual([]);
    const m = await appendix(ministry);
    expect(unitRows(m, TCDBVN.id)).toEqual(unitRows(await appendix(unitB), TCDBVN.id));
    expect(unitRows(m, CHHVN.id)).toEqual(unitRows(await appendix(unitA), CHHVN.id));
    const ep = m.indicators.find((i) => i.id === 'endpoint_protection')!.ministry;
    const both = [...fleetA, ...fleetB];
    expect(ep).toMatchObject({ pass: both.filter((h) => h.protected).length, total: both.length });
    expect(ep.ratio).toBeCloseTo(both.filter((h) => h.protected).length / both.length, 6);
  });
});
