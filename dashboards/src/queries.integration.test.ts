/**
 * Integration (real parts): every panel query of every generated dashboard, with Grafana's
 * macros and the template variables substituted, runs against a real influxd (Debian package)
 * that the real collector process filled from a small generated fleet sent through its HTTP
 * API, and returns rows with the columns the panel expects. Every measurement, tag and field a
 * query names must be one the collector writes (its INFLUX_SCHEMA and SHOW FIELD/TAG KEYS).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INFLUX_SCHEMA } from '../../collector/src/influx/points.js';
import { TEST_UNITS, collectorFixture, startCollectorProcess, type CollectorFixture, type CollectorProcess } from '../../testing/collector.js';
import { cleanupInfluxd, startInfluxd, type Influxd, type InfluxQueryResult } from '../../testing/influxd.js';
import { waitFor } from '../../testing/ports.js';
import { FLEET_REGISTRY, fleetHosts, sendFleet, writeRegistry } from '../../testing/small-fleet.js';
import { ALERT_QUERY } from './alerts.js';
import { DEFAULT_OUT } from './build.js';
import { INDICATORS } from './indicators.js';

const DB = 'posture_dash';
let influx: Influxd;
let fx: CollectorFixture;
let collector: CollectorProcess;

interface Target {
  refId: string;
  query: string;
}
interface PanelQuery {
  file: string;
  panel: string;
  target: Target;
}

const panelQueries: PanelQuery[] = (['vi', 'en'] as const).flatMap((lang) =>
  readdirSync(join(DEFAULT_OUT, 'dashboards', lang)).flatMap((f) => {
    const d = JSON.parse(readFileSync(join(DEFAULT_OUT, 'dashboards', lang, f), 'utf8')) as { panels: { title: string; targets?: Target[] }[] };
    return d.panels.flatMap((p) => (p.targets ?? []).map((target) => ({ file: `${lang}/${f}`, panel: p.title, target })));
  }),
);
const variableQueries = (() => {
  const d = JSON.parse(readFileSync(join(DEFAULT_OUT, 'dashboards/vi/endpoints.json'), 'utf8')) as { templating: { list: { type: string; name: string; query: string }[] } };
  return d.templating.list.filter((v) => v.type === 'query');
})();

/**
 * What Grafana sends for the macros and variables: "All" for $unit and $system (their custom
 * all value ".*"), or one value of each: a unit's name (the variable lists names), a system id;
 * and two units' names regex-escaped as "(a|b)" (Grafana docs, "Formatting multi-value
 * variables", InfluxDB).
 */
const ALL = { unit: '.*', system: '.*' };
const ONE = { unit: 'Cục Hàng hải Việt Nam', system: 'hh-cong-ttdt' };
const TWO = { unit: '(Cục Hàng hải Việt Nam|Tổng cục Đường bộ Việt Nam)', system: '.*' };
const substitute = (q: string, v: { unit: string; system: string }) => q.replaceAll('$timeFilter', 'time > now() - 1h').replaceAll('$__interval', '1s').replaceAll('$unit', v.unit).replaceAll('$system', v.system).replaceAll('$stale', '15m');

/** The column aliases of the outermost SELECT: what the panel's fields are named. */
function outerColumns(q: string): string[] {
  let depth = 0;
  for (let i = 0; i < q.length; i++) {
    if (q[i] === '(') depth++;
    else if (q[i] === ')') depth--;
    else if (depth === 0 && q.startsWith(' FROM ', i)) return [...q.slice(0, i).matchAll(/ AS "([^"]+)"/g)].map((m) => m[1]!);
  }
  throw new Error(`no FROM in ${q}`);
}

/**
 * The measurements (after FROM) and the other "quoted" identifiers of a query, except the
 * aliases it defines (after AS): each must be a field or tag the collector writes. Queries keep
 * subquery aliases equal to the field names, so an outer query's names are checked too.
 */
function references(q: string): { measurements: string[]; identifiers: string[] } {
  const measurements = new Set<string>();
  const named: string[] = [];
  for (const m of q.matchAll(/"([^"]*)"/g)) {
    const before = q.slice(0, m.index);
    if (/FROM $/.test(before)) measurements.add(m[1]!);
    else if (!/ AS $/.test(before)) named.push(m[1]!);
  }
  return { measurements: [...measurements], identifiers: [...new Set(named)] };
}

async function run(q: string): Promise<NonNullable<InfluxQueryResult['results'][number]['series']>> {
  const r = await influx.query(DB, q);
  const res = r.results[0]!;
  if (res.error) throw new Error(`InfluxDB refused the query: ${res.error}\n${q}`);
  return res.series ?? [];
}

let keyCache: Promise<{ fieldKeys: Map<string, Map<string, string>>; tagKeys: Map<string, Set<string>> }> | undefined;
/** SHOW FIELD KEYS and SHOW TAG KEYS of the InfluxDB the collector filled. */
const keys = () =>
  (keyCache ??= (async () => {
    const fieldKeys = new Map<string, Map<string, string>>();
    for (const s of await run('SHOW FIELD KEYS')) fieldKeys.set(s.name, new Map(s.values.map((v) => [String(v[0]), String(v[1])])));
    const tagKeys = new Map<string, Set<string>>();
    for (const s of await run('SHOW TAG KEYS')) tagKeys.set(s.name, new Set(s.values.map((v) => String(v[0]))));
    return { fieldKeys, tagKeys };
  })());

/** What a query names that the collector does not write, as readable problems. */
async function unknownReferences(where: string, query: string): Promise<string[]> {
  const { fieldKeys, tagKeys } = await keys();
  const schema = INFLUX_SCHEMA as Record<string, { tags: readonly string[]; fields: Record<string, string> }>;
  const { measurements, identifiers } = references(query);
  const problems: string[] = [];
  if (!measurements.length) problems.push(`${where}: names no measurement`);
  for (const m of measurements) if (!fieldKeys.has(m) || !schema[m]) problems.push(`${where}: measurement "${m}" is not written by the collector`);
  for (const id of identifiers) {
    // Known to InfluxDB and declared in INFLUX_SCHEMA (tags like "unit" of the ministry row may be absent from some points, never from the schema).
    const known = measurements.some((m) => (fieldKeys.get(m)?.has(id) && schema[m]?.fields[id]) || (schema[m]?.tags.includes(id) && tagKeys.get(m)?.has(id)));
    if (!known) problems.push(`${where}: "${id}" is neither a field nor a tag of ${measurements.join(', ')}`);
  }
  return problems;
}

beforeAll(async () => {
  influx = await startInfluxd();
  // portals: the prober runs at start; the fleet's portals have no portal.urls, so each gets a
  // "not configured" result, which is enough to fill the portal and portal_check measurements.
  fx = await collectorFixture({ influx: { url: influx.url, database: DB, flushIntervalMs: 100 }, evaluationIntervalSeconds: 1, portals: { resolvers: ['127.0.0.1:9'], checkTimeoutMs: 500 } });
  const registry = await writeRegistry(fx.dir);
  // The fixture wrote the config without a registry: add it (relative paths resolve to the config's dir).
  const { readFile, writeFile } = await import('node:fs/promises');
  await writeFile(fx.configFile, (await readFile(fx.configFile, 'utf8')) + `registryFile: ${registry}\n`);
  collector = await startCollectorProcess(fx);
  await sendFleet(fx.url);
  // One refused report, so that the rejected-reports panel has something to show.
  await fetch(`${fx.url}/api/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer nope' }, body: '{}' });
  // Wait until evaluations after the fleet (every second) reached InfluxDB: indicators with
  // members, system points, and at least three collector points for the counter differences.
  let seen = '';
  await waitFor(
    `indicator, system and collector points in InfluxDB (last seen: ${seen})`,
    async () => {
      const ind = await run(`SELECT last("total") FROM "indicator" WHERE "scope" = 'ministry' AND "indicator" = 'endpoint_protection'`);
      const col = await run(`SELECT count("rejected") FROM "collector" WHERE "rejected" > 0`);
      const sys = await run(`SELECT count("hosts") FROM "system" WHERE "hosts" > 0`);
      const portal = await run(`SELECT count("status") FROM "portal_check"`);
      seen = JSON.stringify([ind[0]?.values[0], col[0]?.values[0], sys[0]?.values[0], portal[0]?.values[0]]);
      return ind[0]?.values[0]?.[1] === 24 && Number(col[0]?.values[0]?.[1] ?? 0) >= 3 && Number(sys[0]?.values[0]?.[1] ?? 0) > 0 && Number(portal[0]?.values[0]?.[1] ?? 0) > 0;
    },
    30_000,
    250,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; last seen [indicator total, collector rejected count, systems with hosts, portal checks]: ${seen}; collector output: ${collector.output().slice(-1500)}`);
  });
}, 90_000);

afterAll(async () => {
  await collector?.stop();
  await cleanupInfluxd(influx);
  if (fx) await rm(fx.dir, { recursive: true, force: true });
});

describe('dashboard queries against an InfluxDB the collector filled', () => {
  it('finds the panel queries (every dashboard has some)', () => {
    expect(panelQueries.length).toBeGreaterThan(40);
    expect(new Set(panelQueries.map((p) => p.file)).size).toBe(10);
  });

  it.each(panelQueries.map((p) => [`${p.file} / ${p.panel} / ${p.target.refId}`, p] as const))('%s returns rows with the expected columns', async (_name, p) => {
    const series = await run(substitute(p.target.query, ALL));
    expect(series.length, `no rows for: ${substitute(p.target.query, ALL)}`).toBeGreaterThan(0);
    const cols = outerColumns(p.target.query);
    for (const s of series) {
      expect(s.columns).toEqual(['time', ...cols]);
      expect(s.values.length).toBeGreaterThan(0);
    }
    // One unit and one system selected, or two units: still valid InfluxQL.
    await run(substitute(p.target.query, ONE));
    await run(substitute(p.target.query, TWO));
  });

  it('filters by unit and system: one unit selected returns only that unit', async () => {
    const q = panelQueries.find((p) => p.file === 'vi/ipv6.json' && p.target.query.includes('"ipv6_readiness"'))!.target.query;
    const series = await run(substitute(q, ONE));
    expect(series.map((s) => s.tags?.unit)).toEqual(expect.arrayContaining(['CHHVN']));
    expect(new Set(series.map((s) => s.tags?.unit))).toEqual(new Set(['CHHVN']));
    const expected = fleetHosts()
      .filter((h) => h.unit === 'CHHVN' && h.systems.includes('hh-cong-ttdt'))
      .map((h) => h.hostname);
    expect(series.map((s) => s.tags?.hostname).sort()).toEqual(expected.sort());
    // Two units' names, as Grafana sends a multi-value selection: exactly those two.
    const two = await run(substitute(q, TWO));
    expect(new Set(two.map((s) => s.tags?.unit))).toEqual(new Set(['CHHVN', 'TCDBVN']));
  });

  it('panels show unit and system names (the unit_name and system_name tags), not ids', async () => {
    const bars = panelQueries.find((p) => p.file === 'vi/overview.json' && p.panel === '12. Theo đơn vị (thấp nhất trước)')!;
    const series = await run(substitute(bars.target.query, ALL));
    expect(series.map((s) => [s.tags?.unit, s.tags?.unit_name]).sort()).toEqual(TEST_UNITS.map((u) => [u.id, u.name]).sort());
    const overview = JSON.parse(readFileSync(join(DEFAULT_OUT, 'dashboards/vi/overview.json'), 'utf8')) as {
      panels: { title: string; options?: { reduceOptions?: unknown }; fieldConfig?: { defaults?: { displayName?: string } }; targets?: { alias?: string }[] }[];
    };
    expect(overview.panels.find((p) => p.title === bars.panel)!.fieldConfig!.defaults!.displayName).toBe('${__data.fields.unit_name}');
    expect(overview.panels.find((p) => p.title === '12. Diễn biến theo thời gian')!.targets![1]!.alias).toBe('$tag_unit_name');
    const registry = panelQueries.find((p) => p.file === 'vi/systems.json' && p.panel === 'Danh mục hệ thống thông tin')!;
    const systems = await run(substitute(registry.target.query, ALL));
    const names = new Map(systems.map((s) => [s.tags?.system, s.tags?.system_name]));
    for (const sys of FLEET_REGISTRY) expect(names.get(sys.id), sys.id).toBe(sys.name);
    // A system only agents declare has its id as its name.
    expect(names.get('hh-ais')).toBe('hh-ais');
  });

  it('stale hosts are the ones whose last report is older than $stale', async () => {
    const q = panelQueries.find((p) => p.file === 'en/endpoints.json' && p.panel.startsWith('Stale hosts ('))!.target.query;
    const series = await run(substitute(q, ALL));
    expect(series.map((s) => s.tags?.hostname).sort()).toEqual(
      fleetHosts()
        .filter((h) => h.ageMinutes > 15)
        .map((h) => h.hostname)
        .sort(),
    );
  });

  it('every measurement, tag and field a query names is one the collector writes', async () => {
    const { fieldKeys } = await keys();
    const schema = INFLUX_SCHEMA as Record<string, { tags: readonly string[]; fields: Record<string, string> }>;
    // The declared schema matches what InfluxDB holds (names and types).
    const typeName = { number: 'float', boolean: 'boolean', string: 'string' } as Record<string, string>;
    for (const [m, fields] of fieldKeys) {
      expect(schema[m], `measurement ${m} is written but not declared in INFLUX_SCHEMA`).toBeDefined();
      for (const [f, t] of fields) expect(typeName[schema[m]!.fields[f] ?? ''], `${m}.${f}`).toBe(t);
    }
    const all = [
      ...panelQueries.map((p) => ({ where: `${p.file} / ${p.panel}`, query: p.target.query })),
      ...variableQueries.map((v) => ({ where: `variable ${v.name}`, query: v.query })),
      ...INDICATORS.map((i) => ({ where: `alert ${i.id}`, query: ALERT_QUERY(i.id) })),
    ];
    const problems = (await Promise.all(all.map((q) => unknownReferences(q.where, q.query)))).flat();
    expect(problems).toEqual([]);
  });

  it('the check above names a field, a tag or a measurement the collector does not write', async () => {
    expect(await unknownReferences('bad', `SELECT last("protection_state") AS "x" FROM "host" WHERE "unit" =~ /^$unit$/ AND $timeFilter`)).toEqual(['bad: "protection_state" is neither a field nor a tag of host']);
    expect(await unknownReferences('bad', `SELECT last("ratio") AS "ratio" FROM "indicator" WHERE "department" = 'x'`)).toEqual(['bad: "department" is neither a field nor a tag of indicator']);
    expect(await unknownReferences('bad', `SELECT last("ratio") FROM "indicators"`)).toEqual(['bad: measurement "indicators" is not written by the collector', 'bad: "ratio" is neither a field nor a tag of indicators']);
  });

  it("template variable queries list the fleet units' names and the systems", async () => {
    const unit = variableQueries.find((v) => v.name === 'unit')!;
    const system = variableQueries.find((v) => v.name === 'system')!;
    expect((await run(substitute(unit.query, ALL)))[0]!.values.map((v) => v[1]).sort()).toEqual(TEST_UNITS.map((u) => u.name).sort());
    const systems = (await run(substitute(system.query, ALL)))[0]!.values.map((v) => v[1]);
    // A unit picked by name lists only its systems.
    const ofOne = (await run(substitute(system.query, ONE)))[0]!.values.map((v) => String(v[1]));
    const byId = (await run(`SHOW TAG VALUES FROM "system" WITH KEY = "system" WHERE "unit" = 'CHHVN'`))[0]!.values.map((v) => String(v[1]));
    expect(ofOne.length).toBeGreaterThan(0);
    expect(ofOne.sort()).toEqual(byId.sort());
    expect(ofOne.length).toBeLessThan(systems.length);
    expect(systems).toEqual(expect.arrayContaining([...FLEET_REGISTRY.map((s) => s.id), 'hh-ais', 'db-camera']));
  });

  it('the Overview draws exactly the indicators the collector evaluates', async () => {
    const written = (await run('SHOW TAG VALUES FROM "indicator" WITH KEY = "indicator"'))[0]!.values.map((v) => v[1]);
    expect([...written].sort()).toEqual(INDICATORS.map((i) => i.id).sort());
  });

  it('the alert rule queries return one series per scope that has data', async () => {
    // A scope with no members has no ratio ("no data"), so no series: IPv6 of the portals only
    // has the units that own a portal.
    const portalUnits = [...new Set(FLEET_REGISTRY.filter((s) => s.tags.includes('portal')).map((s) => s.ownerUnit))];
    for (const ind of INDICATORS) {
      const units = ind.id === 'ipv6_portals' ? portalUnits : ['CHHVN', 'TCDBVN', 'TTCNTT'];
      const series = await run(substitute(ALERT_QUERY(ind.id), ALL));
      expect(series.map((s) => `${s.tags?.scope}:${s.tags?.unit}`).sort(), ind.id).toEqual(['ministry:', ...units.sort().map((u) => `unit:${u}`)]);
    }
  });
});
