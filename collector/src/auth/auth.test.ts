/**
 * The auth matrix: who may do what. Agents (enrollment secret -> credential), API tokens
 * (viewer, admin), and everyone else, against every kind of route, including routes that do not
 * were added by other engineers (/api/v1/rules, /report): each refused with the right status, and
 * a refused report stores nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_UNITS } from '../../../testing/collector.js';
import { sampleReport } from '../../../testing/reports.js';
import { build, openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { AgentStore } from '../store/agents.js';
import { openDb } from '../store/db.js';
import { sha256 } from './secrets.js';
import { sqlAll } from '../../../testing/sql.js';

const ADMIN = 'pt_admin-token-for-tests-0123456789abcdefghijklmn';
const VIEWER = 'pt_viewer-token-for-tests-0123456789abcdefghijklm';
const EXPIRED_UNIT = { id: 'CDSVN', name: 'Cục Đường sắt Việt Nam', enrollmentSecret: 'cdsvn-secret-0123456789', enrollmentSecretExpires: '2020-01-01' };

let dir: string;
let c: Collector;
let app: FastifyInstance;
let agentA: { agentId: string; credential: string };
let agentB: { agentId: string; credential: string };
let revoked: { agentId: string; credential: string };
let ipSeq = 1;
/** A fresh source address per request group, so rate limits of one test do not leak into the next. */
const nextIp = () => `10.0.${Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`;

const snapshot = () => ({ hosts: c.hosts.all().length, reports: c.reports.count(), outbox: c.outbox.depth() });

const tokenOf = (r: ReturnType<Collector['tokens']['create']>): string => {
  if (!r.ok) throw new Error(`tokens.create: ${r.code}`);
  return r.token;
};

async function enroll(unit: string, secret: string, ip = nextIp()) {
  return app.inject({ method: 'POST', url: '/api/v1/enroll', remoteAddress: ip, payload: { unit, secret, hostname: `h-${unit}`, machineId: '' } });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-auth-'));
  c = openCollector(
    validateConfig(
      {
        dataDir: dir,
        units: [...TEST_UNITS, EXPIRED_UNIT],
        auth: {
          tokens: [
            { name: 'secteam', role: 'admin', sha256: sha256(ADMIN) },
            { name: 'grafana', role: 'viewer', sha256: sha256(VIEWER) },
          ],
        },
        limits: { enrollPerMinute: 5, authFailuresPerMinute: 10 },
      },
      'test',
    ),
  );
  app = build(c);
  agentA = (await enroll('TTCNTT', TEST_UNITS[0]!.enrollmentSecret)).json();
  agentB = (await enroll('CHHVN', TEST_UNITS[1]!.enrollmentSecret)).json();
  revoked = (await enroll('TTCNTT', TEST_UNITS[0]!.enrollmentSecret)).json();
  expect(c.agents.revoke(revoked.agentId)).toBe(true);
});

afterAll(async () => {
  await app.close();
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('enrollment', () => {
  it('stores secrets as salted scrypt hashes, never in clear or unsalted', () => {
    const rows = sqlAll<{ id: string; secret_hash: string }>(c.db, 'SELECT id, secret_hash FROM units');
    const a = rows.find((r) => r.id === 'TTCNTT')!.secret_hash;
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.toContain(TEST_UNITS[0]!.enrollmentSecret);
    expect(a).not.toContain(sha256(TEST_UNITS[0]!.enrollmentSecret));
    // Same secret, different salt: equal secrets do not give equal hashes.
    expect(new Set(rows.map((r) => r.secret_hash.split('$')[4])).size).toBe(rows.length);
  });

  it('refuses an expired secret (403 ENROLL_SECRET_EXPIRED) and a wrong one (403 ENROLL_DENIED)', async () => {
    const expired = await enroll('CDSVN', EXPIRED_UNIT.enrollmentSecret);
    expect(expired.statusCode).toBe(403);
    expect(expired.json()).toMatchObject({ code: 'ENROLL_SECRET_EXPIRED', message: expect.stringMatching(/expired at 2020-01-01T23:59:59.999Z/) });
    const wrong = await enroll('CDSVN', 'not-the-secret-at-all');
    expect(wrong.json().code).toBe('ENROLL_DENIED');
    expect(c.agents.list({ unit: 'CDSVN' })).toEqual([]);
  });

  it('rotates a secret: the old one stops working, the new one works, enrolled agents keep theirs', async () => {
    const rotated = c.agents.rotateSecret('TCDBVN', new Date(Date.now() + 86_400_000));
    if (!rotated.ok) throw new Error(`rotateSecret: ${rotated.code}`);
    const secret = rotated.secret;
    expect((await enroll('TCDBVN', TEST_UNITS[2]!.enrollmentSecret)).json().code).toBe('ENROLL_DENIED');
    const fresh = await enroll('TCDBVN', secret);
    expect(fresh.statusCode).toBe(201);
    expect(fresh.json().unit).toBe('TCDBVN');
    // A restart with the old secret still in the config must not undo the rotation.
    expect(c.agents.syncUnits(TEST_UNITS).ignoredConfigSecret).toEqual(['TCDBVN']);
    expect((await enroll('TCDBVN', TEST_UNITS[2]!.enrollmentSecret)).statusCode).toBe(403);
  });

  it('limits enrollment attempts per source address (429 with Retry-After), not per unit', async () => {
    const ip = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await enroll('TTCNTT', 'guess-number-' + i, ip)).statusCode);
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429]);
    const limited = await enroll('TTCNTT', TEST_UNITS[0]!.enrollmentSecret, ip);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await enroll('TTCNTT', TEST_UNITS[0]!.enrollmentSecret)).statusCode).toBe(201);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${VIEWER}` } })).body;
    expect(metrics).toMatch(/^posture_enrollments_rejected_total\{code="RATE_LIMITED"\} 3$/m);
  });
});

describe('reports: agent credentials', () => {
  const cases: { name: string; auth: () => string | undefined; body: () => unknown; status: number; code: string }[] = [
    { name: 'no credential', auth: () => undefined, body: () => sampleReport({ agentId: agentA.agentId, unit: 'TTCNTT' }), status: 401, code: 'AUTH_REQUIRED' },
    { name: 'wrong credential', auth: () => 'Bearer pa_wrong', body: () => sampleReport({ agentId: agentA.agentId, unit: 'TTCNTT' }), status: 401, code: 'AUTH_INVALID' },
    { name: 'malformed header', auth: () => `Token ${agentA.credential}`, body: () => sampleReport({ agentId: agentA.agentId, unit: 'TTCNTT' }), status: 401, code: 'AUTH_INVALID' },
    { name: 'revoked credential', auth: () => `Bearer ${revoked.credential}`, body: () => sampleReport({ agentId: revoked.agentId, unit: 'TTCNTT' }), status: 401, code: 'AGENT_REVOKED' },
    { name: 'unit A credential posting as unit B', auth: () => `Bearer ${agentA.credential}`, body: () => sampleReport({ agentId: agentA.agentId, unit: 'CHHVN' }), status: 403, code: 'UNIT_MISMATCH' },
    { name: 'agent A credential posting as agent B', auth: () => `Bearer ${agentA.credential}`, body: () => sampleReport({ agentId: agentB.agentId, unit: 'CHHVN' }), status: 403, code: 'AGENT_MISMATCH' },
    { name: 'an admin API token', auth: () => `Bearer ${ADMIN}`, body: () => sampleReport({ agentId: agentA.agentId, unit: 'TTCNTT' }), status: 401, code: 'AUTH_INVALID' },
  ];
  for (const tc of cases) {
    it(`refuses ${tc.name}: ${tc.status} ${tc.code}, nothing stored`, async () => {
      const before = snapshot();
      const auth = tc.auth();
      const res = await app.inject({ method: 'POST', url: '/api/v1/reports', remoteAddress: nextIp(), payload: tc.body() as object, headers: auth ? { authorization: auth } : {} });
      expect(res.statusCode).toBe(tc.status);
      expect(res.json().code).toBe(tc.code);
      expect(snapshot()).toEqual(before);
    });
  }

  it('accepts the right credential, with the unit taken from it', async () => {
    const r = sampleReport({ agentId: agentB.agentId, unit: 'CHHVN' });
    const res = await app.inject({ method: 'POST', url: '/api/v1/reports', payload: r, headers: { authorization: `Bearer ${agentB.credential}` } });
    expect(res.statusCode).toBe(201);
    expect(c.hosts.get(agentB.agentId)?.unit).toBe('CHHVN');
  });

  it('refuses the reports of an agent revoked from another process (the CLI) after its credential was cached: 401 AGENT_REVOKED, nothing stored', async () => {
    const agent = (await enroll('TTCNTT', TEST_UNITS[0]!.enrollmentSecret)).json<{ agentId: string; credential: string }>();
    const post = () => app.inject({ method: 'POST', url: '/api/v1/reports', payload: sampleReport({ agentId: agent.agentId, unit: 'TTCNTT' }), headers: { authorization: `Bearer ${agent.credential}` } });
    expect((await post()).statusCode).toBe(201);
    // The CLI's process has its own connection: this collector's credential cache does not hear of it.
    const cli = openDb(dir);
    try {
      expect(new AgentStore(cli).revoke(agent.agentId)).toBe(true);
    } finally {
      cli.close();
    }
    for (let i = 0; i < 2; i++) {
      const before = snapshot();
      const res = await post();
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('AGENT_REVOKED');
      expect(snapshot()).toEqual(before);
    }
  });

  it('limits failures per address (10 here): the failing attempts get 429, a good credential from that address still passes', async () => {
    const ip = nextIp();
    const post = (cred: string, from = ip) => app.inject({ method: 'POST', url: '/api/v1/reports', remoteAddress: from, payload: sampleReport({ agentId: agentA.agentId, unit: 'TTCNTT' }), headers: { authorization: `Bearer ${cred}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await post(`pa_guess${i}`)).statusCode);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    const refused = await post('pa_guess-more');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('RATE_LIMITED');
    expect(refused.json().message).toContain(ip);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await post(agentA.credential)).statusCode).toBe(201);
  });

  it('limits failures per presented credential (default 10 a minute), from any address', async () => {
    const post = (cred: string) => app.inject({ method: 'POST', url: '/api/v1/reports', remoteAddress: nextIp(), payload: sampleReport({ agentId: agentA.agentId, unit: 'TTCNTT' }), headers: { authorization: `Bearer ${cred}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await post('pa_the-same-wrong-credential')).statusCode);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    expect((await post('pa_another-wrong-one')).statusCode).toBe(401);
    expect((await post(agentA.credential)).statusCode).toBe(201);
  });
});

describe('read and admin APIs: tokens and roles', () => {
  const who: Record<string, () => Record<string, string>> = {
    none: () => ({}),
    agent: () => ({ authorization: `Bearer ${agentA.credential}` }),
    garbage: () => ({ authorization: 'Bearer pt_not-a-token' }),
    viewer: () => ({ authorization: `Bearer ${VIEWER}` }),
    admin: () => ({ authorization: `Bearer ${ADMIN}` }),
    'viewer via Basic': () => ({ authorization: `Basic ${Buffer.from(`anyone:${VIEWER}`).toString('base64')}` }),
  };
  const system = { name: 'Hệ thống thử', ownerUnit: 'TTCNTT', level: 2, tags: [] };
  // [method, url, body, expected status per principal]
  const routes: [string, string, unknown, Record<string, number>][] = [
    ['GET', '/api/v1/systems', undefined, { none: 401, agent: 401, garbage: 401, viewer: 200, admin: 200, 'viewer via Basic': 200 }],
    ['GET', '/api/v1/hosts', undefined, { none: 401, agent: 401, garbage: 401, viewer: 200, admin: 200, 'viewer via Basic': 200 }],
    ['GET', '/api/v1/agents', undefined, { none: 401, agent: 401, garbage: 401, viewer: 200, admin: 200, 'viewer via Basic': 200 }],
    ['GET', '/api/v1/report?format=json', undefined, { none: 401, agent: 401, garbage: 401, viewer: 200, admin: 200, 'viewer via Basic': 200 }],
    // Routes other engineers add later are guarded already: 404 only once authenticated.
    ['GET', '/api/v1/rules', undefined, { none: 401, agent: 401, garbage: 401, viewer: 200, admin: 200, 'viewer via Basic': 200 }],
    ['GET', '/report', undefined, { none: 401, agent: 401, garbage: 401, viewer: 200, admin: 200, 'viewer via Basic': 200 }],
    ['GET', '/metrics', undefined, { none: 401, agent: 401, garbage: 401, viewer: 200, admin: 200, 'viewer via Basic': 200 }],
    ['PUT', '/api/v1/systems/thu-nghiem', system, { none: 401, agent: 401, garbage: 401, viewer: 403, admin: 201, 'viewer via Basic': 403 }],
    ['POST', '/api/v1/rules/reload', {}, { none: 401, agent: 401, garbage: 401, viewer: 403, admin: 200, 'viewer via Basic': 403 }],
    ['GET', '/healthz', undefined, { none: 200, agent: 200, garbage: 200, viewer: 200, admin: 200, 'viewer via Basic': 200 }],
  ];
  for (const [method, url, body, expected] of routes) {
    it(`${method} ${url}`, async () => {
      for (const [name, headers] of Object.entries(who)) {
        if (method === 'PUT' && name === 'admin') c.systems.remove('thu-nghiem');
        const res = await app.inject({ method: method as 'GET', url, remoteAddress: nextIp(), headers: headers(), ...(body ? { payload: body } : {}) });
        expect({ who: name, status: res.statusCode }).toEqual({ who: name, status: expected[name] });
        if (res.statusCode === 401 || res.statusCode === 403) expect(res.json().code).toMatch(/^(AUTH_REQUIRED|TOKEN_INVALID|FORBIDDEN_ROLE)$/);
      }
    });
  }

  it('tells an agent that its credential is not an API token, and asks browsers for a login', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/hosts', headers: who.agent!() });
    expect(res.json().message).toMatch(/agent credential opens only \/api\/v1\/reports/);
    const anon = await app.inject({ method: 'GET', url: '/api/v1/hosts' });
    expect(anon.headers['www-authenticate']).toMatch(/^Basic realm="posture"/);
  });

  it('refuses a revoked and an expired token', async () => {
    const t = tokenOf(c.tokens.create('temp', 'admin', null));
    expect((await app.inject({ method: 'GET', url: '/api/v1/hosts', headers: { authorization: `Bearer ${t}` } })).statusCode).toBe(200);
    c.tokens.revoke('temp');
    const res = await app.inject({ method: 'GET', url: '/api/v1/hosts', headers: { authorization: `Bearer ${t}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toMatch(/"temp" was revoked/);
    const old = tokenOf(c.tokens.create('old', 'viewer', new Date(Date.now() - 1000)));
    const res2 = await app.inject({ method: 'GET', url: '/api/v1/hosts', headers: { authorization: `Bearer ${old}` } });
    expect(res2.json().message).toMatch(/"old" expired/);
  });
});
