/**
 * Integration (real influxd): hostile and malformed reports. Each one is either refused with a
 * 4xx naming the problem (and stores nothing), or stored exactly: the state store keeps the very
 * report, and the points read back from InfluxDB carry the very strings (tags and fields). No
 * case crashes the collector or leaves a point batch that InfluxDB refuses.
 */
import { gzipSync } from 'node:zlib';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Report } from '@posture/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_UNITS } from '../../../testing/collector.js';
import { cleanupInfluxd, startInfluxd, type Influxd } from '../../../testing/influxd.js';
import { sampleReport } from '../../../testing/reports.js';
import { build, openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { sqlGet } from '../../../testing/sql.js';

const DB = 'posture_hostile';
let influx: Influxd;
let dir: string;
let c: Collector;
let app: FastifyInstance;
let agent: { agentId: string; credential: string };
const base = Date.now() - 3600_000;
let seq = 0;

beforeAll(async () => {
  influx = await startInfluxd();
  dir = await mkdtemp(join(tmpdir(), 'posture-hostile-'));
  c = openCollector(
    validateConfig(
      {
        dataDir: dir,
        units: TEST_UNITS,
        influx: { url: influx.url, database: DB, retentionPolicy: { name: 'posture_90d', duration: '90d' }, downsample: { retentionPolicy: 'posture_long', duration: 'INF', every: '1h' } },
      },
      'test',
    ),
  );
  app = build(c);
  agent = (await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { unit: 'TTCNTT', secret: TEST_UNITS[0]!.enrollmentSecret, hostname: 'h', machineId: '' } })).json();
});

afterAll(async () => {
  await app?.close();
  c?.db.close();
  await cleanupInfluxd(influx);
  await rm(dir, { recursive: true, force: true });
});

/** A valid report with a unique collection time (so its points are told apart in InfluxDB). */
function fresh(): Report {
  return sampleReport({ agentId: agent.agentId, unit: 'TTCNTT', collectedAt: new Date(base + ++seq * 1000) });
}

/** Put `s` in every free-text string that reaches InfluxDB as a field, and `host` as the hostname tag. */
function everywhere(s: string, host = 'web-01'): Report {
  const r = fresh();
  if (!r.probes.host.ok || !r.probes.protection?.ok) throw new Error('sample report shape changed');
  Object.assign(r.probes.host.facts, { hostname: host, fqdn: s.slice(0, 253), agentVersion: s.slice(0, 32) });
  Object.assign(r.probes.host.facts.os, { distro: s.slice(0, 128), release: s.slice(0, 64) });
  r.probes.protection.facts.reasons = [s.slice(0, 512), 'second reason'];
  Object.assign(r.probes.protection.facts.products[0]!, { version: s.slice(0, 128), name: s.slice(0, 128), evidence: [s.slice(0, 512)] });
  return r;
}

const LP_INJECTION = 'x foo=1\nhost,unit=EVIL protected=true 1';
const stored: [string, () => Report][] = [
  ['spaces', () => everywhere('web server 01', 'web server 01')],
  ['commas', () => everywhere('a,b,c', 'a,b,c')],
  ['equals signs', () => everywhere('k=v=w', 'k=v')],
  ['double quotes', () => everywhere('say "hi"', 'say "hi"')],
  ['single quotes', () => everywhere("it's", "it's")],
  ['backslashes in fields', () => everywhere('C:\\Program Files\\ClamAV\\')],
  ['a trailing backslash in fields', () => everywhere('abc\\')],
  ['a backslash before a quote in fields', () => everywhere('\\"', 'q')],
  ['newlines in fields', () => everywhere('line 1\nline 2')],
  ['CR LF in fields', () => everywhere('a\r\nb')],
  ['tabs', () => everywhere('a\tb')],
  ['Vietnamese (NFC)', () => everywhere('Trung tâm Công nghệ thông tin', 'máy-chủ-Hà-Nội')],
  ['Vietnamese (NFD, not normalised)', () => everywhere('Cục Hàng hải'.normalize('NFD'), 'Hà-Nội'.normalize('NFD'))],
  ['emoji', () => everywhere('🔥 protected 🛡️', '🔥srv')],
  ['line-protocol injection in fields', () => everywhere(LP_INJECTION)],
  ['line-protocol injection in the hostname tag', () => everywhere('x', 'evil,unit=EVIL protected=true')],
  ['NUL characters in fields', () => everywhere('a\u0000b')],
  ['a right-to-left override', () => everywhere('\u202Eevil', '\u202Eevil')],
  ['hostname __proto__', () => everywhere('__proto__', '__proto__')],
  ['hostname constructor', () => everywhere('constructor', 'constructor')],
  ['a line-protocol comment', () => everywhere('#comment', '#comment')],
  ['a 253-character multi-byte hostname', () => everywhere('ệ'.repeat(128), 'ệ'.repeat(253))],
  ['SQL injection', () => everywhere("' OR 1=1; DROP TABLE hosts; --", "x'; DROP TABLE hosts; --")],
  ['InfluxQL injection', () => everywhere('\'; DROP DATABASE "posture_hostile"; SELECT \'', 'a"; DROP DATABASE x')],
];

type Raw = { body: string | Buffer; headers?: Record<string, string> };
const withExtra = (extra: string): string => JSON.stringify(fresh()).replace(/^\{/, `{${extra},`);
const set = (f: (r: Record<string, unknown> & Report) => void) => (): Raw => {
  const r = fresh() as Record<string, unknown> & Report;
  f(r);
  return { body: JSON.stringify(r) };
};
const hostFacts = (r: Report) => (r.probes.host as { facts: Record<string, unknown> }).facts;
const refused: [string, () => Raw, number, RegExp][] = [
  ['an empty hostname', set((r) => (hostFacts(r).hostname = '')), 422, /hostname is blank/],
  ['a hostname of spaces', set((r) => (hostFacts(r).hostname = '   ')), 422, /hostname is blank/],
  ['a newline in the hostname tag', set((r) => (hostFacts(r).hostname = 'a\nb')), 422, /hostname.*control characters/],
  ['line-protocol injection in the hostname tag with a newline', set((r) => (hostFacts(r).hostname = LP_INJECTION)), 422, /hostname/],
  ['a backslash in the hostname tag', set((r) => (hostFacts(r).hostname = 'abc\\')), 422, /hostname.*backslash/],
  ['an unpaired surrogate', () => ({ body: JSON.stringify(fresh()).replace('"Debian GNU/Linux"', '"Debian \\ud800"') }), 422, /os\/distro.*surrogate/],
  ['a number that overflows to Infinity', () => ({ body: JSON.stringify(fresh()).replace(/"collectMs":\d+/, '"collectMs":1e400') }), 422, /agent\/collectMs: must be number/],
  ['a __proto__ key', () => ({ body: withExtra('"__proto__":{"isAdmin":true}') }), 400, /not valid JSON|proto/i],
  ['a constructor.prototype key', () => ({ body: withExtra('"constructor":{"prototype":{"isAdmin":true}}') }), 400, /not valid JSON|constructor/i],
  ['100,000 levels of nesting', () => ({ body: withExtra(`"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}`) }), 422, /unknown field "deep"/],
  ['a boolean sent as a string', set((r) => ((r.probes.protection as { facts: Record<string, unknown> }).facts.protected = 'true')), 422, /protected: must be boolean/],
  ['a negative uptime', set((r) => (hostFacts(r).uptimeSeconds = -1)), 422, /uptimeSeconds/],
  ['a fraction where an integer belongs', set((r) => (hostFacts(r).uptimeSeconds = 1.5)), 422, /uptimeSeconds: must be integer/],
  ['an array body', () => ({ body: JSON.stringify([fresh()]) }), 422, /must be object/],
  ['a null body', () => ({ body: 'null' }), 422, /must be object/],
  ['257 IP addresses', set((r) => (hostFacts(r).ips = Array.from({ length: 257 }, (_, i) => `10.0.0.${i % 250}`))), 422, /ips: more than 256/],
  ['schema version 2', set((r) => ((r as Record<string, unknown>).schemaVersion = 2)), 422, /schemaVersion: must be 1/],
  ['a report id that is not a UUID', set((r) => (r.reportId = "1' OR '1'='1")), 422, /reportId: must be a valid uuid/],
  ['a 2 MB string', set((r) => (hostFacts(r).distro = 'x'.repeat(2 * 1024 * 1024))), 413, /larger than the limit/],
  ['a gzip bomb (64 MB of zeros)', () => ({ body: gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)), headers: { 'content-encoding': 'gzip' } }), 413, /larger than the limit/],
  ['a wrong type of probe result', set((r) => ((r.probes as Record<string, unknown>).host = { ok: 'yes' })), 422, /probes\/host/],
  ['a tag value in an enum field', set((r) => (hostFacts(r).role = 'server,unit=EVIL')), 422, /role/],
];

const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/v1/reports', payload: body, headers: { authorization: `Bearer ${agent.credential}`, 'content-type': 'application/json', ...headers } });

async function pointAt(measurement: string, ts: number): Promise<Record<string, unknown> | undefined> {
  const r = await influx.query(DB, `SELECT * FROM "${measurement}" WHERE time = ${ts}ms`);
  const s = r.results[0]?.series?.[0];
  return s && Object.fromEntries(s.columns.map((col, i) => [col, s.values[0]![i]]));
}

describe('hostile reports', () => {
  it(`has at least 30 cases (${stored.length} stored exactly, ${refused.length} refused)`, () => {
    expect(stored.length + refused.length).toBeGreaterThanOrEqual(30);
  });

  const accepted: Report[] = [];
  for (const [name, make] of stored) {
    it(`stores ${name} exactly`, async () => {
      const r = make();
      const res = await post(JSON.stringify(r));
      expect(res.statusCode, res.body).toBe(201);
      expect(c.hosts.latestReport(agent.agentId)).toEqual(r);
      accepted.push(r);
    });
  }

  for (const [name, make, status, mentions] of refused) {
    it(`refuses ${name} with ${status}, storing nothing`, async () => {
      const before = { reports: c.reports.count(), outbox: c.outbox.pointCount() };
      const { body, headers } = make();
      const res = await post(body, headers);
      expect(res.statusCode).toBe(status);
      const err = res.json<{ message: string; details?: { path: string; message: string }[] }>();
      expect([err.message, ...(err.details ?? []).map((d) => `${d.path}: ${d.message}`)].join('\n')).toMatch(mentions);
      expect({ reports: c.reports.count(), outbox: c.outbox.pointCount() }).toEqual(before);
    });
  }

  it('writes every accepted report to InfluxDB with the very strings, and nothing InfluxDB refuses', async () => {
    expect(accepted.length).toBe(stored.length);
    await c.influx!.flush();
    expect(c.influx!.stats.lastError).toBe('');
    expect(c.outbox.depth()).toBe(0);
    expect((sqlGet(c.db, 'SELECT count(*) AS n FROM outbox_rejected') as { n: number }).n).toBe(0);
    for (const r of accepted) {
      if (!r.probes.host.ok || !r.probes.protection?.ok) throw new Error('unexpected shape');
      const ts = Date.parse(r.collectedAt);
      const h = await pointAt('host', ts);
      const f = r.probes.host.facts;
      expect(h, `host point of ${JSON.stringify(f.hostname)}`).toMatchObject({
        unit: 'TTCNTT',
        agent_id: agent.agentId,
        hostname: f.hostname === '' ? null : f.hostname,
        os_release: `${f.os.distro} ${f.os.release}`.trim(),
        agent_version: f.agentVersion,
        protection_reason: r.probes.protection.facts.reasons.join('; '),
        protected: true,
      });
      const p = await pointAt('protection_product', ts);
      expect(p).toMatchObject({ product: 'clamav', version: r.probes.protection.facts.products[0]!.version, hostname: f.hostname === '' ? null : f.hostname });
    }
    // No injected series or tag values: one unit, one agent.
    const units = await influx.query(DB, 'SHOW TAG VALUES FROM "host" WITH KEY = "unit"');
    expect(units.results[0]!.series![0]!.values).toEqual([['unit', 'TTCNTT']]);
    const count = await influx.query(DB, 'SELECT count("collect_ms") FROM "host"');
    expect(count.results[0]!.series![0]!.values[0]![1]).toBe(accepted.length);
  });

  it('is still healthy', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('created the retention policy (default) and the downsampling continuous queries at start', async () => {
    const rps = await influx.query(DB, `SHOW RETENTION POLICIES ON "${DB}"`);
    const rows = rps.results[0]!.series![0]!.values.map((v) => ({ name: v[0], duration: v[1], default: v[4] }));
    expect(rows).toEqual(
      expect.arrayContaining([
        { name: 'posture_90d', duration: '2160h0m0s', default: true },
        { name: 'posture_long', duration: '0s', default: false },
      ]),
    );
    const cqs = await influx.query(DB, 'SHOW CONTINUOUS QUERIES');
    const ours = cqs.results[0]!.series!.find((s) => s.name === DB)!.values.map((v) => v[0]);
    expect(ours.sort()).toEqual(['posture_collector_1h', 'posture_host_1h', 'posture_indicator_1h', 'posture_portal_1h', 'posture_portal_check_1h', 'posture_protection_product_1h', 'posture_system_1h']);
    // The CQ's own query runs: downsample the points written above by hand and read them back.
    const cq = await influx.query(DB, `SELECT mean(*) INTO "${DB}"."posture_long"."host_1h" FROM "${DB}"."posture_90d"."host" WHERE time > now() - 2h GROUP BY time(1h), *`);
    expect(cq.results[0]!.error).toBeUndefined();
    const down = await influx.query(DB, `SELECT sum("mean_collect_ms") FROM "${DB}"."posture_long"."host_1h"`);
    expect(down.results[0]!.series![0]!.values[0]![1]).toBeGreaterThan(0);
  });
});
