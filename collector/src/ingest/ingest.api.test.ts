/**
 * Ingest as an auditor tries it, through the real HTTP API (app.inject, the real commit
 * thread): time as instants, reports from the future, idempotency per agent, rate limits that
 * do not lock a unit out, content types, blank hostnames, repeated product ids.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Report } from '@posture/protocol';
import { build, openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { TEST_AUTH, TEST_TOKENS, TEST_UNITS } from '../../../testing/collector.js';
import { sampleReport } from '../../../testing/reports.js';

const H = 3_600_000;
let dir: string;
let c: Collector;
let app: FastifyInstance;
let n = 0;
let ip = 0;
const nextIp = () => `10.9.${Math.floor(++ip / 250)}.${ip % 250}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-ingest-api-'));
  c = openCollector(validateConfig({ dataDir: dir, units: TEST_UNITS, auth: TEST_AUTH, limits: { enrollPerMinute: 100_000 } }, 'test'));
  app = build(c);
});

afterAll(async () => {
  await app.close();
  await c.ingest.close();
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

async function enroll(unit = 'TTCNTT', from = nextIp()): Promise<{ agentId: string; credential: string }> {
  const u = TEST_UNITS.find((x) => x.id === unit)!;
  const res = await app.inject({ method: 'POST', url: '/api/v1/enroll', remoteAddress: from, payload: { unit, secret: u.enrollmentSecret, hostname: `h${++n}`, machineId: '' } });
  expect(res.statusCode).toBe(201);
  return res.json();
}

const post = (agent: { credential: string }, r: Report | string, headers: Record<string, string> = {}, remoteAddress = '10.0.0.1') =>
  app.inject({ method: 'POST', url: '/api/v1/reports', remoteAddress, payload: typeof r === 'string' ? r : JSON.stringify(r), headers: { 'content-type': 'application/json', authorization: `Bearer ${agent.credential}`, ...headers } });

/** The same instant written in Vietnam time: 2026-12-01T09:00:00.000+07:00 for 02:00Z. */
const vnTime = (ms: number) => new Date(ms + 7 * H).toISOString().replace('Z', '+07:00');

const state = (agentId: string) => c.hosts.get(agentId)!;

describe('time: instants, not text', () => {
  it('interleaved Z and +07:00 reports, older and newer: the state is the newest instant', async () => {
    const a = await enroll();
    const now = Date.now();
    // Each report names its host differently so the state shows which report it is.
    const at = (ms: number, name: string, vn: boolean) => {
      const r = sampleReport({ agentId: a.agentId, unit: 'TTCNTT', hostname: name, collectedAt: new Date(ms) });
      if (vn) r.collectedAt = vnTime(ms);
      return r;
    };
    const steps: [number, string, boolean, string][] = [
      // [collected, name, written +07:00, expected state after it]. As text, a +07:00 time
      // sorts 7 hours later than the same instant in Z: compared as text, z-30m would be
      // ignored after vn-1h and vn-4h would replace z-30m.
      [now - 3 * H, 'z-3h', false, 'z-3h'],
      [now - 1 * H, 'vn-1h', true, 'vn-1h'],
      [now - 2 * H, 'z-2h', false, 'vn-1h'],
      [now - 30 * 60_000, 'z-30m', false, 'z-30m'],
      [now - 4 * H, 'vn-4h', true, 'z-30m'],
      [now - 10 * 60_000, 'vn-10m', true, 'vn-10m'],
    ];
    for (const [ms, name, vn, expected] of steps) {
      const r = at(ms, name, vn);
      expect(r.collectedAt.endsWith(vn ? '+07:00' : 'Z')).toBe(true);
      expect((await post(a, r)).statusCode).toBe(201);
      expect(state(a.agentId).hostname, `after ${name}`).toBe(expected);
    }
    expect(state(a.agentId).collected_ms).toBe(now - 10 * 60_000);
    // Every report is stored as history (ids and points), the older ones too.
    expect(c.db.prepare('SELECT count(*) FROM reports WHERE agent_id = ?').pluck().get(a.agentId)).toBe(6);
  });

  it('a report 23 h in the future is refused with CLOCK_SKEW naming the offset; the next normal reports update the state', async () => {
    const a = await enroll();
    const ahead = sampleReport({ agentId: a.agentId, unit: 'TTCNTT', hostname: 'from-the-future', collectedAt: new Date(Date.now() + 23 * H) });
    const res = await post(a, ahead);
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('CLOCK_SKEW');
    expect(res.json().message).toMatch(/is 2[23] h \d+ min ahead of the collector's clock \(at most 5 min 0 s ahead is taken, limits.futureSkewMinutes\); the host's clock runs fast: fix its time synchronisation/);
    expect(c.hosts.get(a.agentId)).toBeUndefined();
    for (let i = 0; i < 4; i++) {
      const r = sampleReport({ agentId: a.agentId, unit: 'TTCNTT', hostname: `normal-${i}`, collectedAt: new Date(Date.now() - (4 - i) * 1000) });
      expect((await post(a, r)).statusCode).toBe(201);
      expect(state(a.agentId).hostname).toBe(`normal-${i}`);
    }
    // Within the bound (4 min ahead) is taken.
    const slightly = sampleReport({ agentId: a.agentId, unit: 'TTCNTT', hostname: 'slightly-ahead', collectedAt: new Date(Date.now() + 4 * 60_000) });
    expect((await post(a, slightly)).statusCode).toBe(201);
  });
});

describe('idempotency per agent', () => {
  it('the same report id from two agents: both stored, both counted', async () => {
    const a = await enroll('CHHVN');
    const b = await enroll('CHHVN');
    const ra = sampleReport({ agentId: a.agentId, unit: 'CHHVN' });
    const rb = { ...sampleReport({ agentId: b.agentId, unit: 'CHHVN' }), reportId: ra.reportId };
    const before = c.reports.count();
    expect((await post(a, ra)).json()).toEqual({ reportId: ra.reportId, stored: true });
    const second = await post(b, rb);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual({ reportId: ra.reportId, stored: true });
    expect(c.reports.count()).toBe(before + 2);
    const rep = await app.inject({ method: 'GET', url: '/api/v1/report?directive=2224-QD-BGTVT&format=json', headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } });
    const units = rep.json<{ indicators: { id: string; units: { scope: string; pass: number; total: number }[] }[] }>().indicators.find((i) => i.id === 'endpoint_protection')!.units;
    expect(units.find((u) => u.scope === 'CHHVN')).toMatchObject({ pass: 2, total: 2 });
    // A resend of the same content: 200, not counted again.
    const resend = await post(b, rb);
    expect(resend.statusCode).toBe(200);
    expect(resend.json()).toEqual({ reportId: ra.reportId, stored: false });
  });

  it('the same id with other content from the same agent: 409 REPORT_ID_CONFLICT, the first report kept, counted as rejected', async () => {
    const a = await enroll();
    const first = sampleReport({ agentId: a.agentId, unit: 'TTCNTT', hostname: 'first' });
    expect((await post(a, first)).statusCode).toBe(201);
    const other = { ...sampleReport({ agentId: a.agentId, unit: 'TTCNTT', hostname: 'second' }), reportId: first.reportId };
    const res = await post(a, other);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('REPORT_ID_CONFLICT');
    expect(res.json().message).toContain(first.reportId);
    expect(state(a.agentId).hostname).toBe('first');
    const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } });
    expect(metrics.body).toMatch(/posture_reports_rejected_total\{code="REPORT_ID_CONFLICT"\} 1/);
  });
});

describe('rate limits that protect without locking a unit out', () => {
  it('200 bad credentials from one address, then 50 good agents from that address: all 201', async () => {
    const nat = '192.0.2.77';
    const agents = [];
    for (let i = 0; i < 50; i++) agents.push(await enroll('TCDBVN'));
    let limited = 0;
    // The buckets refill with time: hold the clock (Date only) so the count is exact.
    vi.useFakeTimers({ toFake: ['Date'] });
    for (let i = 0; i < 200; i++) {
      const res = await post({ credential: `pa_misconfigured-${i % 3}` }, sampleReport({ agentId: agents[0]!.agentId, unit: 'TCDBVN' }), {}, nat);
      expect([401, 429]).toContain(res.statusCode);
      if (res.statusCode === 429) limited++;
    }
    // 3 wrong credentials, 10 failures each a minute: from the 11th try of each, 429.
    expect(limited).toBe(200 - 30);
    for (const a of agents) {
      const res = await post(a, sampleReport({ agentId: a.agentId, unit: 'TCDBVN' }), {}, nat);
      expect(res.statusCode).toBe(201);
    }
    vi.useRealTimers();
  }, 180_000);
});

describe('content types, hostnames, repeated products', () => {
  it('only application/json in UTF-8: 415 naming what was sent', async () => {
    const a = await enroll();
    const r = () => sampleReport({ agentId: a.agentId, unit: 'TTCNTT' });
    const plain = await post(a, r(), { 'content-type': 'text/plain' });
    expect(plain.statusCode).toBe(415);
    expect(plain.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(plain.json().message).toContain('"text/plain"');
    const latin1 = await post(a, r(), { 'content-type': 'application/json; charset=latin1' });
    expect(latin1.statusCode).toBe(415);
    expect(latin1.json().message).toMatch(/charset latin1 is not supported/);
    expect((await post(a, r(), { 'content-type': 'application/json; charset=utf-8' })).statusCode).toBe(201);
    expect((await post(a, r(), { 'content-type': 'application/json; charset="UTF-8"' })).statusCode).toBe(201);
  });

  it('a blank hostname is refused, naming the field', async () => {
    const a = await enroll();
    const r = sampleReport({ agentId: a.agentId, unit: 'TTCNTT', hostname: '  ' });
    const res = await post(a, r);
    expect(res.statusCode).toBe(422);
    expect(res.json().details).toEqual([{ path: '/probes/host/facts/hostname', message: 'must not be blank' }]);
  });

  it('two products with the same id on one host stay apart, in the store and in the InfluxDB points', async () => {
    const a = await enroll();
    const r = sampleReport({ agentId: a.agentId, unit: 'TTCNTT', hostname: 'two-sophos' });
    if (!r.probes.protection?.ok) throw new Error('no protection facts');
    const base = r.probes.protection.facts.products[0]!;
    r.probes.protection.facts.products = [
      { ...base, id: 'sophos', name: 'Sophos Endpoint', running: false, realTime: false, protects: false },
      { ...base, id: 'sophos', name: 'Sophos Endpoint (2)' },
    ];
    expect((await post(a, r)).statusCode).toBe(201);
    const v = await app.inject({ method: 'GET', url: `/api/v1/hosts/${a.agentId}`, headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } });
    const products = v.json<{ evaluation: { protected: boolean; protection: { products: { key: string; protects: boolean }[] } } }>().evaluation;
    expect(products.protection.products).toEqual([expect.objectContaining({ key: 'sophos', protects: false }), expect.objectContaining({ key: 'sophos#2', protects: true })]);
    expect(products.protected).toBe(true);
    const lines = (c.db.prepare('SELECT points FROM outbox').pluck().all() as string[])
      .join('\n')
      .split('\n')
      .filter((l) => l.startsWith('protection_product,') && l.includes(`agent_id=${a.agentId}`));
    expect(lines).toHaveLength(2);
    expect(lines[0]).not.toContain('product_key=');
    expect(lines[1]).toContain('product_key=sophos#2');
  });
});
