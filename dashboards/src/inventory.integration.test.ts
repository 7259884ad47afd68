/**
 * Integration (real parts): one definition of indicator 11. The Systems dashboard's "Meets
 * indicator 11" stat (its generated InfluxQL, per unit) over the `system` points the real
 * collector process wrote to a real influxd, equals the appendix report's passing systems of
 * that unit, on the small generated fleet (where the registry's level, approval and plan are
 * not enough: some systems have no reporting host, so the rule's baseline-of-the-level part
 * fails them).
 */
import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKENS, TEST_UNITS, collectorFixture, startCollectorProcess, type CollectorFixture, type CollectorProcess } from '../../testing/collector.js';
import { cleanupInfluxd, startInfluxd, type Influxd } from '../../testing/influxd.js';
import { waitFor } from '../../testing/ports.js';
import { FLEET_REGISTRY, fleetHosts, sendFleet, writeRegistry } from '../../testing/small-fleet.js';
import { DEFAULT_OUT } from './build.js';

const DB = 'posture_inventory';
let influx: Influxd;
let fx: CollectorFixture;
let collector: CollectorProcess;

interface JsonIndicator {
  id: string;
  units: { scope: string; pass: number; total: number }[];
}

/** The target of the Systems dashboard that counts systems meeting indicator 11. */
const classifiedQuery = (() => {
  const d = JSON.parse(readFileSync(join(DEFAULT_OUT, 'dashboards/en/systems.json'), 'utf8')) as { panels: { targets?: { query: string }[] }[] };
  const found = d.panels.flatMap((p) => p.targets ?? []).filter((t) => t.query.startsWith(`SELECT count("classified") AS "classified"`));
  if (found.length !== 1) throw new Error(`expected one "classified" query in systems.json, found ${found.length}`);
  return found[0]!.query;
})();

/** `unit`: the unit's name, as the $unit variable lists them. */
async function classifiedOf(unit: string): Promise<number> {
  const q = classifiedQuery.replaceAll('$timeFilter', 'time > now() - 1h').replaceAll('$unit', unit).replaceAll('$system', '.*');
  const r = (await influx.query(DB, q)).results[0]!;
  if (r.error) throw new Error(`InfluxDB refused the query: ${r.error}\n${q}`);
  // No series: no system of the unit meets it (Grafana shows the panel's "0").
  return Number(r.series?.[0]?.values[0]?.[1] ?? 0);
}

async function reportUnits(): Promise<Map<string, { pass: number; total: number }>> {
  const res = await fetch(`${fx.url}/api/v1/report?format=json&directive=2224-QD-BGTVT`, { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } });
  const r = (await res.json()) as { indicators: JsonIndicator[] };
  const ind = r.indicators.find((i) => i.id === 'systems_classified');
  if (!ind) throw new Error('the report has no systems_classified row');
  return new Map(ind.units.map((u) => [u.scope, { pass: u.pass, total: u.total }]));
}

beforeAll(async () => {
  influx = await startInfluxd();
  fx = await collectorFixture({ influx: { url: influx.url, database: DB, flushIntervalMs: 100 }, evaluationIntervalSeconds: 1 });
  const registry = await writeRegistry(fx.dir);
  await writeFile(fx.configFile, (await readFile(fx.configFile, 'utf8')) + `registryFile: ${registry}\n`);
  collector = await startCollectorProcess(fx);
  await sendFleet(fx.url);
  // Wait for system points of an evaluation that saw the whole fleet.
  await waitFor(
    'system points of the whole fleet in InfluxDB',
    async () => {
      const r = (await influx.query(DB, `SELECT last("hosts") FROM "system" WHERE time > now() - 2s GROUP BY "system"`)).results[0]!;
      const hosts = (r.series ?? []).reduce((n, s) => n + Number(s.values[0]?.[1] ?? 0), 0);
      return hosts === fleetHosts().reduce((n, h) => n + h.systems.length, 0);
    },
    30_000,
    250,
  );
}, 90_000);

afterAll(async () => {
  await collector?.stop();
  await cleanupInfluxd(influx);
  if (fx) await rm(fx.dir, { recursive: true, force: true });
});

describe("the dashboards' indicator 11 is the report's", () => {
  it('the fleet has systems the registry alone would count but the rule fails (no reporting host)', () => {
    const served = new Set(fleetHosts().flatMap((h) => h.systems));
    const registryOnly = FLEET_REGISTRY.filter((s) => s.level && s.approval && s.protectionPlan?.deployed && !served.has(s.id));
    expect(registryOnly.length).toBeGreaterThan(0);
  });

  it('per unit, the Systems dashboard counts exactly the systems the report counts as passing', async () => {
    const report = await reportUnits();
    expect([...report.keys()].sort()).toEqual(TEST_UNITS.map((u) => u.id).sort());
    for (const u of TEST_UNITS) {
      expect({ unit: u.id, classified: await classifiedOf(u.name) }).toEqual({ unit: u.id, classified: report.get(u.id)!.pass });
    }
    // And not a vacuous zero everywhere.
    expect([...report.values()].reduce((n, x) => n + x.pass, 0)).toBeGreaterThan(0);
  });
});
