/**
 * Every route declares its inputs: an unknown query parameter, and a value of the wrong type
 * in the query, path or body, are refused with the route's coded error naming the parameter or
 * field. The list of API routes comes from the app itself, so a route added without a case here
 * fails this test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AUTH, TEST_TOKENS, TEST_UNITS } from '../../../testing/collector.js';
import { sampleReport } from '../../../testing/reports.js';
import { build, openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';

let dir: string;
let c: Collector;
let app: FastifyInstance;
const routes: string[] = [];
let agent: { agentId: string; credential: string };
let relay: { relayId: string; credential: string };
const unit = TEST_UNITS[0]!;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-route-schemas-'));
  c = openCollector(validateConfig({ dataDir: join(dir, 'data'), units: TEST_UNITS, auth: TEST_AUTH }, 'test'));
  app = build(c);
  app.addHook('onRoute', (r) => {
    // HEAD routes are fastify's automatic twins of GET ones. The console's pages (/console) are
    // HTML for people, not the API: a stray query parameter there must not cost an error page,
    // and its forms are checked by the console, which answers with the form and the field at
    // fault (console tests).
    if (r.url.startsWith('/console')) return;
    for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push(`${m} ${r.url}`);
  });
  await app.ready();
  agent = (await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { unit: unit.id, secret: unit.enrollmentSecret, hostname: 'h1', machineId: '' } })).json();
  relay = (await app.inject({ method: 'POST', url: '/api/v1/relay/enroll', payload: { unit: unit.id, secret: unit.enrollmentSecret, name: 'unit-collector' } })).json();
});

afterAll(async () => {
  await app.close();
  await c.ingest.close();
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

type Who = 'public' | 'viewer' | 'admin' | 'agent' | 'relay';

interface RouteCase {
  route: string;
  who: Who;
  /** A path that matches the route. */
  url: string;
  /** The code of an unknown query parameter (default QUERY_INVALID). */
  queryCode?: string;
  /** Requests with one value of the wrong type (a function: made when the test runs), the code they get and the field they name. */
  wrongTypes: { query?: string; url?: string; body?: unknown; code: string; names: string; path: string }[];
}

const report = () => sampleReport({ agentId: agent.agentId, unit: unit.id });

const CASES: RouteCase[] = [
  { route: 'GET /healthz', who: 'public', url: '/healthz', wrongTypes: [] },
  { route: 'GET /metrics', who: 'viewer', url: '/metrics', wrongTypes: [] },
  {
    route: 'POST /api/v1/enroll',
    who: 'public',
    url: '/api/v1/enroll',
    wrongTypes: [{ body: { unit: unit.id, secret: 12345678, hostname: 'h', machineId: '' }, code: 'ENROLL_INVALID', names: 'must be string', path: '/secret' }],
  },
  {
    route: 'POST /api/v1/reports',
    who: 'agent',
    url: '/api/v1/reports',
    wrongTypes: [{ body: () => ({ ...report(), collectedAt: 1700000000 }), code: 'REPORT_INVALID', names: 'must be string', path: '/collectedAt' }],
  },
  {
    route: 'POST /api/v1/relay/enroll',
    who: 'public',
    url: '/api/v1/relay/enroll',
    wrongTypes: [{ body: { unit: unit.id, secret: unit.enrollmentSecret, name: 7 }, code: 'ENROLL_INVALID', names: 'must be string', path: '/name' }],
  },
  {
    route: 'POST /api/v1/relay/reports',
    who: 'relay',
    url: '/api/v1/relay/reports',
    wrongTypes: [{ body: { reports: 'all of them' }, code: 'REQUEST_INVALID', names: 'must be array', path: '/reports' }],
  },
  {
    route: 'GET /api/v1/report',
    who: 'viewer',
    url: '/api/v1/report',
    wrongTypes: [
      { query: 'format=pdf', code: 'QUERY_INVALID', names: '"format"', path: '/format' },
      { query: 'lang=vi&lang=en', code: 'QUERY_INVALID', names: '"lang"', path: '/lang' },
    ],
  },
  { route: 'GET /report', who: 'viewer', url: '/report', wrongTypes: [{ query: 'at=2026-01-01&at=2026-02-01', code: 'QUERY_INVALID', names: '"at"', path: '/at' }] },
  { route: 'POST /api/v1/rules/reload', who: 'admin', url: '/api/v1/rules/reload', wrongTypes: [] },
  { route: 'GET /api/v1/rules', who: 'viewer', url: '/api/v1/rules', wrongTypes: [] },
  { route: 'GET /api/v1/systems', who: 'viewer', url: '/api/v1/systems', wrongTypes: [] },
  { route: 'GET /api/v1/systems/:id', who: 'viewer', url: '/api/v1/systems/portal', wrongTypes: [{ url: `/api/v1/systems/${'x'.repeat(300)}`, code: 'REQUEST_INVALID', names: '"id"', path: '/id' }] },
  { route: 'PUT /api/v1/systems/:id', who: 'admin', url: '/api/v1/systems/portal', wrongTypes: [{ body: ['not', 'a', 'record'], code: 'REQUEST_INVALID', names: 'must be object', path: '' }] },
  { route: 'POST /api/v1/systems', who: 'admin', url: '/api/v1/systems', wrongTypes: [{ body: 'portal', code: 'REQUEST_INVALID', names: 'must be object', path: '' }] },
  { route: 'DELETE /api/v1/systems/:id', who: 'admin', url: '/api/v1/systems/portal', wrongTypes: [{ url: `/api/v1/systems/${'x'.repeat(300)}`, code: 'REQUEST_INVALID', names: '"id"', path: '/id' }] },
  {
    route: 'GET /api/v1/hosts',
    who: 'viewer',
    url: '/api/v1/hosts',
    queryCode: 'REQUEST_INVALID',
    wrongTypes: [
      { query: 'limit=ten', code: 'REQUEST_INVALID', names: '"limit"', path: '/limit' },
      { query: 'stale=maybe', code: 'REQUEST_INVALID', names: '"stale"', path: '/stale' },
    ],
  },
  { route: 'GET /api/v1/hosts/:id', who: 'viewer', url: '/api/v1/hosts/h1', wrongTypes: [{ url: `/api/v1/hosts/${'x'.repeat(300)}`, code: 'REQUEST_INVALID', names: '"id"', path: '/id' }] },
  { route: 'POST /api/v1/hosts/:id/decommission', who: 'admin', url: '/api/v1/hosts/h1/decommission', wrongTypes: [{ body: { reason: 42 }, code: 'REQUEST_INVALID', names: 'must be string', path: '/reason' }] },
  { route: 'GET /api/v1/audit', who: 'viewer', url: '/api/v1/audit', wrongTypes: [{ query: 'subject=a&subject=b', code: 'QUERY_INVALID', names: '"subject"', path: '/subject' }] },
  { route: 'GET /api/v1/agents', who: 'viewer', url: '/api/v1/agents', wrongTypes: [{ query: 'unit=A&unit=B', code: 'QUERY_INVALID', names: '"unit"', path: '/unit' }] },
  { route: 'POST /api/v1/agents/:id/revoke', who: 'admin', url: '/api/v1/agents/a-1/revoke', wrongTypes: [{ body: { reason: ['stolen'] }, code: 'REQUEST_INVALID', names: 'must be string', path: '/reason' }] },
];

const headersFor = (who: Who): Record<string, string> => {
  const bearer = { viewer: TEST_TOKENS.viewer, admin: TEST_TOKENS.admin, agent: agent.credential, relay: relay.credential, public: '' }[who];
  return bearer ? { authorization: `Bearer ${bearer}` } : {};
};

/** A body the route would accept in shape, so that only the query string is at fault. */
const goodBody = (route: string): unknown => {
  if (route === 'POST /api/v1/enroll') return { unit: unit.id, secret: unit.enrollmentSecret, hostname: 'h', machineId: '' };
  if (route === 'POST /api/v1/relay/enroll') return { unit: unit.id, secret: unit.enrollmentSecret, name: 'r' };
  if (route === 'POST /api/v1/reports') return report();
  if (route === 'POST /api/v1/relay/reports') return { reports: [report()] };
  if (route.includes('decommission')) return { reason: 'retired' };
  if (route.startsWith('PUT') || route === 'POST /api/v1/systems') return { id: 'portal', name: 'Portal', ownerUnit: unit.id };
  if (route.startsWith('POST')) return {};
  return undefined;
};

const send = (route: string, who: Who, url: string, body: unknown) => {
  const method = route.split(' ')[0] as 'GET' | 'POST' | 'PUT' | 'DELETE';
  return app.inject({ method, url, headers: { ...headersFor(who), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
};

describe('route schemas', () => {
  it('cover every route of the app', () => {
    expect([...routes].sort()).toEqual(CASES.map((k) => k.route).sort());
  });

  it.each(CASES.map((k) => [k.route, k] as const))('%s refuses an unknown query parameter, naming it', async (route, k) => {
    const res = await send(route, k.who, `${k.url}?colour=red`, goodBody(route));
    const body = res.json<{ code: string; message: string; details: { path: string; message: string }[] }>();
    const code = k.queryCode ?? 'QUERY_INVALID';
    expect([res.statusCode, body.code]).toEqual([code === 'QUERY_INVALID' ? 400 : 422, code]);
    expect(body.message).toMatch(/bad query parameter "colour": "colour" is not a parameter here/);
    expect(body.details).toEqual([expect.objectContaining({ path: '/colour' })]);
  });

  const wrong = CASES.flatMap((k) => k.wrongTypes.map((w, i) => [`${k.route} #${i + 1}`, k, w] as const));
  it.each(wrong)('%s refuses a value of the wrong type, naming it', async (_name, k, w) => {
    const url = `${w.url ?? k.url}${w.query ? `?${w.query}` : ''}`;
    const res = await send(k.route, k.who, url, typeof w.body === 'function' ? (w.body as () => unknown)() : (w.body ?? goodBody(k.route)));
    const body = res.json<{ code: string; message: string; details: { path: string; message: string }[] }>();
    expect([res.statusCode, body.code]).toEqual([body.code === 'QUERY_INVALID' ? 400 : 422, w.code]);
    expect(body.details.map((d) => d.path)).toContain(w.path);
    expect(`${body.message}\n${body.details.map((d) => `${d.path}: ${d.message}`).join('\n')}`).toContain(w.names);
  });

  it('keeps the routes working with good input (the schemas do not refuse what they must take)', async () => {
    const sent = report();
    const res = await send('POST /api/v1/reports', 'agent', '/api/v1/reports', sent);
    expect([res.statusCode, res.json<{ stored: boolean }>().stored]).toEqual([201, true]);
    const hosts = await send('GET /api/v1/hosts', 'viewer', '/api/v1/hosts?limit=5&stale=false', undefined);
    expect(hosts.json<{ limit: number; hosts: { id: string }[] }>()).toMatchObject({ limit: 5, hosts: [{ id: agent.agentId }] });
    const host = await send('GET /api/v1/hosts/:id', 'viewer', `/api/v1/hosts/${agent.agentId}`, undefined);
    // The latest report comes back as it was sent (written out as stored, not reshaped by a serializer).
    expect(host.json<{ latestReport: unknown }>().latestReport).toEqual(sent);
  });
});
