/**
 * The console's guards and states through fastify's inject (the browser test covers the
 * flows): sign-in needs the form's own token and a live API token; sessions die with their
 * token; every change needs a same-site origin, the session's CSRF token and the admin role;
 * security headers on every answer; a stale host and a decommissioned host say so, with the
 * collector's reason in the page's language; the verdict history keeps only changes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_UNITS } from '../../../testing/collector.js';
import { sampleReport } from '../../../testing/reports.js';
import { build, openCollector } from '../app.js';
import { sha256 } from '../auth/secrets.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { pointsOfReport } from '../influx/points.js';
import { consoleData } from './data.js';
import { startServices } from '../compose.js';
import { waitFor } from '../../../testing/ports.js';
import { when } from './i18n.js';
import { CONSOLE_CSP } from './routes.js';

const ADMIN = 'pt_console-admin-0123456789abcdefghijklmnopqrstuv';
const VIEWER = 'pt_console-viewer-0123456789abcdefghijklmnopqrstu';
let dir: string;
let c: Collector;
let app: FastifyInstance;

const cookieOf = (setCookie: string | string[] | undefined, name: string) => {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return list.find((s) => s.startsWith(`${name}=`))?.split(';')[0];
};

/** Sign in as a browser does; returns the session cookie and the page's CSRF token. */
async function signIn(token: string): Promise<{ cookie: string; csrf: string }> {
  const form = await app.inject({ method: 'GET', url: '/console/login' });
  const login = cookieOf(form.headers['set-cookie'], 'pc_login')!;
  const loginCsrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
  const res = await app.inject({ method: 'POST', url: '/console/login', headers: { cookie: login, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: loginCsrf, token }).toString() });
  expect(res.statusCode, res.body).toBe(303);
  const cookie = cookieOf(res.headers['set-cookie'], 'pc_session')!;
  const page = await app.inject({ method: 'GET', url: '/console', headers: { cookie } });
  return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1]! };
}

const post = (url: string, cookie: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: new URLSearchParams(fields).toString() });

async function host(unit: string, receivedAt: Date): Promise<string> {
  const { agentId } = c.agents.enroll(unit, `${unit.toLowerCase()}-x`, '');
  const r = sampleReport({ agentId, unit, protected: true, collectedAt: receivedAt });
  c.storeReport(r, unit, pointsOfReport(r, unit), receivedAt);
  return agentId;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-console-'));
  c = openCollector(
    validateConfig(
      {
        dataDir: join(dir, 'data'),
        units: TEST_UNITS,
        staleAfterMinutes: 60,
        auth: {
          tokens: [
            { name: 'secteam', role: 'admin', sha256: sha256(ADMIN) },
            { name: 'auditor', role: 'viewer', sha256: sha256(VIEWER) },
          ],
        },
      },
      'test',
    ),
  );
  app = build(c);
});

afterAll(async () => {
  await app.close();
  c.db.close();
  await c.ingest.close();
  await rm(dir, { recursive: true, force: true });
});

describe('console sign-in and sessions', () => {
  it('answers a page without a session with a redirect to sign in, with the security headers', async () => {
    const res = await app.inject({ method: 'GET', url: '/console/systems?show=failing' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/login?next=%2Fconsole%2Fsystems%3Fshow%3Dfailing');
    expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('refuses a sign-in without the form token, and a wrong token with 401', async () => {
    const noForm = await app.inject({ method: 'POST', url: '/console/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${ADMIN}` });
    expect(noForm.statusCode).toBe(403);
    const form = await app.inject({ method: 'GET', url: '/console/login' });
    const login = cookieOf(form.headers['set-cookie'], 'pc_login')!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const wrong = await app.inject({ method: 'POST', url: '/console/login', headers: { cookie: login, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${csrf}&token=pt_wrong` });
    expect(wrong.statusCode).toBe(401);
    expect(cookieOf(wrong.headers['set-cookie'], 'pc_session')).toBeUndefined();
  });

  it('sets the session cookie HttpOnly, SameSite=Strict, on /console only', async () => {
    const form = await app.inject({ method: 'GET', url: '/console/login' });
    const login = cookieOf(form.headers['set-cookie'], 'pc_login')!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const res = await post('/console/login', login, { _csrf: csrf, token: ADMIN });
    const set = [res.headers['set-cookie']].flat().find((s) => s!.startsWith('pc_session='))!;
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    expect(set).toContain('Path=/console');
    expect(set).not.toContain('Secure'); // plain HTTP here; over TLS the cookie is Secure
  });

  it('marks the cookies Secure when the collector serves HTTPS', async () => {
    // listen.tls is read by server.ts when it listens; the console only needs to know it is set.
    const tlsDir = await mkdtemp(join(tmpdir(), 'posture-console-tls-'));
    const tc = openCollector(
      validateConfig({ dataDir: join(tlsDir, 'data'), listen: { tls: { certFile: 'cert.pem', keyFile: 'key.pem' } }, units: TEST_UNITS, auth: { tokens: [{ name: 'secteam', role: 'admin', sha256: sha256(ADMIN) }] } }, 'test', tlsDir),
    );
    const tapp = build(tc);
    try {
      const form = await tapp.inject({ method: 'GET', url: '/console/login' });
      expect([form.headers['set-cookie']].flat().join('\n')).toMatch(/^pc_login=.*; Secure/m);
      const login = cookieOf(form.headers['set-cookie'], 'pc_login')!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
      const res = await tapp.inject({ method: 'POST', url: '/console/login', headers: { cookie: login, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf, token: ADMIN }).toString() });
      expect([res.headers['set-cookie']].flat().find((x) => x!.startsWith('pc_session='))).toMatch(/HttpOnly; Secure/);
    } finally {
      await tapp.close();
      tc.db.close();
      await tc.ingest.close();
      await rm(tlsDir, { recursive: true, force: true });
    }
  });

  it('answers 429 after limits.authFailuresPerMinute failed sign-ins from one address', async () => {
    const rlDir = await mkdtemp(join(tmpdir(), 'posture-console-rl-'));
    const rc = openCollector(validateConfig({ dataDir: join(rlDir, 'data'), units: TEST_UNITS, limits: { authFailuresPerMinute: 3 }, auth: { tokens: [{ name: 'secteam', role: 'admin', sha256: sha256(ADMIN) }] } }, 'test'));
    const rapp = build(rc);
    try {
      const form = await rapp.inject({ method: 'GET', url: '/console/login' });
      const login = cookieOf(form.headers['set-cookie'], 'pc_login')!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
      const attempt = (token: string) => rapp.inject({ method: 'POST', url: '/console/login', headers: { cookie: login, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf, token }).toString() });
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await attempt(`pt_guess-${i}`)).statusCode);
      expect(codes).toEqual([401, 401, 401, 429]);
      // Even the right token waits until the bucket refills.
      expect((await attempt(ADMIN)).statusCode).toBe(429);
    } finally {
      await rapp.close();
      rc.db.close();
      await rc.ingest.close();
      await rm(rlDir, { recursive: true, force: true });
    }
  });

  it('ends every session of a token when the token is revoked', async () => {
    const made = c.tokens.create('temp-admin', 'admin', null);
    if (!made.ok) throw new Error(made.code);
    const token = made.token;
    const s = await signIn(token);
    expect((await app.inject({ method: 'GET', url: '/console', headers: { cookie: s.cookie } })).statusCode).toBe(200);
    c.tokens.revoke('temp-admin');
    expect((await app.inject({ method: 'GET', url: '/console', headers: { cookie: s.cookie } })).statusCode).toBe(303);
  });
});

describe('console changes', () => {
  it('refuses a change without CSRF token, with a wrong one, and from another origin (403); a viewer gets 403 with a valid one', async () => {
    await host('TTCNTT', new Date());
    const admin = await signIn(ADMIN);
    const viewer = await signIn(VIEWER);
    const fields = { id: 'x', name: 'Hệ thống X', ownerUnit: 'TTCNTT', level: '2' };
    expect((await post('/console/units/TTCNTT/rotate', admin.cookie, {})).statusCode).toBe(403);
    expect((await post('/console/units/TTCNTT/rotate', admin.cookie, { _csrf: 'guess' })).statusCode).toBe(403);
    expect((await post('/console/units/TTCNTT/rotate', admin.cookie, { _csrf: admin.csrf }, { origin: 'http://evil.example' })).statusCode).toBe(403);
    expect((await post('/console/units/TTCNTT/rotate', admin.cookie, { _csrf: admin.csrf }, { 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    expect((await post('/console/units/TTCNTT/rotate', viewer.cookie, { _csrf: viewer.csrf })).statusCode).toBe(403);
    expect((await post('/console/systems/x', viewer.cookie, { _csrf: viewer.csrf, ...fields })).statusCode).toBe(403);
    expect(c.audit.list({ subject: 'TTCNTT' })).toEqual([]);
    const ok = await post('/console/units/TTCNTT/rotate', admin.cookie, { _csrf: admin.csrf }, { origin: 'http://localhost:80', host: 'localhost:80' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.body).toMatch(/class="secret">pe_/);
    expect(c.audit.list({ subject: 'TTCNTT' })[0]).toMatchObject({ actor: 'console:secteam', action: 'unit.secret.rotate' });
  });

  it('shows a refused registry edit with the reason and keeps what was typed', async () => {
    const { agentId } = c.agents.enroll('CHHVN', 'decl', '');
    const r = sampleReport({ agentId, unit: 'CHHVN', systems: ['hh-new'] });
    c.storeReport(r, 'CHHVN', pointsOfReport(r, 'CHHVN'), new Date());
    consoleData(c).invalidate();
    const admin = await signIn(ADMIN);
    const bad = await post('/console/systems/hh-new', admin.cookie, { _csrf: admin.csrf, name: 'Hệ thống mới', ownerUnit: 'CHHVN', level: '3', approvalNumber: '5/QĐ' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('/approval/date');
    expect(bad.body).toContain('value="5/QĐ"');
    expect(c.systems.get('hh-new')).toBeUndefined();
    const good = await post('/console/systems/hh-new', admin.cookie, { _csrf: admin.csrf, name: 'Hệ thống mới', ownerUnit: 'CHHVN', level: '3', approvalNumber: '5/QĐ', approvalDate: '2026-11-01', planDeployed: 'yes', tags: 'portal, internal' });
    expect(good.statusCode).toBe(303);
    expect(c.systems.get('hh-new')).toMatchObject({ level: 3, approval: { number: '5/QĐ', date: '2026-11-01' }, protectionPlan: { deployed: true }, tags: ['portal', 'internal'] });
    expect(c.audit.list({ subject: 'hh-new' })[0]).toMatchObject({ actor: 'console:secteam', action: 'system.create' });
  });
});

describe('console overview', () => {
  it("draws each scope's trend from the stored indicator results (one sample per day)", async () => {
    await host('TTCNTT', new Date());
    const day = 86400_000;
    for (const ago of [3, 2, 2, 1]) c.engine.evaluateAndRecord(new Date(Date.now() - ago * day + (ago === 2 ? 1 : 0)));
    consoleData(c).invalidate();
    const admin = await signIn(ADMIN);
    const page = await app.inject({ method: 'GET', url: '/console', headers: { cookie: admin.cookie } });
    const row = /<tr class="unit[^"]*" data-unit="TTCNTT">.*?<\/tr>/s.exec(page.body.slice(page.body.indexOf('id="ind-endpoint_protection"')))![0];
    const points = /<polyline class="value" points="([^"]+)"/.exec(row)![1]!.split(' ');
    // Three days with evaluations (the second evaluation of a day is the one sampled).
    expect(points).toHaveLength(3);
    expect(row).toContain('100%');
  });

  it('shows the evaluation the scheduler recorded, not one of its own', async () => {
    await host('TCDBVN', new Date());
    consoleData(c).invalidate();
    const started = new Date().toISOString();
    const services = startServices(c);
    try {
      await waitFor('an evaluation recorded by the scheduler', async () => (c.indicatorResults.lastAtOrBefore(new Date()).last ?? '') >= started);
      const recorded = c.indicatorResults.lastAtOrBefore(new Date()).last!;
      const admin = await signIn(ADMIN);
      const page = await app.inject({ method: 'GET', url: '/console', headers: { cookie: admin.cookie } });
      expect(page.body).toContain(`<b id="evaluated-at">${when(recorded, 'vi')}</b>`);
      const row = c.indicatorResults.at(recorded).find((r) => r.indicator === 'endpoint_protection' && r.scope === 'unit:TCDBVN')!;
      expect(/data-unit="TCDBVN">.*?<\/tr>/s.exec(page.body.slice(page.body.indexOf('id="ind-endpoint_protection"')))![0]).toContain(`(${row.pass}/${row.total})`);
    } finally {
      await services.stopEvaluation();
    }
  });
});

describe('console host states', () => {
  it('shows a stale host as stale with the reason in Vietnamese, and a decommissioned one as such', async () => {
    const stale = await host('TCDBVN', new Date(Date.now() - 3 * 3600_000));
    consoleData(c).invalidate();
    const admin = await signIn(ADMIN);
    const page = await app.inject({ method: 'GET', url: `/console/hosts/${stale}`, headers: { cookie: admin.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<span class="badge warn">Quá hạn báo cáo</span>');
    expect(page.body).toContain('Máy không gửi báo cáo từ');
    const done = await post(`/console/hosts/${stale}/decommission`, admin.cookie, { _csrf: admin.csrf, reason: 'đã thanh lý' });
    expect(done.statusCode).toBe(303);
    const after = await app.inject({ method: 'GET', url: `/console/hosts/${stale}`, headers: { cookie: admin.cookie } });
    expect(after.body).toContain('Đã ngừng sử dụng');
    expect(after.body).toContain('đã thanh lý');
    expect(after.body).not.toContain('id="reason"');
  });

  it('keeps one verdict row per change, not one per evaluation', async () => {
    const id = await host('CHHVN', new Date());
    const data = consoleData(c);
    for (let i = 0; i < 3; i++) {
      data.invalidate();
      data.evaluation();
    }
    expect(data.verdictHistory(id)).toHaveLength(1);
    const r = sampleReport({ agentId: id, unit: 'CHHVN', protected: false });
    c.storeReport(r, 'CHHVN', pointsOfReport(r, 'CHHVN'), new Date());
    data.invalidate();
    data.evaluation();
    const h = data.verdictHistory(id);
    expect(h.map((x) => x.protected)).toEqual([false, true]);
    // The reasons as the evaluation wrote them: the collector's protection policy, as codes.
    expect(h[0]!.reasons).toEqual([
      { code: 'POLICY_NOT_RUNNING', params: { product: 'ClamAV' } },
      { code: 'POLICY_REALTIME_OFF', params: { product: 'ClamAV' } },
    ]);
    expect(data.verdictSince([id]).get(id)).toBe(h[0]!.at);
    // The unit page lists the failing host with the time its present verdict began.
    const admin = await signIn(ADMIN);
    const unit = await app.inject({ method: 'GET', url: '/console/units/CHHVN', headers: { cookie: admin.cookie } });
    const row = new RegExp(`<tr data-member="${id}">.*?</tr>`, 's').exec(unit.body)![0];
    expect(row).toContain(`<td>${when(h[0]!.at, 'vi')}</td>`);
  });

  it('answers an unknown host and an unknown path with a 404 page', async () => {
    const admin = await signIn(ADMIN);
    expect((await app.inject({ method: 'GET', url: '/console/hosts/a-nope', headers: { cookie: admin.cookie } })).statusCode).toBe(404);
    const nf = await app.inject({ method: 'GET', url: '/console/nothing-here', headers: { cookie: admin.cookie } });
    expect(nf.statusCode).toBe(404);
    expect(nf.headers['content-type']).toContain('text/html');
  });
});
