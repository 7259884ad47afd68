/**
 * Integration (real parts): the collector as a process, a generated fleet sent through its HTTP
 * API, and Debian's headless Chromium loading /report. The per-unit numbers of every format are
 * recomputed here from the fleet spec, independently of the collector's evaluation; --at reads
 * the stored indicator history. The screenshot lands in artifacts/report.png (CI artifact).
 */
import { mkdirSync, statSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDom, printToPdf, screenshot } from '../../../testing/chromium.js';
import { POSTURE_BIN, ROOT, TEST_TOKENS, TEST_UNITS, collectorFixture, runNode, startCollectorProcess, type CollectorFixture, type CollectorProcess } from '../../../testing/collector.js';
import { waitFor } from '../../../testing/ports.js';
import { FLEET_REGISTRY, fleetHosts, sendFleet, writeRegistry, type SentHost } from '../../../testing/small-fleet.js';
import type { JsonReport } from './json.js';

let fx: CollectorFixture;
let collector: CollectorProcess;
let sent: SentHost[];
let beforeFleet: string;
/** The report is for the security team: every read needs a viewer token. */
const get = (url: string) => fetch(url, { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } });
/** The browser logs in with HTTP Basic (the token as password), as a person would. */
let browserUrl: string;

// ---- the expected numbers, from the fleet spec alone
const unitIds = TEST_UNITS.map((u) => u.id);
const unitName = new Map(TEST_UNITS.map((u) => [u.id, u.name]));
const hosts = fleetHosts();
const endpoint = new Map(unitIds.map((u) => [u, { pass: hosts.filter((h) => h.unit === u && h.protected).length, total: hosts.filter((h) => h.unit === u).length }]));
const registered = new Set(FLEET_REGISTRY.map((s) => s.id));
const declared = new Map<string, string>();
for (const h of hosts) for (const s of h.systems) if (!declared.has(s)) declared.set(s, h.unit);
// Indicator 11: level, approval and deployed plan, and (rules/directive.rules.yaml) the baseline
// of the level verified on at least one reporting host: a system no agent declares fails. The
// fleet's hosts pass every check up to level 3 and report the level-5 one as unknown.
const served = new Set(hosts.flatMap((h) => h.systems));
const systemMembers = [
  ...FLEET_REGISTRY.map((s) => ({ id: s.id, unit: s.ownerUnit, pass: Boolean(s.level && s.level < 5 && s.approval && s.protectionPlan?.deployed && served.has(s.id)) })),
  ...[...declared].filter(([id]) => !registered.has(id)).map(([id, unit]) => ({ id, unit, pass: false })),
];
const classified = new Map(unitIds.map((u) => [u, { pass: systemMembers.filter((s) => s.unit === u && s.pass).length, total: systemMembers.filter((s) => s.unit === u).length }]));
const EXPECTED: Record<string, { target: number; per: Map<string, { pass: number; total: number }> }> = {
  endpoint_protection: { target: 0.9, per: endpoint },
  systems_classified: { target: 0.7, per: classified },
};
const worstFirst = (per: Map<string, { pass: number; total: number }>) => [...per].sort(([a, x], [b, y]) => x.pass / x.total - y.pass / y.total || a.localeCompare(b)).map(([u]) => u);

beforeAll(async () => {
  fx = await collectorFixture({ evaluationIntervalSeconds: 1 });
  const registry = await writeRegistry(fx.dir);
  await writeFile(fx.configFile, (await readFile(fx.configFile, 'utf8')) + `registryFile: ${registry}\n`);
  collector = await startCollectorProcess(fx);
  browserUrl = fx.url.replace('http://', `http://viewer:${TEST_TOKENS.viewer}@`);
  // The collector evaluated at start (no hosts yet): that is the history before the fleet.
  await new Promise((r) => setTimeout(r, 1100));
  beforeFleet = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 50));
  sent = await sendFleet(fx.url);
  // Wait until an evaluation after the whole fleet reached the history (one runs every second).
  await waitFor('an evaluation of the whole fleet in the history', async () => {
    const r = (await (await get(`${fx.url}/api/v1/report?format=json&at=${encodeURIComponent(new Date().toISOString())}`)).json()) as JsonReport;
    return r.indicators?.find((i) => i.id === 'endpoint_protection')?.ministry.total === hosts.length;
  });
}, 60_000);

afterAll(async () => {
  await collector?.stop();
  if (fx) await rm(fx.dir, { recursive: true, force: true });
});

describe('the appendix report on a generated fleet', () => {
  it('the spec matches the literal figures of the test (85,7% / 90,9% / 33,3%, 50% / 25% / 33,3%)', () => {
    expect(sent).toHaveLength(24);
    expect([...endpoint.values()]).toEqual([
      { pass: 6, total: 7 },
      { pass: 10, total: 11 },
      { pass: 2, total: 6 },
    ]);
    expect([...classified.values()]).toEqual([
      { pass: 2, total: 4 },
      { pass: 1, total: 4 },
      { pass: 1, total: 3 },
    ]);
  });

  it('JSON: per-unit numbers recomputed from the fleet, worst first, footnotes', async () => {
    const r = (await (await get(`${fx.url}/api/v1/report?format=json`)).json()) as JsonReport;
    expect(r.format).toBe('posture.appendix/v1');
    expect(r.source).toBe('live');
    // The directive's numbered indicators by TT, then the supporting ones of the shipped rules.
    expect(r.indicators.map((i) => [i.tt, i.id])).toEqual([
      [11, 'systems_classified'],
      [12, 'endpoint_protection'],
      [0, 'ipv6_portals'],
      [0, 'agent_coverage'],
    ]);
    for (const ind of r.indicators.filter((i) => EXPECTED[i.id])) {
      const exp = EXPECTED[ind.id]!;
      expect(ind.units.map((u) => u.scope)).toEqual(worstFirst(exp.per));
      for (const u of ind.units) {
        expect({ pass: u.pass, total: u.total }).toEqual(exp.per.get(u.scope));
        expect(u.met).toBe(u.pass / u.total + 1e-9 >= exp.target);
        expect(u.name).toBe(unitName.get(u.scope));
      }
      const sum = [...exp.per.values()].reduce((a, b) => ({ pass: a.pass + b.pass, total: a.total + b.total }), { pass: 0, total: 0 });
      expect({ pass: ind.ministry.pass, total: ind.ministry.total }).toEqual(sum);
      expect(ind.belowTarget.map((u) => u.scope)).toEqual(worstFirst(exp.per).filter((u) => exp.per.get(u)!.pass / exp.per.get(u)!.total < exp.target));
    }
    const ep = r.indicators.find((i) => i.id === 'endpoint_protection')!;
    expect(ep.failing.map((f) => f.name).sort()).toEqual(
      hosts
        .filter((h) => !h.protected)
        .map((h) => h.hostname)
        .sort(),
    );
    // The collector's own reasons (its policy), one of the generated fleet's three failure modes.
    expect(ep.failing.every((f) => f.reasons.some((x) => /: (not running|real-time protection off|signatures [\d.]+ h old at evaluation \(limit 168 h\))/.test(x)))).toBe(true);
    const sc = r.indicators.find((i) => i.id === 'systems_classified')!;
    expect(sc.failing.map((f) => f.id).sort()).toEqual(
      systemMembers
        .filter((s) => !s.pass)
        .map((s) => s.id)
        .sort(),
    );
    expect(sc.failing.find((f) => f.id === 'hh-ais')!.reasons.join()).toMatch(/not in the registry/);
    expect(sc.failing.find((f) => f.id === 'bgtvt-dvc')!.reasons.join()).toMatch(/protection plan/);
    // Portals: every host serving hh-cong-ttdt is ready, the two TTCNTT portals' are not; but no
    // portal was probed from outside, so none is ready (ipv6_portals counts the outside view).
    expect(r.portalsNotReady!.map((p) => p.id).sort()).toEqual(['bgtvt-cong-ttdt', 'bgtvt-dvc', 'hh-cong-ttdt']);
    const hh = r.portals!.find((p) => p.id === 'hh-cong-ttdt')!;
    expect([hh.hosts, hh.readyHosts, hh.outside]).toEqual([hh.hosts, hh.hosts, null]);
    expect(r.indicators.find((i) => i.id === 'ipv6_portals')!.failing.find((f) => f.id === 'hh-cong-ttdt')!.reasons[0]).toMatch(/^no outside IPv6 probe of this portal yet .* only the hosts' view exists: \d+\/\d+ hosts IPv6-ready$/);
  });

  it('Markdown and CSV carry the same figures, Vietnamese format by default', async () => {
    const md = await (await get(`${fx.url}/api/v1/report?format=markdown`)).text();
    expect(md).toContain('| 12 | Tỷ lệ thiết bị đầu cuối được cài đặt giải pháp bảo vệ | Quyết định số 2224/QĐ-BGTVT ngày 27/12/2021 | 90% | 75% (18/24) | Chưa đạt |');
    expect(md).toContain('| Tổng cục Đường bộ Việt Nam | 33,3% (2/6) | 90% | Chưa đạt |');
    expect(md).toContain('Đơn vị chưa đạt mục tiêu: Tổng cục Đường bộ Việt Nam: 33,3%, Trung tâm Công nghệ thông tin: 85,7%.');
    const csv = await (await get(`${fx.url}/api/v1/report?format=csv&lang=en`)).text();
    const rows = csv
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(rows[0]).toEqual(['tt', 'indicator', 'title', 'basis', 'scope', 'unit', 'pass', 'total', 'ratio', 'actual', 'target', 'met', 'result', 'evaluated_at']);
    const ep = rows.filter((r) => r[1] === 'endpoint_protection');
    expect(ep.map((r) => r[4])).toEqual(['ministry', ...worstFirst(endpoint)]);
    for (const r of ep.slice(1)) expect([Number(r[6]), Number(r[7])]).toEqual([endpoint.get(r[4]!)!.pass, endpoint.get(r[4]!)!.total]);
    expect(ep.find((r) => r[4] === 'CHHVN')!.slice(8, 13)).toEqual(['0.909091', '90.9%', '0.9', '1', 'Met']);
  });

  it('rejects a bad format, language, time or parameter with a coded 400', async () => {
    for (const [q, msg] of [
      ['format=pdf', /unknown format "pdf"/],
      ['lang=fr', /unknown language "fr"/],
      ['at=yesterday', /"at" must be an ISO date/],
      ['lnag=en', /bad query parameter "lnag"/],
    ] as const) {
      const res = await get(`${fx.url}/api/v1/report?${q}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { code: string; message: string };
      expect(body.code).toBe('QUERY_INVALID');
      expect(body.message).toMatch(msg);
    }
    const early = await get(`${fx.url}/api/v1/report?at=2001-01-01`);
    expect(early.status).toBe(404);
    expect(((await early.json()) as { code: string; message: string }).message).toMatch(/no indicator history at or before 2001-01-01T16:59:59.999Z: the earliest stored evaluation is 20/);
  });

  it('posture report --at: the table as it was, from the stored history', async () => {
    const before = await runNode(POSTURE_BIN, ['-c', fx.configFile, 'report', '--at', beforeFleet, '--format', 'json']);
    expect(before.stderr).toBe('');
    const past = JSON.parse(before.stdout) as JsonReport;
    expect(past.source).toBe('history');
    expect(past.indicators.find((i) => i.id === 'endpoint_protection')!.ministry.total).toBe(0);
    expect(past.portalsNotReady).toBeNull();

    const now = await runNode(POSTURE_BIN, ['-c', fx.configFile, 'report', '--at', new Date().toISOString(), '--format', 'markdown', '--lang', 'en']);
    expect(now.code).toBe(0);
    expect(now.stdout).toContain('| Tổng cục Đường bộ Việt Nam | 33.3% (2/6) | 90% | Not met |');
    expect(now.stdout).toContain('| **Ministry-wide** | 36.4% (4/11) | 70% | Not met |');
    expect(now.stdout).toContain('Figures from the stored evaluation history');

    const bad = await runNode(POSTURE_BIN, ['-c', fx.configFile, 'report', '--at', '1999-01-01']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/posture report: no indicator history at or before 1999-01-01/);
    const badFormat = await runNode(POSTURE_BIN, ['-c', fx.configFile, 'report', '--format', 'xlsx']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/unknown format "xlsx": use markdown, csv, json, html/);
  });

  it('Chromium renders /report: the table text, Vietnamese by default, English on request; screenshot saved', async () => {
    const page = await get(`${fx.url}/report`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const dom = await dumpDom(`${browserUrl}/report`);
    expect(dom).toMatch(/<html lang="vi">/);
    const section = (id: string) => dom.slice(dom.indexOf(`id="ind-${id}"`), dom.indexOf('</section>', dom.indexOf(`id="ind-${id}"`)));
    const rowsOf = (html: string) => [...html.matchAll(/<tr class="(?:unit|ministry)" data-scope="([^"]+)"><td>([^<]+)<\/td><td class="num">([^<]+)<\/td><td class="num">([^<]+)<\/td><td class="[a-z]+">([^<]+)<\/td><\/tr>/g)].map((m) => m.slice(1));
    for (const [id, exp] of Object.entries(EXPECTED)) {
      const rows = rowsOf(section(id));
      expect(rows.map((r) => r[0])).toEqual(['ministry', ...worstFirst(exp.per)]);
      for (const [scope, name, actual, target, result] of rows.slice(1)) {
        const { pass, total } = exp.per.get(scope!)!;
        const pct = (Math.round((pass / total) * 1000) / 10).toFixed(1).replace(/\.0$/, '').replace('.', ',');
        expect([name, actual, target, result]).toEqual([unitName.get(scope!), `${pct}% (${pass}/${total})`, `${exp.target * 100}%`, pass / total >= exp.target ? 'Đạt' : 'Chưa đạt']);
      }
    }
    expect(dom).toContain('Cổng thông tin chưa sẵn sàng IPv6');
    const en = await dumpDom(`${browserUrl}/report?lang=en`);
    expect(en).toMatch(/<html lang="en">/);
    expect(en).toContain('<td class="num">33.3% (2/6)</td>');

    const dir = join(ROOT, 'artifacts');
    mkdirSync(dir, { recursive: true });
    await screenshot(`${browserUrl}/report`, join(dir, 'report.png'));
    await printToPdf(`${browserUrl}/report`, join(dir, 'report.pdf'));
    const png = await readFile(join(dir, 'report.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
    expect(statSync(join(dir, 'report.pdf')).size).toBeGreaterThan(5_000);
  }, 60_000);
});
