/**
 * Integration (real influxd, the collector as a process, concurrent senders on keep-alive):
 * 1. InfluxDB stopped under load, then restarted: reports keep being acknowledged, the outbox
 *    grows (metric and log line), then drains; every acknowledged report's points arrive once.
 * 2. The collector SIGKILLed under load, then restarted: every acknowledged report is in the
 *    state store, and after the drain InfluxDB holds exactly the stored reports' points.
 * 3. SIGTERM under load: in-flight reports finish, the outbox is flushed, exit code 0.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from './auth/secrets.js';
import { TEST_UNITS, collectorFixture, startCollectorProcess, type CollectorFixture, type CollectorProcess } from '../../testing/collector.js';
import { cleanupInfluxd, startInfluxd, type Influxd } from '../../testing/influxd.js';
import { waitFor } from '../../testing/ports.js';
import { recordReliability } from '../../testing/reliability.js';
import { sampleReport } from '../../testing/reports.js';
import { openCollector } from './app.js';
import { loadConfig } from './config.js';
import { sqlAll } from '../../testing/sql.js';

const DB = 'posture_durability';
const VIEWER = 'pt_durability-viewer-0123456789abcdefghijklmnopq';
let influx: Influxd;
let fx: CollectorFixture;
let proc: CollectorProcess | undefined;
const agents: { agentId: string; credential: string; unit: string; next: number }[] = [];
/** agent id -> collectedAt (ms) of every acknowledged report. */
const acked = new Map<string, Set<number>>();
const ackedIds = new Set<string>();
const start = Date.now() - 600_000;

beforeAll(async () => {
  influx = await startInfluxd();
  fx = await collectorFixture({
    influx: { url: influx.url, database: DB, flushIntervalMs: 100 },
    auth: { tokens: [{ name: 'test', role: 'viewer', sha256: sha256(VIEWER) }] },
    limits: { enrollPerMinute: 1000 },
  });
  proc = await startCollectorProcess(fx);
  for (let i = 0; i < 8; i++) {
    const unit = TEST_UNITS[i % 3]!;
    const res = await fetch(`${fx.url}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ unit: unit.id, secret: unit.enrollmentSecret, hostname: `load-${i}`, machineId: '' }),
    });
    expect(res.status).toBe(201);
    agents.push({ ...((await res.json()) as { agentId: string; credential: string }), unit: unit.id, next: 0 });
  }
});

afterAll(async () => {
  await proc?.stop();
  await cleanupInfluxd(influx);
  await rm(fx.dir, { recursive: true, force: true });
});

/** Each agent posts reports back to back until `until()` says stop; only 2xx count as acknowledged. */
async function load(until: () => boolean): Promise<{ ok: number; failed: number; ids: Set<string>; times: Map<string, Set<number>> }> {
  let ok = 0;
  let failed = 0;
  // This run's acknowledged reports (the module-level sets span all runs).
  const ids = new Set<string>();
  const times = new Map<string, Set<number>>();
  await Promise.all(
    agents.map(async (a) => {
      while (!until()) {
        // Distinct collection times per agent: each report is its own point in InfluxDB.
        const at = start + ++a.next * 10;
        const r = sampleReport({ agentId: a.agentId, unit: a.unit, hostname: `load-${a.agentId.slice(-4)}`, collectedAt: new Date(at) });
        try {
          const res = await fetch(`${fx.url}/api/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${a.credential}` }, body: JSON.stringify(r) });
          await res.arrayBuffer();
          if (res.status === 201) {
            ok++;
            ackedIds.add(r.reportId);
            ids.add(r.reportId);
            if (!times.has(a.agentId)) times.set(a.agentId, new Set());
            times.get(a.agentId)!.add(at);
            if (!acked.has(a.agentId)) acked.set(a.agentId, new Set());
            acked.get(a.agentId)!.add(at);
          } else failed++;
        } catch {
          failed++;
          await new Promise((res) => setTimeout(res, 20));
        }
      }
    }),
  );
  return { ok, failed, ids, times };
}

const metric = async (name: string) => {
  const text = await (await fetch(`${fx.url}/metrics`, { headers: { authorization: `Bearer ${VIEWER}` } })).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
};

/** agent id -> collectedAt (ms) of every host point in InfluxDB. */
async function influxPoints(): Promise<Map<string, number[]>> {
  const r = await influx.query(DB, 'SELECT "collect_ms", "agent_id" FROM "host"');
  const out = new Map<string, number[]>();
  for (const [time, , agentId] of r.results[0]?.series?.[0]?.values ?? []) {
    if (!out.has(agentId as string)) out.set(agentId as string, []);
    out.get(agentId as string)!.push(time as number);
  }
  return out;
}

describe('durability under load', () => {
  it('keeps acknowledging while InfluxDB is down, then delivers every acknowledged point once', async () => {
    let phase = 'up';
    const t0 = Date.now();
    const running = load(() => phase === 'done');
    await new Promise((r) => setTimeout(r, 800));
    await influx.stop();
    phase = 'down';
    await new Promise((r) => setTimeout(r, 1500));
    const grown = await metric('posture_outbox_points');
    await influx.start();
    phase = 'back';
    await new Promise((r) => setTimeout(r, 800));
    phase = 'done';
    const { ok, failed, times } = await running;
    expect(ok).toBeGreaterThan(200);
    expect(grown).toBeGreaterThan(0);
    expect(proc!.output()).toMatch(/InfluxDB write failed; points stay in the outbox/);

    await waitFor('outbox drained', async () => (await metric('posture_outbox_points')) === 0, 30_000);
    await expectInfluxHolds(acked);
    expect(Date.now() - t0).toBeLessThan(60_000);
    const points = await influxPoints();
    const mine = [...times].map(([agentId, ts]) => ({ want: ts, got: points.get(agentId) ?? [] }));
    recordReliability({
      fault: 'InfluxDB stopped and restarted under load (8 senders)',
      sent: ok + failed,
      acknowledged: ok,
      stored: mine.reduce((n, m) => n + m.got.filter((t) => m.want.has(t)).length, 0),
      lost: mine.reduce((n, m) => n + [...m.want].filter((t) => !m.got.includes(t)).length, 0),
      duplicated: mine.reduce((n, m) => n + m.got.filter((t) => m.want.has(t)).length - new Set(m.got.filter((t) => m.want.has(t))).size, 0),
      note: `stored = host points in InfluxDB after the outbox drained; ${failed} send(s) failed (not acknowledged)`,
    });
    // The evaluation at start wrote indicator points too; the ministry scope has no unit tag.
    const ind = await influx.query(DB, `SELECT "total", "unit" FROM "indicator" WHERE "scope" = 'ministry'`);
    expect(ind.results[0]!.series![0]!.values[0]![2]).toBeNull();
  });

  it('loses no acknowledged report when SIGKILLed under load, and writes each stored one once after restart', async () => {
    let stop = false;
    const running = load(() => stop);
    await new Promise((r) => setTimeout(r, 700));
    await proc!.kill();
    stop = true;
    const run = await running;

    const stored = storedReports();
    expect([...ackedIds].filter((id) => !stored.ids.has(id))).toEqual([]);

    proc = await startCollectorProcess(fx);
    await waitFor('outbox drained after restart', async () => (await metric('posture_outbox_points')) === 0, 30_000);
    await expectInfluxHolds(stored.times);
    const points = await influxPoints();
    recordReliability({
      fault: 'collector SIGKILL under load (8 senders), restart',
      sent: run.ok + run.failed,
      acknowledged: run.ok,
      stored: [...run.ids].filter((id) => stored.ids.has(id)).length,
      lost: [...run.ids].filter((id) => !stored.ids.has(id)).length,
      duplicated: [...stored.times].reduce((n, [agentId, ts]) => n + Math.max(0, (points.get(agentId) ?? []).length - ts.size), 0),
      note: `stored = acknowledged reports in the state store; duplicated = extra InfluxDB points after the restart's drain; ${[...stored.ids].filter((id) => !ackedIds.has(id)).length} report(s) stored whose 201 was lost to the kill`,
    });
  });

  it('on SIGTERM under load: finishes in-flight reports, flushes the outbox, exits 0', async () => {
    let stop = false;
    const running = load(() => stop);
    await new Promise((r) => setTimeout(r, 700));
    const code = await proc!.stop();
    stop = true;
    await running;
    expect(code).toBe(0);
    proc = undefined;
    const stored = storedReports();
    expect([...ackedIds].filter((id) => !stored.ids.has(id))).toEqual([]);
    // Flushed at shutdown: nothing left for the next start, everything in InfluxDB.
    const c = openCollector(loadConfig(fx.configFile), null, { syncAuth: false });
    try {
      expect(c.outbox.pointCount()).toBe(0);
    } finally {
      c.db.close();
    }
    await expectInfluxHolds(stored.times);
  });
});

/** Report ids, and collection times per agent, in the state store. */
function storedReports(): { ids: Set<string>; times: Map<string, Set<number>> } {
  const c = openCollector(loadConfig(fx.configFile), null, { syncAuth: false });
  try {
    const rows = sqlAll<{ report_id: string; agent_id: string; collected_at: string }>(c.db, 'SELECT report_id, agent_id, collected_at FROM reports');
    const times = new Map<string, Set<number>>();
    for (const r of rows) {
      if (!times.has(r.agent_id)) times.set(r.agent_id, new Set());
      times.get(r.agent_id)!.add(Date.parse(r.collected_at));
    }
    return { ids: new Set(rows.map((r) => r.report_id)), times };
  } finally {
    c.db.close();
  }
}

/** InfluxDB holds exactly one host point per stored report. */
async function expectInfluxHolds(stored: Map<string, Set<number>>): Promise<void> {
  const points = await influxPoints();
  for (const [agentId, times] of stored) {
    const got = points.get(agentId) ?? [];
    expect(got.length, `points of ${agentId}`).toBe(times.size);
    expect(new Set(got)).toEqual(times);
  }
}
