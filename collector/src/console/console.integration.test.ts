/// <reference lib="dom" />
/**
 * Integration (real parts): the collector as a process with the small test fleet sent through
 * its HTTP API, a real Alertmanager for the silence links, and Debian's Chromium driven by
 * playwright-core, used as a person would: sign in, read the overview, follow a unit below
 * target to a failing host and its reason, edit a system as admin (audit record, indicator 11
 * moves), try the same as viewer (no control, forged POST refused), post without a CSRF token,
 * read a host whose agent sent hostile strings, sign out. The expected figures are recomputed
 * here from the fleet spec, not read from the collector. Screenshots: artifacts/console/.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrollResponse } from '@posture/protocol';
import { startAlertmanager, type Alertmanager } from '../../../testing/alertmanager.js';
import { CHROMIUM } from '../../../testing/chromium.js';
import { ROOT, TEST_TOKENS, TEST_UNITS, collectorFixture, startCollectorProcess, type CollectorFixture, type CollectorProcess } from '../../../testing/collector.js';
import { freePort } from '../../../testing/ports.js';
import { sampleReport } from '../../../testing/reports.js';
import { FLEET_REGISTRY, fleetHosts, sendFleet, writeRegistry, type SentHost } from '../../../testing/small-fleet.js';

const SHOTS = join(ROOT, 'artifacts/console');
const RLO = '\u202e';
/** What a hostile or broken agent may send: markup, quotes, a right-to-left override, length. */
const HOSTILE_HOSTNAME = `<script>window.__pwned=1</script>"'${RLO}gpj.exe-${'x'.repeat(200)}`;
const HOSTILE_PRODUCT = `<img src=x onerror="window.__pwned=2">Evil "AV" 'Pro'`;
const HOSTILE_EVIDENCE = `</td></tr></table><b onclick=alert(1)>${'very long evidence '.repeat(20)}`;

let fx: CollectorFixture;
let collector: CollectorProcess;
let am: Alertmanager;
let sent: SentHost[];
let hostileId: string;
let ctx: BrowserContext;
let profile: string;
let page: Page;
let attacker: Server;
let attackerPort: number;
const problems: string[] = [];

// ---- expected figures from the fleet spec (plus the one hostile host, unprotected, in TTCNTT)
const hosts = fleetHosts();
const endpoint = (unit: string) => {
  const extra = unit === 'TTCNTT' ? 1 : 0;
  return { pass: hosts.filter((h) => h.unit === unit && h.protected).length, total: hosts.filter((h) => h.unit === unit).length + extra };
};
const pct = (pass: number, total: number) => `${(Math.round((pass / total) * 1000) / 10).toFixed(1).replace(/\.0$/, '').replace('.', ',')}%`;
// Indicator 11 for TCDBVN: db-gplx passes (level 3, approved, deployed, hosts pass the baseline
// up to level 3); db-website has no reporting host (its baseline cannot be shown) and fails;
// db-camera (declared by its agents) is put in the registry through the API at level 1 with no
// approval: it fails until the console records its approval.
const tcdbvnSystems = () => {
  const registered = FLEET_REGISTRY.filter((s) => s.ownerUnit === 'TCDBVN').map((s) => s.id);
  return { total: registered.length + 1 };
};

async function shot(name: string) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function signIn(token: string) {
  await page.goto(`${fx.url}/console`);
  expect(new URL(page.url()).pathname).toBe('/console/login');
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(`${fx.url}/console`), page.click('button[type=submit]')]);
}

async function signOut() {
  await Promise.all([page.waitForURL(/\/console\/login/), page.click('form.signout button')]);
}

/** Submit a form built in the page (as a forger with the session's own cookie would). */
async function postFromPage(path: string, fields: Record<string, string>): Promise<{ status: number; text: string }> {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${fx.url}${path}` && r.request().method() === 'POST'),
    page.evaluate(
      ([action, f]) => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = action;
        for (const [k, v] of Object.entries(f)) {
          const i = document.createElement('input');
          i.type = 'hidden';
          i.name = k;
          i.value = v;
          form.appendChild(i);
        }
        document.body.appendChild(form);
        form.submit();
      },
      [path, fields] as const,
    ),
  ]);
  return { status: res.status(), text: await res.text() };
}

const csrfOfPage = () => page.getAttribute('form.signout input[name=_csrf]', 'value');

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  am = await startAlertmanager('http://127.0.0.1:9/unused');
  fx = await collectorFixture({ evaluationIntervalSeconds: 1, staleAfterMinutes: 15, alerting: { alertmanager: { urls: [am.url] } } });
  const registry = await writeRegistry(fx.dir);
  await writeFile(fx.configFile, (await readFile(fx.configFile, 'utf8')) + `registryFile: ${registry}\n`);
  collector = await startCollectorProcess(fx);
  sent = await sendFleet(fx.url);

  // The hostile host: enrolled with a tame name, then reports markup and bidi controls.
  const en = await fetch(`${fx.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ unit: 'TTCNTT', secret: TEST_UNITS[0]!.enrollmentSecret, hostname: 'hostile', machineId: '' }) });
  const { agentId, credential } = (await en.json()) as EnrollResponse;
  hostileId = agentId;
  const r = sampleReport({ agentId, unit: 'TTCNTT', hostname: HOSTILE_HOSTNAME, protected: false });
  if (r.probes.host.ok) r.probes.host.facts.fqdn = HOSTILE_HOSTNAME;
  if (r.probes.protection?.ok) {
    r.probes.protection.facts.products[0]!.name = HOSTILE_PRODUCT;
    r.probes.protection.facts.products[0]!.evidence = [HOSTILE_EVIDENCE];
    r.probes.protection.facts.reasons = [`${HOSTILE_PRODUCT}: not protecting`];
    // A newer agent also says why as catalogue codes: the page renders them in its language.
    r.probes.protection.facts.reasonCodes = [{ code: 'PROTECTION_ENUMERATION_FAILED', params: { source: '<b>WMI</b>' } }];
  }
  r.probes.baseline = {
    ok: true,
    durationMs: 5,
    facts: { checks: [{ id: 'firewall.active', title: { vi: 'Tường lửa', en: 'Firewall' }, level: 1, result: 'unknown', evidence: 'Truy cập bị từ chối', reasonCode: { code: 'BASELINE_NOT_READ', params: { what: 'nft list ruleset' } } }] },
  };
  const posted = await fetch(`${fx.url}/api/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` }, body: JSON.stringify(r) });
  expect(posted.status, await posted.text()).toBe(201);

  // db-camera, declared by TCDBVN's agents, enters the registry through the API (so the console
  // may edit it): level 1, no approval, plan not deployed.
  const put = await fetch(`${fx.url}/api/v1/systems/db-camera`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKENS.admin}` },
    body: JSON.stringify({ id: 'db-camera', name: 'Camera giám sát giao thông', ownerUnit: 'TCDBVN', level: 1, tags: [] }),
  });
  expect(put.status, await put.text()).toBeLessThan(300);

  // A page on another origin that posts to the console (a cross-site forgery attempt).
  attackerPort = await freePort();
  attacker = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<form id="f" method="post" action="${fx.url}/console/systems/db-camera"><input name="level" value="5"><input name="_csrf" value="guess"></form><script>document.getElementById('f').submit()</script>`);
  }).listen(attackerPort, '127.0.0.1');

  profile = await mkdtemp(join(tmpdir(), 'posture-console-chromium-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
  });
  page = ctx.pages()[0] ?? (await ctx.newPage());
  // Any CSP refusal or script error on a console page is a defect.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('status of 40')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
}, 120_000);

afterAll(async () => {
  await ctx?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  attacker?.close();
  await collector?.stop();
  await am?.stop();
  if (fx) await rm(fx.dir, { recursive: true, force: true });
});

describe('console in a real browser', () => {
  it('sends a visitor without a session to sign in, refuses a wrong token, and serves no inline script or style', async () => {
    const res = await page.goto(`${fx.url}/console/systems`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    const csp = res!.headers()['content-security-policy']!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    await page.fill('#token', 'pt_not-a-real-token');
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/console/login') && r.request().method() === 'POST'), page.click('button[type=submit]')]);
    expect(await page.textContent('#login-error')).toContain('Mã truy cập không hợp lệ');
    await shot('login');
  });

  it('signs in (admin), sets the session cookie HttpOnly and SameSite=Strict, and shows each indicator per unit', async () => {
    await signIn(TEST_TOKENS.admin);
    const cookie = (await ctx.cookies(`${fx.url}/console`)).find((c) => c.name === 'pc_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    expect(await page.textContent('h1')).toBe('Tổng quan');
    for (const unit of ['TTCNTT', 'CHHVN', 'TCDBVN']) {
      const e = endpoint(unit);
      const row = page.locator(`#ind-endpoint_protection tr[data-unit="${unit}"]`);
      expect(await row.locator('td.num').textContent()).toContain(`${pct(e.pass, e.total)} (${e.pass}/${e.total})`);
    }
    expect(await page.locator('#ind-endpoint_protection tr[data-unit="TCDBVN"] td.notmet').count()).toBe(1);
    await shot('overview');
  });

  it('switches to English and back', async () => {
    await Promise.all([page.waitForURL(`${fx.url}/console`), page.click('a.lang')]);
    expect(await page.textContent('h1')).toBe('Overview');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await shot('overview-en');
    await Promise.all([page.waitForURL(`${fx.url}/console`), page.click('a.lang')]);
    expect(await page.textContent('h1')).toBe('Tổng quan');
  });

  it('follows a unit below target to a failing host and its reason', async () => {
    await Promise.all([page.waitForURL(/\/console\/units\/TCDBVN$/), page.click('#ind-endpoint_protection tr[data-unit="TCDBVN"] a')]);
    const failing = hosts.filter((h) => h.unit === 'TCDBVN' && !h.protected);
    const rows = page.locator('#fail-endpoint_protection tr[data-member]');
    expect(await rows.count()).toBe(failing.length);
    await shot('unit');
    // A host that is failing but not stale: its reason is the protection verdict's.
    const target = sent.find((h) => h.unit === 'TCDBVN' && !h.protected && h.ageMinutes === 0)!;
    await Promise.all([page.waitForURL(new RegExp(`/console/hosts/${target.agentId}$`)), page.click(`#fail-endpoint_protection tr[data-member="${target.agentId}"] a`)]);
    expect(await page.textContent('h1')).toContain(target.hostname);
    const verdict = await page.textContent('#verdict');
    expect(verdict).toContain('Chưa được bảo vệ');
    // The collector's reason codes (its protection policy), in the page's language (the agent's text is evidence, not the reason).
    expect(verdict).toContain('ClamAV: không chạy');
    expect(verdict).toContain('ClamAV: bảo vệ thời gian thực tắt');
    expect(await page.locator('#probe-protection tr[data-product="clamav"]').count()).toBe(1);
    expect(await page.textContent('#history')).toContain('ClamAV: không chạy');
    await shot('host');
  });

  it('edits a system as admin: the audit record is on the page and indicator 11 moves at the next evaluation', async () => {
    await page.goto(`${fx.url}/console`);
    const before = await page.locator('#ind-systems_classified tr[data-unit="TCDBVN"] td.num').textContent();
    const total = tcdbvnSystems().total;
    expect(before).toContain(`${pct(1, total)} (1/${total})`);
    await page.goto(`${fx.url}/console/systems?show=declared`);
    expect(await page.locator('#registry tr[data-system="db-camera"]').count()).toBe(1);
    await shot('registry');
    await page.goto(`${fx.url}/console/systems?show=unclassified`);
    expect(await page.locator('#registry tbody tr').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-system')))).toEqual(['hh-ais']);

    await page.goto(`${fx.url}/console/systems/db-camera`);
    expect(await page.textContent('#ind11')).toContain('Chưa đạt');
    await page.selectOption('#f-level', '2');
    await page.fill('#f-anum', '77/QĐ-TCĐBVN');
    await page.fill('#f-adate', '2026-11-20');
    await page.fill('#f-asigner', 'Tổng cục trưởng');
    await page.check('#f-plan');
    await Promise.all([page.waitForURL(/\/console\/systems\/db-camera\?saved=1$/), page.click('#system-form button[type=submit]')]);
    expect(await page.textContent('#flash')).toContain('Đã lưu');
    const audit = await page.textContent('#audit');
    expect(audit).toContain('system.update');
    expect(audit).toContain('console:test-admin');
    expect(audit).toContain('77/QĐ-TCĐBVN');
    expect(await page.textContent('#ind11')).toContain('Đạt');
    await shot('system-edited');

    await page.goto(`${fx.url}/console`);
    expect(await page.locator('#ind-systems_classified tr[data-unit="TCDBVN"] td.num').textContent()).toContain(`${pct(2, total)} (2/${total})`);
    // The appendix report (the API) counts the same at its evaluation.
    const report = (await (await fetch(`${fx.url}/api/v1/report?format=json&directive=2224-QD-BGTVT`, { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } })).json()) as {
      indicators: { id: string; units: { scope?: string; unit?: string; pass: number; total: number }[] }[];
    };
    const ind11 = report.indicators.find((i) => i.id === 'systems_classified')!;
    expect(JSON.stringify(ind11)).toContain('TCDBVN');
    const api = await (await fetch(`${fx.url}/api/v1/systems/db-camera`, { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } })).json();
    expect(api).toMatchObject({ level: 2, approval: { number: '77/QĐ-TCĐBVN', date: '2026-11-20', signer: 'Tổng cục trưởng' }, protectionPlan: { deployed: true } });
  });

  it('shows a file-managed system read-only, with why', async () => {
    await page.goto(`${fx.url}/console/systems/hh-quanly`);
    expect(await page.textContent('#file-managed')).toContain('systems.yaml');
    expect(await page.locator('#system-form').count()).toBe(0);
  });

  it('refuses a change without the CSRF token, and one posted from another site', async () => {
    const noToken = await postFromPage('/console/systems/db-camera', { level: '5' });
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('CSRF');
    await page.goto(`http://127.0.0.1:${attackerPort}/`);
    await page.waitForURL(`${fx.url}/console/systems/db-camera`);
    expect(await page.textContent('#error')).toContain('CSRF');
    const api = await (await fetch(`${fx.url}/api/v1/systems/db-camera`, { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } })).json();
    expect(api).toMatchObject({ level: 2 });
  });

  it('lists alerts with a link to silence each in Alertmanager', async () => {
    await page.goto(`${fx.url}/console/alerts`);
    const pending = page.locator('#alerts-pending tr[data-alert]');
    expect(await pending.count()).toBeGreaterThan(0);
    const link = await page.locator('#alerts-pending tr[data-alert^="endpoint_protection|unit:TCDBVN"] a[href*="silences"]').getAttribute('href');
    expect(link).toContain(`${am.url}/#/silences/new?filter=`);
    expect(decodeURIComponent(link!.split('filter=')[1]!)).toBe('{alertname="endpoint_protection", scope="unit", unit="TCDBVN"}');
    await shot('alerts');
  });

  it('rotates a unit secret, revokes an agent and decommissions a host, each with its audit record', async () => {
    await page.goto(`${fx.url}/console/admin`);
    await shot('admin');
    page.once('dialog', (d) => void d.accept());
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/console/units/CHHVN/rotate')), page.click('tr[data-unit="CHHVN"] button')]);
    const secret = (await page.textContent('#new-secret .secret'))!.trim();
    expect(secret).toMatch(/^pe_/);
    const enroll = await fetch(`${fx.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ unit: 'CHHVN', secret, hostname: 'new-host', machineId: '' }) });
    expect(enroll.status).toBe(201);
    expect(await page.textContent('#audit')).toContain('unit.secret.rotate');

    const victim = sent.find((h) => h.unit === 'CHHVN')!;
    await page.goto(`${fx.url}/console/admin?unit=CHHVN`);
    await page.fill(`tr[data-agent="${victim.agentId}"] input[name=reason]`, 'máy bị mất');
    page.once('dialog', (d) => void d.accept());
    await Promise.all([page.waitForURL(/revoked=/), page.click(`tr[data-agent="${victim.agentId}"] button`)]);
    expect(await page.textContent('#flash')).toContain(victim.agentId);
    expect(await page.textContent('#audit')).toContain('agent.revoke');

    const retired = sent.find((h) => h.unit === 'CHHVN' && h !== victim)!;
    await page.goto(`${fx.url}/console/hosts/${retired.agentId}`);
    await page.fill('#reason', 'server retired, ticket 1234');
    page.once('dialog', (d) => void d.accept());
    await Promise.all([page.waitForURL(new RegExp(`/console/hosts/${retired.agentId}$`)), page.click('button.danger')]);
    expect(await page.textContent('main')).toContain('Đã ngừng sử dụng');
    expect(await page.textContent('#audit')).toContain('server retired, ticket 1234');
  });

  it('renders hostile agent strings inert and readable', async () => {
    await page.goto(`${fx.url}/console/hosts/${hostileId}`);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const h1 = (await page.textContent('h1'))!;
    expect(h1).toContain('<script>window.__pwned=1</script>"\'');
    expect(h1).toContain('U+202E');
    expect(h1).not.toContain(RLO);
    expect(await page.locator('main script, main img').count()).toBe(0);
    const product = await page.textContent('#probe-protection tbody tr td');
    expect(product).toContain(HOSTILE_PRODUCT);
    expect(await page.locator('#probe-protection b[onclick]').count()).toBe(0);
    expect(await page.textContent('#probe-protection')).toContain('</td></tr></table><b onclick=alert(1)>');
    // Reason codes in the page's language, their parameters escaped like any agent string.
    expect(await page.textContent('#protection-reasons')).toContain('Không đọc được danh sách sản phẩm bảo vệ (<b>WMI</b>)');
    expect(await page.textContent('#probe-baseline')).toContain('Không đọc được trạng thái (nft list ruleset)');
    // The very long name is cut on screen, whole in the tooltip, and the page keeps its width.
    expect(await page.getAttribute('h1 bdi', 'title')).toBe(HOSTILE_HOSTNAME.replace(RLO, '[U+202E]'));
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await shot('host-hostile');
    await page.goto(`${fx.url}/console/units/TTCNTT`);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // The failing row shows the collector's reason code (its policy), the hostile product name as inert text.
    expect(await page.textContent(`#fail-endpoint_protection tr[data-member="${hostileId}"]`)).toContain(`${HOSTILE_PRODUCT}: không chạy`);
  });

  it('signs out: the session ends on the server too', async () => {
    const cookie = (await ctx.cookies(`${fx.url}/console`)).find((c) => c.name === 'pc_session')!;
    await signOut();
    const res = await fetch(`${fx.url}/console`, { headers: { cookie: `pc_session=${cookie.value}` }, redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/console\/login/);
  });

  it('as viewer: no edit control, and a forged POST with the viewer session and its CSRF token is 403', async () => {
    await signIn(TEST_TOKENS.viewer);
    await page.goto(`${fx.url}/console/systems/db-camera`);
    expect(await page.locator('#system-form, input[name=level], select[name=level]').count()).toBe(0);
    await shot('system-viewer');
    await page.goto(`${fx.url}/console/admin`);
    expect(await page.locator('main form[method=post]').count()).toBe(0);
    const other = sent.find((h) => h.unit === 'TTCNTT')!;
    await page.goto(`${fx.url}/console/hosts/${other.agentId}`);
    expect(await page.locator('#reason').count()).toBe(0);
    const csrf = (await csrfOfPage())!;
    const forged = await postFromPage('/console/systems/db-camera', { _csrf: csrf, name: 'x', level: '5' });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('quyền quản trị');
    await page.goto(`${fx.url}/console/hosts/${other.agentId}`);
    const decom = await postFromPage(`/console/hosts/${other.agentId}/decommission`, { _csrf: (await csrfOfPage())!, reason: 'forged' });
    expect(decom.status).toBe(403);
    const api = await (await fetch(`${fx.url}/api/v1/systems/db-camera`, { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } })).json();
    expect(api).toMatchObject({ level: 2 });
    await signOut();
  });

  it('had no script error or CSP refusal on any page', () => {
    expect(problems).toEqual([]);
  });
});
