/**
 * The ministry side of federation through inject(), and a unit collector's forwarder against
 * a ministry collector listening on loopback (both in this process, real SQLite, real HTTP).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { RelayAck, Report } from '@posture/protocol';
import { build, openCollector } from '../app.js';
import { ConfigError, loadConfig, validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { TEST_AUTH, TEST_TOKENS, TEST_UNITS } from '../../../testing/collector.js';
import { sampleReport } from '../../../testing/reports.js';
import { sqlAll, sqlGet, sqlRun } from '../../../testing/sql.js';

const [, CHHVN, TCDBVN] = TEST_UNITS as unknown as [unknown, { id: string; enrollmentSecret: string }, { id: string; enrollmentSecret: string }];
let dir: string;
let m: Collector;
let app: FastifyInstance;
let relay: { relayId: string; credential: string };

const enrollRelay = (unit: string, secret: string) => app.inject({ method: 'POST', url: '/api/v1/relay/enroll', payload: { unit, secret, name: 'unit-collector' } });
const enrollAgent = async (unit: { id: string; enrollmentSecret: string }) =>
  (await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { unit: unit.id, secret: unit.enrollmentSecret, hostname: 'direct', machineId: '' } })).json<{ agentId: string; credential: string }>();
const reportStored = (id: string) => sqlGet(m.db, 'SELECT 1 FROM reports WHERE report_id = ?', id) !== undefined;
const relayPost = (reports: unknown[], credential = relay.credential) => app.inject({ method: 'POST', url: '/api/v1/relay/reports', payload: { reports }, headers: { authorization: `Bearer ${credential}` } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-relay-'));
  m = openCollector(validateConfig({ dataDir: join(dir, 'ministry'), units: TEST_UNITS, auth: TEST_AUTH, relay: { bodyBytes: 8192 } }, 'ministry.yaml'));
  app = build(m);
  const res = await enrollRelay(CHHVN.id, CHHVN.enrollmentSecret);
  expect(res.statusCode).toBe(201);
  relay = res.json();
  expect(relay.credential).toMatch(/^pr_/);
});

afterAll(async () => {
  await app.close();
  await m.ingest.close();
  m.db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('relay enrollment', () => {
  it("needs the unit's current enrollment secret", async () => {
    const wrong = await enrollRelay(CHHVN.id, TCDBVN.enrollmentSecret);
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('ENROLL_DENIED');
    const unknown = await enrollRelay('NOPE', CHHVN.enrollmentSecret);
    expect(unknown.json().code).toBe('UNKNOWN_UNIT');
    const bad = await app.inject({ method: 'POST', url: '/api/v1/relay/enroll', payload: { unit: CHHVN.id, secret: CHHVN.enrollmentSecret } });
    expect(bad.statusCode).toBe(422);
    expect(JSON.stringify(bad.json().details)).toContain('name');
  });
});

describe('POST /api/v1/relay/reports', () => {
  it('answers per item: stored, duplicate, refused with the reason; a relay of unit A cannot post unit B', async () => {
    const directB = await enrollAgent(TCDBVN);
    const directA = await enrollAgent(CHHVN);
    const good = sampleReport({ agentId: 'a-relayed-1', unit: CHHVN.id, hostname: 'hh-pc-1', protected: false });
    const otherUnit = sampleReport({ agentId: 'a-relayed-2', unit: TCDBVN.id });
    const foreignAgent = sampleReport({ agentId: directB.agentId, unit: CHHVN.id });
    const directAgent = sampleReport({ agentId: directA.agentId, unit: CHHVN.id });
    const invalid = { ...sampleReport({ agentId: 'a-relayed-3', unit: CHHVN.id }), extra: 1 };
    const res = await relayPost([good, otherUnit, foreignAgent, directAgent, invalid, good]);
    expect(res.statusCode).toBe(200);
    const { results } = res.json<RelayAck>();
    expect(results.map((r) => [r.reportId, r.status, r.code ?? null])).toEqual([
      [good.reportId, 'stored', null],
      [otherUnit.reportId, 'refused', 'UNIT_MISMATCH'],
      [foreignAgent.reportId, 'refused', 'AGENT_OTHER_UNIT'],
      [directAgent.reportId, 'refused', 'AGENT_NOT_RELAYED'],
      [invalid.reportId, 'refused', 'REPORT_INVALID'],
      [good.reportId, 'duplicate', null],
    ]);
    expect(results[1]!.reason).toContain(`claims unit "${TCDBVN.id}"`);
    expect(results[2]!.reason).toContain(`belongs to unit "${TCDBVN.id}"`);
    expect(results[4]!.reason).toContain('unknown field "extra"');
    // The relayed agent exists, bound to the relay's unit; nothing of unit B was stored.
    expect(m.agents.get('a-relayed-1')).toMatchObject({ unit: CHHVN.id, hostname: 'hh-pc-1' });
    // Credentials are stored as sha256 hex: a relayed agent's hash is not one, so it can never post directly.
    const { credential_hash: hash } = sqlGet(m.db, 'SELECT credential_hash FROM agents WHERE id = ?', 'a-relayed-1') as { credential_hash: string };
    expect(hash).not.toMatch(/^[0-9a-f]{64}$/);
    expect(m.agents.get('a-relayed-2')).toBeUndefined();
    expect(m.hosts.get('a-relayed-1')).toMatchObject({ unit: CHHVN.id, protected: false });
    expect(m.hosts.all().filter((h) => h.unit === TCDBVN.id)).toEqual([]);

    const again = await relayPost([good]);
    expect(again.json<RelayAck>().results[0]!.status).toBe('duplicate');
    expect(m.reports.count()).toBe(1);
  });

  it('is open to relay credentials only, and a relay credential opens nothing else', async () => {
    const agent = await enrollAgent(CHHVN);
    const r = sampleReport({ agentId: agent.agentId, unit: CHHVN.id });
    expect((await relayPost([r], agent.credential)).json().code).toBe('AUTH_INVALID');
    expect((await relayPost([r], TEST_TOKENS.admin)).json().code).toBe('AUTH_INVALID');
    expect((await app.inject({ method: 'POST', url: '/api/v1/relay/reports', payload: { reports: [r] } })).json().code).toBe('AUTH_REQUIRED');
    const asAgent = await app.inject({ method: 'POST', url: '/api/v1/reports', payload: r, headers: { authorization: `Bearer ${relay.credential}` } });
    expect([asAgent.statusCode, asAgent.json().code]).toEqual([401, 'AUTH_INVALID']);
    const asViewer = await app.inject({ method: 'GET', url: '/api/v1/hosts', headers: { authorization: `Bearer ${relay.credential}` } });
    expect(asViewer.statusCode).toBe(401);
    expect(asViewer.json().message).toContain('relay credential opens only /api/v1/relay/reports');
  });

  it('refuses a batch that is not {reports: [...]}, and a revoked relay', async () => {
    const bad = await app.inject({ method: 'POST', url: '/api/v1/relay/reports', payload: { reports: [] }, headers: { authorization: `Bearer ${relay.credential}` } });
    expect([bad.statusCode, bad.json().code]).toEqual([422, 'REQUEST_INVALID']);
    const other = (await enrollRelay(CHHVN.id, CHHVN.enrollmentSecret)).json<{ relayId: string; credential: string }>();
    expect(m.relays.revoke(other.relayId)).toBe(true);
    const res = await relayPost([sampleReport({ agentId: 'a-relayed-9', unit: CHHVN.id })], other.credential);
    expect([res.statusCode, res.json().code]).toEqual([401, 'RELAY_REVOKED']);
  });
});

describe('unit collector config and forward outbox', () => {
  it('needs upstream.unit when several units are configured, and it must be one of them', () => {
    expect(() => validateConfig({ dataDir: dir, units: TEST_UNITS, upstream: { url: 'http://127.0.0.1:1' } }, 'unit.yaml')).toThrow(/upstream\.unit: required when units lists 3 units/);
    expect(() => validateConfig({ dataDir: dir, units: [CHHVN], upstream: { url: 'http://127.0.0.1:1', unit: 'TCDBVN' } }, 'unit.yaml')).toThrow(ConfigError);
    const ok = validateConfig({ dataDir: dir, units: [CHHVN], upstream: { url: 'http://127.0.0.1:1' } }, 'unit.yaml');
    expect(ok.upstream).toMatchObject({ unit: CHHVN.id, credentialFile: join(dir, 'upstream.credential'), batchSize: 500 });
  });

  it('ships a valid example config of a unit collector', () => {
    const example = loadConfig(join(import.meta.dirname, '../../../deploy/config/collector-unit.example.yaml'));
    expect(example.upstream).toMatchObject({ url: 'https://posture.mt.gov.vn', unit: 'CHHVN', credentialFile: '/var/lib/posture/upstream.credential' });
  });

  it("forwards what it stores (its own unit's reports only); halves batches the ministry finds too large; keeps refused items aside", async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const credentialFile = join(dir, 'unit-cred');
    await writeFile(credentialFile, relay.credential);
    const u = openCollector(validateConfig({ dataDir: join(dir, 'unit'), units: [CHHVN, TCDBVN], upstream: { url: `http://127.0.0.1:${port}`, unit: CHHVN.id, credentialFile, batchSize: 5 } }, 'unit.yaml'));
    try {
      const now = new Date();
      // ~2.4 KB each (40 declared systems), so 5 exceed the ministry's relay.bodyBytes of 8 KB.
      const systems = Array.from({ length: 40 }, (_, k) => `chhvn-information-system-${k}`);
      const reports: Report[] = Array.from({ length: 6 }, (_, i) => sampleReport({ agentId: `a-fw-${i}`, unit: CHHVN.id, protected: i % 2 === 0, systems }));
      // Three days old: the ministry refuses it (clock skew) for good.
      reports.push(sampleReport({ agentId: 'a-fw-old', unit: CHHVN.id, collectedAt: new Date(now.getTime() - 3 * 86400_000) }));
      for (const r of [...reports, sampleReport({ agentId: 'a-fw-b', unit: TCDBVN.id })]) {
        const unit = r.probes.membership.ok ? r.probes.membership.facts.unit : '';
        sqlRun(u.db, 'INSERT INTO agents (id, unit, credential_hash, hostname, machine_id, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)', r.agentId, unit, `h-${r.agentId}`, 'h', '', now.toISOString());
        u.storeReport(r, unit, [], now);
      }
      expect(u.forwarder!.depth()).toBe(7);
      // A batch of 5 gets 413, then batches of 2 go through.
      for (let i = 0; i < 10 && u.forwarder!.depth() > 0; i++) await u.forwarder!.once();
      expect(u.forwarder!.depth()).toBe(0);
      expect(u.forwarder!.stats).toMatchObject({ forwarded: 6, refused: 1, failures: 1 });
      expect(sqlAll(u.db, 'SELECT report_id, code FROM forward_refused')).toEqual([{ report_id: reports[6]!.reportId, code: 'CLOCK_SKEW' }]);
      for (const r of reports.slice(0, 6)) expect(m.hosts.get(r.agentId)).toMatchObject({ unit: CHHVN.id });
      expect(m.hosts.get('a-fw-b')).toBeUndefined();

      // A row the ministry cannot even parse (a damaged store, say) makes it refuse the whole
      // batch (400): the forwarder halves down to that row, sets it aside, and the rest goes.
      const more = Array.from({ length: 4 }, (_, i) => sampleReport({ agentId: `a-fw-${i}`, unit: CHHVN.id }));
      more.forEach((r) => u.storeReport(r, CHHVN.id, [], new Date()));
      sqlRun(u.db, 'INSERT INTO forward_outbox (report_id, report, created_at) VALUES (?, ?, ?)', 'damaged', '{"reportId": "damaged", ', now.toISOString());
      more.slice(2).forEach((r) => sqlRun(u.db, 'INSERT INTO forward_outbox (report_id, report, created_at) VALUES (?, ?, ?)', r.reportId, JSON.stringify(r), now.toISOString()));
      for (let i = 0; i < 12 && u.forwarder!.depth() > 0; i++) await u.forwarder!.once();
      expect(u.forwarder!.depth()).toBe(0);
      expect(sqlAll(u.db, "SELECT code FROM forward_refused WHERE report_id = 'damaged'")).toEqual([{ code: 'BODY_INVALID_JSON' }]);
      for (const r of more) expect(reportStored(r.reportId)).toBe(true);
    } finally {
      await u.forwarder!.stop();
      await u.ingest.close();
      u.db.close();
    }
  });
});

describe('relayed reports: idempotency per agent', () => {
  it('the same report id from two agents: both stored; the same id with other content from one agent: refused REPORT_ID_CONFLICT', async () => {
    const a = sampleReport({ agentId: 'a-relayed-same-id-1', unit: CHHVN.id, hostname: 'same-id-1' });
    const b = { ...sampleReport({ agentId: 'a-relayed-same-id-2', unit: CHHVN.id, hostname: 'same-id-2' }), reportId: a.reportId };
    const reused = { ...sampleReport({ agentId: 'a-relayed-same-id-1', unit: CHHVN.id, hostname: 'same-id-1-again' }), reportId: a.reportId };
    const res = await relayPost([a, b]);
    expect(res.json<RelayAck>().results.map((r) => r.status)).toEqual(['stored', 'stored']);
    expect(m.db.prepare('SELECT count(*) FROM reports WHERE report_id = ?').pluck().get(a.reportId)).toBe(2);
    const again = await relayPost([a, reused]);
    const results = again.json<RelayAck>().results;
    expect(results.map((r) => [r.status, r.code ?? null])).toEqual([
      ['duplicate', null],
      ['refused', 'REPORT_ID_CONFLICT'],
    ]);
    expect(results[1]!.reason).toContain(a.reportId);
    expect(m.hosts.get('a-relayed-same-id-1')!.hostname).toBe('same-id-1');
  });
});
