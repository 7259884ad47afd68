/**
 * The registry, hosts and agents APIs: registry records from the file are read-only over the
 * API, API records are validated field by field; declared-but-unregistered systems are listed
 * as unclassified; stale hosts are listed and count as not protected; decommissioning takes a
 * host out of the denominator, revokes its agent and leaves an audit record; the outbox bound
 * turns into 503 with Retry-After rather than dropped points.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_UNITS } from '../../../testing/collector.js';
import { sampleReport } from '../../../testing/reports.js';
import { hostList } from '../admin/actions.js';
import { build, openCollector } from '../app.js';
import { sha256 } from '../auth/secrets.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { pointsOfReport } from '../influx/points.js';

const ADMIN = 'pt_admin-for-admin-tests-0123456789abcdefghijklmnop';
let dir: string;
let c: Collector;
let app: FastifyInstance;
const auth = { authorization: `Bearer ${ADMIN}` };

async function enrollAndReport(unit: string, opts: { systems?: string[]; receivedAt?: Date } = {}) {
  const secret = TEST_UNITS.find((u) => u.id === unit)!.enrollmentSecret;
  const a = (await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { unit, secret, hostname: 'h', machineId: '' } })).json<{ agentId: string; credential: string }>();
  const r = sampleReport({ agentId: a.agentId, unit, systems: opts.systems ?? [] });
  if (opts.receivedAt) c.storeReport(r, unit, pointsOfReport(r, unit), opts.receivedAt);
  else expect((await app.inject({ method: 'POST', url: '/api/v1/reports', payload: r, headers: { authorization: `Bearer ${a.credential}` } })).statusCode).toBe(201);
  return a;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-admin-'));
  const registryFile = join(dir, 'systems.yaml');
  await writeFile(registryFile, 'systems:\n  - { id: cong-ttdt, name: "Cổng TTĐT", ownerUnit: TTCNTT, level: 3, tags: [portal] }\n');
  c = openCollector(validateConfig({ dataDir: join(dir, 'data'), units: TEST_UNITS, registryFile, staleAfterMinutes: 60, auth: { tokens: [{ name: 'secteam', role: 'admin', sha256: sha256(ADMIN) }] } }, 'test'));
  app = build(c);
});

afterAll(async () => {
  await app.close();
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('systems registry API', () => {
  it('creates, reads, changes and deletes an API record, with audit records', async () => {
    const rec = { name: 'Hệ thống thư điện tử', ownerUnit: 'CHHVN', level: 2, approval: { number: '88/QĐ-CHHVN', date: '2023-01-05' }, protectionPlan: { deployed: true, status: 'full' }, tags: [], fourLayer: { socProvider: 'VNPT' } };
    const put = await app.inject({ method: 'PUT', url: '/api/v1/systems/hh-email', payload: rec, headers: auth });
    expect(put.statusCode).toBe(201);
    expect((await app.inject({ method: 'PUT', url: '/api/v1/systems/hh-email', payload: { ...rec, level: 3 }, headers: auth })).statusCode).toBe(200);
    const got = (await app.inject({ method: 'GET', url: '/api/v1/systems/hh-email', headers: auth })).json();
    expect(got).toMatchObject({ id: 'hh-email', level: 3, source: 'api', fourLayer: { socProvider: 'VNPT' } });
    const list = (await app.inject({ method: 'GET', url: '/api/v1/systems', headers: auth })).json<{ systems: { id: string; source: string }[] }>();
    expect(list.systems.map((s) => [s.id, s.source])).toEqual([
      ['cong-ttdt', 'file'],
      ['hh-email', 'api'],
    ]);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/systems/hh-email', headers: auth })).statusCode).toBe(204);
    expect(c.audit.list({ subject: 'hh-email' }).map((a) => [a.action, a.actor])).toEqual([
      ['system.delete', 'token:secteam'],
      ['system.update', 'token:secteam'],
      ['system.create', 'token:secteam'],
    ]);
  });

  it('refuses to change a record that the registry file manages', async () => {
    const res = await app.inject({ method: 'PUT', url: '/api/v1/systems/cong-ttdt', payload: { name: 'x', ownerUnit: 'TTCNTT' }, headers: auth });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toMatch(/managed by the registry file .*systems\.yaml/);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/systems/cong-ttdt', headers: auth })).statusCode).toBe(409);
  });

  it('names the bad field of an invalid record, and an unknown owner unit', async () => {
    const bad = await app.inject({ method: 'PUT', url: '/api/v1/systems/x1', payload: { name: 'x', ownerUnit: 'TTCNTT', level: 7 }, headers: auth });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().message).toMatch(/\/level/);
    const extra = await app.inject({ method: 'PUT', url: '/api/v1/systems/x1', payload: { name: 'x', ownerUnit: 'TTCNTT', colour: 'red' }, headers: auth });
    expect(extra.json().message).toMatch(/colour/);
    const unit = await app.inject({ method: 'PUT', url: '/api/v1/systems/x1', payload: { name: 'x', ownerUnit: 'NOPE' }, headers: auth });
    expect(unit.json().message).toMatch(/ownerUnit "NOPE" is not a configured unit/);
    expect(c.systems.get('x1')).toBeUndefined();
  });

  it('lists systems that agents declare but the registry lacks as unclassified, in the denominator', async () => {
    await enrollAndReport('CHHVN', { systems: ['hh-vts', 'cong-ttdt'] });
    const list = (await app.inject({ method: 'GET', url: '/api/v1/systems', headers: auth })).json<{ unclassified: { id: string; unit: string }[] }>();
    expect(list.unclassified).toEqual([{ id: 'hh-vts', unit: 'CHHVN', hosts: 1 }]);
    const sc = c.engine.evaluateNow().indicators.find((i) => i.id === 'systems_classified')!;
    expect(sc.ministry.total).toBe(2);
  });
});

describe('stale and decommissioned hosts', () => {
  it('lists a silent host as stale and counts it as not protected', async () => {
    const old = await enrollAndReport('TCDBVN', { receivedAt: new Date(Date.now() - 2 * 3600_000) });
    const stale = (await app.inject({ method: 'GET', url: '/api/v1/hosts?stale=true', headers: auth })).json<{ hosts: { id: string; stale: boolean; protected: boolean }[] }>();
    expect(stale.hosts.map((h) => h.id)).toEqual([old.agentId]);
    expect(stale.hosts[0]).toMatchObject({ stale: true, protected: false });
    const ep = c.engine.evaluateNow().indicators.find((i) => i.id === 'endpoint_protection')!;
    expect(ep.units.find((u) => u.scope === 'TCDBVN')).toMatchObject({ pass: 0, total: 1 });
  });

  it('pages the host list in SQL and refuses a bad page size', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/hosts', headers: auth });
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const all = res.json<{ total: number; hosts: { id: string }[] }>();
    expect(all.total).toBeGreaterThanOrEqual(2);
    // Streamed by chunks, the page is the listing the CLI prints, field for field.
    expect(all).toEqual({ staleAfterMinutes: c.config.staleAfterMinutes, total: all.total, limit: 1000, offset: 0, hosts: JSON.parse(JSON.stringify(hostList(c))) as unknown });
    const p1 = (await app.inject({ method: 'GET', url: '/api/v1/hosts?limit=1&offset=1', headers: auth })).json<{ total: number; hosts: { id: string }[] }>();
    expect(p1).toMatchObject({ total: all.total, limit: 1, offset: 1 });
    expect(p1.hosts.map((h) => h.id)).toEqual([all.hosts[1]!.id]);
    const bad = await app.inject({ method: 'GET', url: '/api/v1/hosts?limit=100000', headers: auth });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().message).toMatch(/"limit" must be a whole number from 0 to 10000/);
  });

  it('decommissions a host: out of the denominator, agent revoked, audit record kept', async () => {
    const a = await enrollAndReport('TTCNTT');
    const total = () => c.engine.evaluateNow().indicators.find((i) => i.id === 'endpoint_protection')!.ministry.total;
    const before = total();
    const noReason = await app.inject({ method: 'POST', url: `/api/v1/hosts/${a.agentId}/decommission`, payload: {}, headers: auth });
    expect(noReason.statusCode).toBe(422);
    const res = await app.inject({ method: 'POST', url: `/api/v1/hosts/${a.agentId}/decommission`, payload: { reason: 'server retired, ticket 42' }, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().decommissioned_at).toBeTruthy();
    expect(total()).toBe(before - 1);
    const listed = (await app.inject({ method: 'GET', url: '/api/v1/hosts', headers: auth })).json<{ hosts: { id: string }[] }>();
    expect(listed.hosts.map((h) => h.id)).not.toContain(a.agentId);
    const all = (await app.inject({ method: 'GET', url: '/api/v1/hosts?decommissioned=true', headers: auth })).json<{ hosts: { id: string; decommissionedAt: string }[] }>();
    expect(all.hosts.find((h) => h.id === a.agentId)?.decommissionedAt).toBeTruthy();
    const again = await app.inject({ method: 'POST', url: '/api/v1/reports', payload: sampleReport({ agentId: a.agentId, unit: 'TTCNTT' }), headers: { authorization: `Bearer ${a.credential}` } });
    expect(again.json().code).toBe('AGENT_REVOKED');
    const audit = (await app.inject({ method: 'GET', url: `/api/v1/audit?subject=${a.agentId}`, headers: auth })).json<{ records: { action: string; actor: string; detail: { reason: string } }[] }>();
    expect(audit.records).toEqual([expect.objectContaining({ action: 'host.decommission', actor: 'token:secteam', detail: expect.objectContaining({ reason: 'server retired, ticket 42', unit: 'TTCNTT' }) })]);
    expect((await app.inject({ method: 'POST', url: `/api/v1/hosts/${a.agentId}/decommission`, payload: { reason: 'again' }, headers: auth })).statusCode).toBe(409);
  });

  it('lists agents without credentials and revokes one with an audit record', async () => {
    const a = await enrollAndReport('CHHVN');
    const list = (await app.inject({ method: 'GET', url: '/api/v1/agents?unit=CHHVN', headers: auth })).json<{ agents: Record<string, unknown>[] }>();
    expect(list.agents.length).toBeGreaterThan(0);
    expect(JSON.stringify(list)).not.toMatch(/pa_|credential/);
    const res = await app.inject({ method: 'POST', url: `/api/v1/agents/${a.agentId}/revoke`, payload: { reason: 'laptop stolen' }, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().revoked_at).toBeTruthy();
    expect(c.audit.list({ subject: a.agentId })[0]).toMatchObject({ action: 'agent.revoke', detail: { reason: 'laptop stolen' } });
  });
});

describe('outbox bound', () => {
  it('answers 503 OUTBOX_FULL with Retry-After once the outbox holds influx.outboxMaxPoints, storing nothing more', async () => {
    const d = await mkdtemp(join(tmpdir(), 'posture-bound-'));
    // InfluxDB unreachable and the writer never started: points only accumulate.
    const small = openCollector(validateConfig({ dataDir: d, units: TEST_UNITS, influx: { url: 'http://127.0.0.1:9', outboxMaxPoints: 10 } }, 'test'));
    const a2 = build(small);
    try {
      const a = (await a2.inject({ method: 'POST', url: '/api/v1/enroll', payload: { unit: 'TTCNTT', secret: TEST_UNITS[0]!.enrollmentSecret, hostname: 'h', machineId: '' } })).json<{ agentId: string; credential: string }>();
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await a2.inject({ method: 'POST', url: '/api/v1/reports', payload: sampleReport({ agentId: a.agentId, unit: 'TTCNTT' }), headers: { authorization: `Bearer ${a.credential}` } });
        statuses.push(res.statusCode);
        if (res.statusCode === 503) {
          expect(res.json().code).toBe('OUTBOX_FULL');
          expect(res.headers['retry-after']).toBe('60');
        }
      }
      // Two points per sample report: five fit in ten.
      expect(statuses).toEqual([201, 201, 201, 201, 201, 503, 503]);
      expect(small.outbox.pointCount()).toBe(10);
      expect(small.reports.count()).toBe(5);
    } finally {
      await a2.close();
      small.db.close();
      await rm(d, { recursive: true, force: true });
    }
  });
});
