/**
 * The portals API on stored results: the list covers every system tagged portal (probed or
 * not) with reasons rendered in both languages; one portal's history newest first; unknown ids
 * and untagged systems are 404 with what to do; viewers read, only admins probe; the registry
 * refuses a bad portal block naming the field.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_UNITS } from '../../../testing/collector.js';
import { build, openCollector } from '../app.js';
import { sha256 } from '../auth/secrets.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { parseRegistry, RegistryError } from '../store/systems.js';
import { CRITERIA, type PortalResult } from '../portals/types.js';

const ADMIN = 'pt_admin-for-portal-tests-0123456789abcdefghijklm';
const VIEWER = 'pt_viewer-for-portal-tests-0123456789abcdefghijkl';
let dir: string;
let c: Collector;
let app: FastifyInstance;

const result = (systemId: string, probedAt: number, ready: boolean): PortalResult => ({
  systemId,
  unit: 'TTCNTT',
  probedAt,
  ms: 120,
  level: ready ? 'ready' : 'web',
  ready,
  blocking: ready ? [] : [{ code: 'PORTAL_MX_NO_AAAA', params: { mx: 'mail.example.test' } }],
  checks: CRITERIA.map((criterion) => ({ criterion, status: !ready && criterion === 'mail_aaaa' ? 'fail' : 'pass', reasons: [], evidence: { note: 'stored' }, ms: 1 })),
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-portals-api-'));
  const registryFile = join(dir, 'systems.yaml');
  await writeFile(
    registryFile,
    [
      'systems:',
      '  - { id: cong-ttdt, name: "Cổng TTĐT", ownerUnit: TTCNTT, tags: [portal], portal: { urls: ["https://www.example.test/"] } }',
      '  - { id: dvc, name: "Cổng DVC", ownerUnit: TTCNTT, tags: [portal] }',
      '  - { id: email, name: "Thư điện tử", ownerUnit: TTCNTT }',
    ].join('\n'),
  );
  c = openCollector(
    validateConfig(
      {
        dataDir: join(dir, 'data'),
        units: TEST_UNITS,
        registryFile,
        auth: {
          tokens: [
            { name: 'a', role: 'admin', sha256: sha256(ADMIN) },
            { name: 'v', role: 'viewer', sha256: sha256(VIEWER) },
          ],
        },
      },
      'test',
    ),
  );
  app = build(c);
  c.portals.add([result('cong-ttdt', Date.parse('2026-11-30T01:00:00Z'), false)]);
  c.portals.add([result('cong-ttdt', Date.parse('2026-11-30T02:00:00Z'), true)]);
});
afterAll(async () => {
  await app?.close();
  c?.db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('portals API', () => {
  it('lists every portal of the registry, probed or not, each with its newest result', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/portals', headers: { authorization: `Bearer ${VIEWER}` } });
    expect(r.statusCode).toBe(200);
    const { portals } = r.json<{ portals: { systemId: string; level: string; ready: boolean; probedAt: string | null; checks: unknown[] }[] }>();
    expect(portals.map((p) => [p.systemId, p.level, p.ready, p.probedAt, p.checks.length])).toEqual([
      ['cong-ttdt', 'ready', true, '2026-11-30T02:00:00.000Z', 10],
      ['dvc', 'unknown', false, null, 0],
    ]);
  });

  it('gives one portal with its evidence and history, and renders reasons in vi and en', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/portals/cong-ttdt?limit=5', headers: { authorization: `Bearer ${VIEWER}` } });
    expect(r.statusCode).toBe(200);
    const body = r.json<{ latest: { checks: { evidence: unknown }[] }; history: { probedAt: string; ready: boolean }[] }>();
    expect(body.history).toEqual([
      { probedAt: '2026-11-30T02:00:00.000Z', level: 'ready', ready: true },
      { probedAt: '2026-11-30T01:00:00.000Z', level: 'web', ready: false },
    ]);
    expect(body.latest.checks[0]!.evidence).toEqual({ note: 'stored' });
    c.portals.add([result('cong-ttdt', Date.parse('2026-11-30T03:00:00Z'), false)]);
    const list = (await app.inject({ method: 'GET', url: '/api/v1/portals', headers: { authorization: `Bearer ${VIEWER}` } })).json<{ portals: { blocking: { code: string; vi: string; en: string }[] }[] }>();
    expect(list.portals[0]!.blocking).toEqual([{ code: 'PORTAL_MX_NO_AAAA', params: { mx: 'mail.example.test' }, vi: 'Máy chủ thư mail.example.test không có bản ghi AAAA', en: 'Mail server mail.example.test has no AAAA record' }]);
  });

  it('404s say what is missing; bad query values are refused', async () => {
    const h = { authorization: `Bearer ${VIEWER}` };
    expect((await app.inject({ method: 'GET', url: '/api/v1/portals/nope', headers: h })).json()).toMatchObject({ code: 'NOT_FOUND', message: 'no system nope in the registry' });
    expect((await app.inject({ method: 'GET', url: '/api/v1/portals/dvc', headers: h })).json()).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/has no portal probe yet/) });
    expect((await app.inject({ method: 'GET', url: '/api/v1/portals/cong-ttdt?limit=0', headers: h })).statusCode).toBe(400);
  });

  it('probing is for admins; a system not tagged portal is refused', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/v1/portals/probe?system=dvc', headers: { authorization: `Bearer ${VIEWER}` } })).statusCode).toBe(403);
    const r = await app.inject({ method: 'POST', url: '/api/v1/portals/probe?system=email', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(r.json()).toMatchObject({ code: 'NOT_FOUND', message: 'no system email tagged portal in the registry' });
    // A tagged portal without portal.urls: stored as "not configured", never ready, no network used.
    const p = await app.inject({ method: 'POST', url: '/api/v1/portals/probe?system=dvc', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(p.statusCode).toBe(200);
    expect(p.json<{ results: { systemId: string; level: string; ready: boolean }[] }>().results).toMatchObject([{ systemId: 'dvc', level: 'unknown', ready: false }]);
    expect(c.portals.history('dvc')[0]!.result.blocking).toEqual([{ code: 'PORTAL_NOT_CONFIGURED' }]);
  });
});

describe('registry portal block', () => {
  it.each([
    ['a URL that is not http(s)', '{ urls: ["ftp://example.test/"] }', /portal\/urls\/0/],
    ['no URL', '{ urls: [] }', /portal\/urls/],
    ['an unknown key', '{ urls: ["https://example.test/"], dnssec: true }', /portal/],
    ['a bad domain', '{ urls: ["https://example.test/"], domain: "-bad-" }', /portal\/domain/],
  ])('refuses %s, naming the field', (_what, block, field) => {
    const text = `systems:\n  - { id: p, name: P, ownerUnit: TTCNTT, tags: [portal], portal: ${block} }\n`;
    expect(() => parseRegistry(text, 'systems.yaml')).toThrow(RegistryError);
    expect(() => parseRegistry(text, 'systems.yaml')).toThrow(field);
  });

  it('takes urls, domain and mail', () => {
    const [s] = parseRegistry('systems:\n  - { id: p, name: P, ownerUnit: TTCNTT, tags: [portal], portal: { urls: ["https://www.example.test/", "https://example.test/"], domain: example.test, mail: false } }\n', 'f');
    expect(s!.portal).toEqual({ urls: ['https://www.example.test/', 'https://example.test/'], domain: 'example.test', mail: false });
  });
});
