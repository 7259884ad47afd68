/**
 * Integration (real parts): the collector as a process, a generated fleet sent through its HTTP
 * API, and Debian's headless Chromium loading /report. The per-unit numbers of every format are
 * recomputed here from the fleet spec, independently of the collector's evaluation; --at and
 * --compare read the stored indicator history. The screenshot and the printed PDF land in
 * artifacts/ (report.png, report.pdf and its pages report-page-N.png); the Word copy is read back
 * through LibreOffice (artifacts/appendix.docx, appendix.pdf, appendix-page-N.png).
 */
import { mkdirSync, statSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASONS, placeholders } from '@posture/protocol';
import { dumpDom, printToPdf, screenshot } from '../../../testing/chromium.js';
import { docxToPdf, pdfFonts, pdfPages, pdfText } from '../../../testing/office.js';
import { POSTURE_BIN, ROOT, TEST_TOKENS, TEST_UNITS, collectorFixture, runNode, startCollectorProcess, type CollectorFixture, type CollectorProcess } from '../../../testing/collector.js';
import { waitFor } from '../../../testing/ports.js';
import { FLEET_REGISTRY, fleetHosts, sendFleet, writeRegistry, type SentHost } from '../../../testing/small-fleet.js';
import type { JsonReport } from './json.js';

let fx: CollectorFixture;
let collector: CollectorProcess;
let sent: SentHost[];
let beforeFleet: string;
/** After the TTCNTT hosts only: the evaluation --compare reads. */
let midFleet: string;
const D2022 = '2224-QD-BGTVT';
const SHORT: Record<string, string> = { TTCNTT: 'TTCNTT', CHHVN: 'Cục HHVN', TCDBVN: 'Tổng cục ĐBVN' };
/** The report is for the security team: every read needs a viewer token. */
const get = (url: string) => fetch(url, { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } });
/** The browser logs in with HTTP Basic (the token as password), as a person would. */
let browserUrl: string;

// ---- the expected numbers, from the fleet spec alone
const unitIds = TEST_UNITS.map((u) => u.id);
const unitName = new Map(TEST_UNITS.map((u) => [u.id, u.name]));
const shortName = (id: string) => SHORT[id]!;
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
// Chỉ thị 09/CT-TTg: every operating system (registered or only declared) with an approved level.
const approved = new Map(
  unitIds.map((u) => [u, { pass: systemMembers.filter((s) => s.unit === u && FLEET_REGISTRY.find((x) => x.id === s.id)?.approval && FLEET_REGISTRY.find((x) => x.id === s.id)?.level).length, total: systemMembers.filter((s) => s.unit === u).length }]),
);
const worstFirst = (per: Map<string, { pass: number; total: number }>) => [...per].sort(([a, x], [b, y]) => x.pass / x.total - y.pass / y.total || a.localeCompare(b)).map(([u]) => u);

beforeAll(async () => {
  fx = await collectorFixture({
    evaluationIntervalSeconds: 1,
    units: TEST_UNITS.map((u) => ({ ...u, shortName: SHORT[u.id] })),
    report: { filing: { documentNumber: '…/BGTVT-TTCNTT', issuer: 'Bộ Giao thông vận tải' } },
  });
  const registry = await writeRegistry(fx.dir);
  await writeFile(fx.configFile, (await readFile(fx.configFile, 'utf8')) + `registryFile: ${registry}\n`);
  collector = await startCollectorProcess(fx);
  browserUrl = fx.url.replace('http://', `http://viewer:${TEST_TOKENS.viewer}@`);
  // The collector evaluated at start (no hosts yet): that is the history before the fleet.
  await new Promise((r) => setTimeout(r, 1100));
  beforeFleet = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 50));
  const inHistory = (n: number) => async () => {
    const r = (await (await get(`${fx.url}/api/v1/report?format=json&directive=${D2022}&at=${encodeURIComponent(new Date().toISOString())}`)).json()) as JsonReport;
    return r.indicators?.find((i) => i.id === 'endpoint_protection')?.ministry.total === n;
  };
  // First the TTCNTT hosts alone, then the rest: --compare reads the evaluation in between.
  sent = await sendFleet(
    fx.url,
    hosts.filter((h) => h.unit === 'TTCNTT'),
  );
  await waitFor('an evaluation of the TTCNTT hosts in the history', inHistory(sent.length));
  midFleet = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 50));
  sent.push(
    ...(await sendFleet(
      fx.url,
      hosts.filter((h) => h.unit !== 'TTCNTT'),
    )),
  );
  // Wait until an evaluation after the whole fleet reached the history (one runs every second).
  await waitFor('an evaluation of the whole fleet in the history', inHistory(hosts.length));
  // A real collector process, enrolment and two evaluations reaching the history: under the
  // load of the whole suite on two cores this has taken more than a minute.
}, 120_000);

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
    const r = (await (await get(`${fx.url}/api/v1/report?format=json&directive=${D2022}`)).json()) as JsonReport;
    expect(r.format).toBe('posture.appendix/v1');
    expect(r.source).toBe('live');
    expect(r.directive?.id).toBe(D2022);
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
        expect(u.shortName).toBe(shortName(u.scope));
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
    // The collector's own reasons (its policy), as codes: one of the generated fleet's three failure modes.
    expect(ep.failing.every((f) => f.reasonCodes.some((x) => ['POLICY_NOT_RUNNING', 'POLICY_REALTIME_OFF', 'POLICY_SIGNATURES_OLD'].includes(x.code) && x.params?.product === 'ClamAV'))).toBe(true);
    // The reasons are still strings (the first API's shape), in the reader's language.
    expect(ep.failing.every((f) => f.reasons.some((x) => /^ClamAV: (không chạy|bảo vệ thời gian thực tắt|mẫu nhận diện đã [\d,]+ giờ tuổi lúc đánh giá \(giới hạn 168 giờ\))$/.test(x)))).toBe(true);
    const sc = r.indicators.find((i) => i.id === 'systems_classified')!;
    expect(sc.failing.map((f) => f.id).sort()).toEqual(
      systemMembers
        .filter((s) => !s.pass)
        .map((s) => s.id)
        .sort(),
    );
    expect(sc.failing.find((f) => f.id === 'hh-ais')!.reasonCodes.map((x) => x.code)).toEqual(['SYSTEM_UNCLASSIFIED']);
    expect(sc.failing.find((f) => f.id === 'bgtvt-dvc')!.reasonCodes.map((x) => x.code)).toEqual(['SYSTEM_PLAN_NOT_DEPLOYED']);
    expect(sc.failing.find((f) => f.id === 'bgtvt-csdl')!.reasonCodes.map((x) => x.code)).toEqual(['SYSTEM_LEVEL_NOT_APPROVED', 'SYSTEM_PLAN_NOT_DEPLOYED', 'BASELINE_NO_REPORTING_HOST']);
    // Portals: every host serving hh-cong-ttdt is ready, the two TTCNTT portals' are not; but no
    // portal was probed from outside, so none is ready (ipv6_portals counts the outside view).
    expect(r.portalsNotReady!.map((p) => p.id).sort()).toEqual(['bgtvt-cong-ttdt', 'bgtvt-dvc', 'hh-cong-ttdt']);
    const hh = r.portals!.find((p) => p.id === 'hh-cong-ttdt')!;
    expect([hh.hosts, hh.readyHosts, hh.outside]).toEqual([hh.hosts, hh.hosts, null]);
    const never = r.indicators.find((i) => i.id === 'ipv6_portals')!.failing.find((f) => f.id === 'hh-cong-ttdt')!;
    expect(never.reasonCodes[0]).toEqual({ code: 'PORTAL_NOT_PROBED', params: { ipv6ReadyHosts: hh.hosts, hosts: hh.hosts } });
    expect(never.reasons[0]).toMatch(/^Chưa đo IPv6 từ bên ngoài .* chỉ có góc nhìn từ máy chủ: \d+\/\d+ máy chủ sẵn sàng IPv6$/);
    // The hosts' view: the agent's IPv6 reason codes follow the host they explain (ttcntt-h0 has IPv6 disabled).
    const portal = r.portalsNotReady!.find((p) => p.id === 'bgtvt-cong-ttdt')!;
    expect(portal.reasonCodes.slice(0, 2)).toEqual([
      { code: 'PORTAL_HOST_NOT_READY', params: { host: 'ttcntt-h0', level: 0 } },
      { code: 'IPV6_DISABLED', params: { by: 'net.ipv6.conf.all.disable_ipv6=1' } },
    ]);
    expect(portal.reasons.slice(0, 2)).toEqual(['ttcntt-h0: mức sẵn sàng IPv6 0/4', 'IPv6 bị tắt (net.ipv6.conf.all.disable_ipv6=1)']);
  });

  it('the default directive is the one in force at the report date: Chỉ thị 09/CT-TTg, its targets on every row, with the 2022 targets it leaves standing', async () => {
    const r = (await (await get(`${fx.url}/api/v1/report?format=json`)).json()) as JsonReport;
    expect(r.directive).toMatchObject({ id: '09-CT-TTg-2024', issued: '2024-02-23' });
    expect(r.indicators.map((i) => [i.tt, i.id, i.target, i.due])).toEqual([
      [1, 'systems_level_approved', 1, '2024-09-30'],
      [2, 'systems_plan_deployed', 1, '2024-12-31'],
      // Carried over from QĐ 2224 (rules/directive-2024.rules.yaml carriesOver), with its own basis.
      [3, 'endpoint_protection', 0.9, '2022-12-31'],
      [0, 'ipv6_portals', 1, '2022-12-31'],
      [0, 'agent_coverage', 0.95, null],
    ]);
    expect(r.indicators[2]!.basis).toMatch(/2224\/QĐ-BGTVT/);
    const ind = r.indicators[0]!;
    expect(ind.units.map((u) => u.scope)).toEqual(worstFirst(approved));
    for (const u of ind.units) expect({ pass: u.pass, total: u.total }).toEqual(approved.get(u.scope));
    const md = await (await get(`${fx.url}/api/v1/report?format=markdown`)).text();
    expect(md).toContain('Đánh giá theo: Chỉ thị số 09/CT-TTg ngày 23/02/2024 của Thủ tướng Chính phủ');
    const a = approved.get('CHHVN')!;
    expect(md).toContain(`| Cục HHVN | ${Math.round((a.pass / a.total) * 100)}% (${a.pass}/${a.total}) | 100% | Chưa đạt (quá hạn) |`);
  });

  it('the Vietnamese report of the test fleet has no English reason: every reason a catalogue code, rendered in Vietnamese', async () => {
    const english = /\b(the|no|not|is|are|of|for|and|since|stale|ready|hosts?|level|checks?|failed|unknown|protecting|running|report|registry|declared|approval|deployed|plan)\b/i;
    const md = await (await get(`${fx.url}/api/v1/report?format=markdown&directive=${D2022}`)).text();
    const html = await (await get(`${fx.url}/report?directive=${D2022}`)).text();
    const r = (await (await get(`${fx.url}/api/v1/report?format=json&directive=${D2022}`)).json()) as JsonReport;
    const all = [...r.indicators.flatMap((i) => i.failing.flatMap((f) => f.reasonCodes)), ...(r.portalsNotReady ?? []).flatMap((p) => p.reasonCodes)];
    expect(new Set(all.map((x) => x.code)).size).toBeGreaterThan(5);
    for (const x of all) {
      const entry = REASONS[x.code];
      expect(entry, `${x.code} is in the catalogue`).toBeDefined();
      expect(Object.keys(x.params ?? {}).sort(), x.code).toEqual(placeholders(entry!.vi));
      expect(x.evidence, `${x.code}: the fleet's agents send codes, so no agent text stands in for a reason`).toBeUndefined();
      // The words around the parameters (host names, check ids) are Vietnamese, not English.
      const words = entry!.vi.replace(/\{[a-zA-Z][a-zA-Z0-9_]*\}/g, ' ');
      expect(words, x.code).not.toMatch(english);
      expect(words, x.code).toMatch(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹàáèéìíòóùúýõãĩũ]/i);
      const vi = entry!.vi.replace(/\{([a-zA-Z][a-zA-Z0-9_]*)\}/g, (_m, k: string) => String(x.params?.[k] ?? '')).replace(/\d+\.\d+/g, (n) => n.replace('.', ','));
      expect(md, `${x.code} as rendered in the Markdown`).toContain(vi);
      expect(html).toContain(vi.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
    }
    // No English catalogue text, and none of the words of the old English reasons.
    for (const x of all) expect(md).not.toContain(REASONS[x.code]!.en.split('{')[0]!.trim() || '\u0000');
    for (const old of ['not in the registry', 'baseline fail', 'hosts IPv6-ready', 'no agent reports', 'stale:', 'IPv6 readiness', 'not protecting']) expect(md).not.toContain(old);
    expect(md).not.toContain('bằng chứng do agent gửi');
  });

  it('--compare: each figure with its change in percentage points since the stored evaluation; no history, no comparison', async () => {
    const cmp = await runNode(POSTURE_BIN, ['-c', fx.configFile, 'report', '--directive', D2022, '--compare', midFleet]);
    expect(cmp.stderr).toBe('');
    // Ministry-wide 6/7 (TTCNTT alone) then 18/24: 85,7% -> 75%, down 10,7 points; TTCNTT unchanged.
    expect(cmp.stdout).toMatch(/\| 12 \| Tỷ lệ thiết bị đầu cuối được cài đặt giải pháp bảo vệ \| [^|]+ \| 90% \(hạn 31\/12\/2022\) \| 75% \(18\/24\)( \(\d+\))+ \| giảm 10,7 điểm % \| Chưa đạt \(quá hạn\) \|/);
    expect(cmp.stdout).toContain('| TTCNTT | 85,7% (6/7) | 85,7% | không đổi | 90% | Chưa đạt (quá hạn) |');
    expect(cmp.stdout).toContain('| Cục HHVN | 90,9% (10/11) | — | — | 90% | Đạt |');
    expect(cmp.stdout).toMatch(/So sánh với số liệu tại \d{2}\/\d{2}\/\d{4} \d{2}:\d{2} \(UTC\+7\)/);
    // The default, the end of the previous quarter, is before any stored evaluation.
    const none = await runNode(POSTURE_BIN, ['-c', fx.configFile, 'report']);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('Không có số liệu kỳ trước để so sánh');
    const bad = await runNode(POSTURE_BIN, ['-c', fx.configFile, 'report', '--compare', '1999-01-01']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/posture report: no indicator history at or before 1999-01-01T16:59:59.999Z \(--compare\)/);
    const badDirective = await runNode(POSTURE_BIN, ['-c', fx.configFile, 'report', '--directive', 'CT-99']);
    expect(badDirective.code).toBe(2);
    expect(badDirective.stderr).toMatch(/unknown directive "CT-99": the rule files define 2224-QD-BGTVT, 09-CT-TTg-2024/);
  });

  it('Markdown and CSV carry the same figures, Vietnamese format by default, with the filed form', async () => {
    const md = await (await get(`${fx.url}/api/v1/report?format=markdown&directive=${D2022}`)).text();
    expect(md.split('\n').slice(0, 5)).toEqual(['**Bộ Giao thông vận tải**', '', '# Phụ lục: tình hình thực hiện các chỉ tiêu', '', `_(Kèm theo Văn bản số …/BGTVT-TTCNTT ngày … tháng … năm ${new Date(Date.now() + 7 * 3600_000).getUTCFullYear()})_`]);
    expect(md).toMatch(/\| 12 \| Tỷ lệ thiết bị đầu cuối được cài đặt giải pháp bảo vệ \| Quyết định số 2224\/QĐ-BGTVT ngày 27\/12\/2021 \| 90% \(hạn 31\/12\/2022\) \| 75% \(18\/24\) \(\d+\) \| Chưa đạt \(quá hạn\) \|/);
    expect(md).toContain('| Tổng cục ĐBVN | 33,3% (2/6) | 90% | Chưa đạt (quá hạn) |');
    expect(md).toMatch(/\(\d+\) Các đơn vị chưa đạt mục tiêu: Tổng cục ĐBVN: 33,3%; TTCNTT: 85,7%\./);
    expect(md).toMatch(/\(\d+\) Các đơn vị chưa trình phê duyệt hồ sơ: Cục HHVN \(1 hệ thống\); TTCNTT \(1 hệ thống\)\./);
    const csv = await (await get(`${fx.url}/api/v1/report?format=csv&lang=en&directive=${D2022}`)).text();
    const rows = csv
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(rows[0]).toEqual(['tt', 'indicator', 'title', 'basis', 'scope', 'unit', 'pass', 'total', 'ratio', 'actual', 'target', 'met', 'result', 'evaluated_at', 'due', 'overdue', 'directive', 'previous_ratio', 'change_points', 'compared_with']);
    const ep = rows.filter((r) => r[1] === 'endpoint_protection');
    expect(ep.map((r) => r[4])).toEqual(['ministry', ...worstFirst(endpoint)]);
    for (const r of ep.slice(1)) expect([Number(r[6]), Number(r[7])]).toEqual([endpoint.get(r[4]!)!.pass, endpoint.get(r[4]!)!.total]);
    expect(ep.find((r) => r[4] === 'CHHVN')!.slice(8, 13)).toEqual(['0.909091', '90.9%', '0.9', '1', 'Met']);
    // Due, overdue (met: no), the directive; no stored evaluation to compare with: empty.
    expect(ep.find((r) => r[4] === 'CHHVN')!.slice(14)).toEqual(['2022-12-31', '0', D2022, '', '', '']);
    expect(ep.find((r) => r[12] === 'Not met')![15]).toBe('1');
  });

  it('rejects a bad format, language, time or parameter with a coded 400', async () => {
    for (const [q, msg] of [
      ['format=pdf', /unknown format "pdf"/],
      ['lang=fr', /unknown language "fr"/],
      ['at=yesterday', /"at" must be an ISO date/],
      ['lnag=en', /bad query parameter "lnag"/],
      ['compare=soon', /"compare" must be an ISO date/],
      ['directive=CT-99', /unknown directive "CT-99": the rule files define 2224-QD-BGTVT, 09-CT-TTg-2024/],
    ] as const) {
      const res = await get(`${fx.url}/api/v1/report?${q}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { code: string; message: string };
      expect(body.code).toBe('QUERY_INVALID');
      expect(body.message).toMatch(msg);
    }
    const early = await get(`${fx.url}/api/v1/report?at=2001-01-01`);
    expect(early.status).toBe(404);
    expect(((await early.json()) as { code: string; message: string }).message).toMatch(/no indicator history at or before 2001-01-01T16:59:59.999Z \(--at\): the earliest stored evaluation is 20/);
  });

  it('posture report --at: the table as it was, from the stored history', async () => {
    const before = await runNode(POSTURE_BIN, ['-c', fx.configFile, 'report', '--at', beforeFleet, '--format', 'json', '--directive', D2022]);
    expect(before.stderr).toBe('');
    const past = JSON.parse(before.stdout) as JsonReport;
    expect(past.source).toBe('history');
    expect(past.indicators.find((i) => i.id === 'endpoint_protection')!.ministry.total).toBe(0);
    expect(past.portalsNotReady).toBeNull();

    const now = await runNode(POSTURE_BIN, ['-c', fx.configFile, 'report', '--at', new Date().toISOString(), '--format', 'markdown', '--lang', 'en', '--directive', D2022]);
    expect(now.code).toBe(0);
    expect(now.stdout).toContain('| Tổng cục ĐBVN | 33.3% (2/6) | 90% | Not met (overdue) |');
    expect(now.stdout).toContain('| **Ministry-wide** | 36.4% (4/11) | 70% | Not met (overdue) |');
    expect(now.stdout).toContain('Figures from the stored evaluation history');

    const bad = await runNode(POSTURE_BIN, ['-c', fx.configFile, 'report', '--at', '1999-01-01']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/posture report: no indicator history at or before 1999-01-01/);
    const badFormat = await runNode(POSTURE_BIN, ['-c', fx.configFile, 'report', '--format', 'xlsx']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/unknown format "xlsx": use markdown, csv, json, html, docx/);
  });

  it('Chromium renders /report: the table text, Vietnamese by default, English on request; screenshot saved', async () => {
    const page = await get(`${fx.url}/report`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const dom = await dumpDom(`${browserUrl}/report?directive=${D2022}`);
    expect(dom).toMatch(/<html lang="vi">/);
    const section = (id: string) => dom.slice(dom.indexOf(`id="ind-${id}"`), dom.indexOf('</section>', dom.indexOf(`id="ind-${id}"`)));
    const rowsOf = (html: string) =>
      [...html.matchAll(/<tr class="(?:unit|ministry)" data-scope="([^"]+)"><td>([^<]+)<\/td><td class="num">([^<]+)<\/td><td class="num">([^<]+)<br><small>hạn 31\/12\/2022<\/small><\/td><td class="[a-z]+">([^<]+)<\/td><\/tr>/g)].map((m) =>
        m.slice(1),
      );
    for (const [id, exp] of Object.entries(EXPECTED)) {
      const rows = rowsOf(section(id));
      expect(rows.map((r) => r[0])).toEqual(['ministry', ...worstFirst(exp.per)]);
      for (const [scope, name, actual, target, result] of rows.slice(1)) {
        const { pass, total } = exp.per.get(scope!)!;
        const pct = (Math.round((pass / total) * 1000) / 10).toFixed(1).replace(/\.0$/, '').replace('.', ',');
        expect([name, actual, target, result]).toEqual([shortName(scope!), `${pct}% (${pass}/${total})`, `${exp.target * 100}%`, pass / total >= exp.target ? 'Đạt' : 'Chưa đạt (quá hạn)']);
      }
      // The charts: one bar per unit (hatched when below target), the target line, the trend.
      const bars = section(id).slice(section(id).indexOf('class="chart bars"'));
      expect([...bars.matchAll(/<rect class="(met|notmet)"/g)].map((m) => m[1])).toEqual(worstFirst(exp.per).map((u) => (exp.per.get(u)!.pass / exp.per.get(u)!.total >= exp.target ? 'met' : 'notmet')));
      expect(bars).toContain(`>mục tiêu ${exp.target * 100}%</text>`);
      expect(section(id)).toMatch(/<svg [^>]*class="chart trend"[\s\S]*<polyline class="trend"/);
    }
    expect(dom).toContain('Cổng thông tin chưa sẵn sàng IPv6');
    const en = await dumpDom(`${browserUrl}/report?lang=en&directive=${D2022}`);
    expect(en).toMatch(/<html lang="en">/);
    expect(en).toContain('<td class="num">33.3% (2/6)</td>');
    expect(dom).toContain('<p class="filing">(Kèm theo Văn bản số …/BGTVT-TTCNTT ngày … tháng … năm');

    const dir = join(ROOT, 'artifacts');
    mkdirSync(dir, { recursive: true });
    await screenshot(`${browserUrl}/report?directive=${D2022}`, join(dir, 'report.png'));
    await printToPdf(`${browserUrl}/report?directive=${D2022}`, join(dir, 'report.pdf'));
    const png = await readFile(join(dir, 'report.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
    expect(statSync(join(dir, 'report.pdf')).size).toBeGreaterThan(5_000);
    // The printed pages, in grayscale as a black-and-white printer gives them, for a person to look at.
    const pages = await pdfPages(join(dir, 'report.pdf'), join(dir, 'report-page'), { gray: true });
    expect(pages.length).toBeGreaterThan(1);
    const text = await pdfText(join(dir, 'report.pdf'));
    expect(text).toContain('Tổng cục ĐBVN');
    expect(text).toContain('mục tiêu 90%');
    // Set in Times New Roman's metric-compatible stand-in (fonts-liberation2), as filed documents are.
    expect(await pdfFonts(join(dir, 'report.pdf'))).toContain('LiberationSerif');
  }, 90_000);

  it('the Word copy (/report?format=docx) reads back through LibreOffice: header, table, footnotes, short names', async () => {
    const res = await get(`${fx.url}/report?format=docx&directive=${D2022}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="appendix-\d{4}-\d{2}-\d{2}\.docx"$/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    const dir = join(ROOT, 'artifacts');
    mkdirSync(dir, { recursive: true });
    await writeFile(join(dir, 'appendix.docx'), bytes);
    const pdf = await docxToPdf(join(dir, 'appendix.docx'), dir);
    const text = (await pdfText(pdf)).replace(/[ \t]+/g, ' ');
    expect(text).toContain('PHỤ LỤC');
    expect(text).toContain('(Kèm theo Văn bản số …/BGTVT-TTCNTT ngày … tháng … năm');
    expect(text).toContain('Đánh giá theo: Quyết định số 2224/QĐ-BGTVT');
    expect(text).toMatch(/75% \(18\/24\)/);
    expect(text).toMatch(/Tổng cục ĐBVN 33,3% \(2\/6\) 90% Chưa đạt \(quá hạn\)/);
    // Word numbers the footnotes itself; their text is at the foot of the page.
    expect(text).toMatch(/\d+\s*Các đơn vị chưa đạt mục tiêu: Tổng cục ĐBVN: 33,3%; TTCNTT: 85,7%\./);
    expect(text).toMatch(/\d+\s*Các đơn vị chưa trình phê duyệt hồ sơ: Cục HHVN \(1 hệ thống\); TTCNTT \(1 hệ thống\)\./);
    const cli = await runNode(POSTURE_BIN, ['-c', fx.configFile, 'report', '--format', 'docx', '--directive', D2022, '--out', join(fx.dir, 'cli.docx')]);
    expect(cli.code).toBe(0);
    expect((await readFile(join(fx.dir, 'cli.docx'))).subarray(0, 2).toString()).toBe('PK');
    const pages = await pdfPages(pdf, join(dir, 'appendix-page'));
    expect(pages.length).toBeGreaterThan(0);
    // Times New Roman in the document; where it is not installed, its metric-compatible stand-in
    // (same line breaks and page breaks as in Word), never a wider fallback.
    expect((await pdfFonts(pdf)).filter((f) => /^(TimesNewRoman|LiberationSerif)/.test(f)).length).toBeGreaterThan(0);
  }, 120_000);
});
