/**
 * The report renderers on a hand-made evaluation: number format, order, escaping, history,
 * the comparison with an earlier evaluation, the directive in force, the filed form's header
 * and footnotes, the charts, and reasons rendered from codes in the reader's language.
 */
import { describe, expect, it } from 'vitest';
import type { Evaluation } from '../rules/engine.js';
import type { IndicatorResult } from '../rules/evaluate.js';
import type { Directive } from '../rules/format.js';
import { because } from '../rules/reasons.js';
import { barChart, trendChart } from './charts.js';
import { toCsv } from './csv.js';
import { chooseDirective } from './directive.js';
import { footnotes, filingLine } from './filed.js';
import { historyReport } from './history.js';
import { toHtml } from './html.js';
import { change, percent, reason } from './i18n.js';
import { toMarkdown } from './markdown.js';
import { liveReport, type ReportFrame } from './model.js';
import { parseAt } from './source.js';
import { applyComparison, applyTrend, previousQuarterEnd } from './trend.js';

const D2022: Directive = { id: '2224-QD-BGTVT', title: { vi: 'Quyết định 2224/QĐ-BGTVT', en: 'Decision 2224' }, issued: '2021-12-27', basis: 'QĐ 2224', carriesOver: [] };
const D2024: Directive = { id: '09-CT-TTg-2024', title: { vi: 'Chỉ thị số 09/CT-TTg ngày 23/02/2024', en: 'Directive 09/CT-TTg' }, issued: '2024-02-23', basis: 'CT 09', carriesOver: [] };

const frame: ReportFrame = {
  directive: D2022,
  filing: { documentNumber: '…/BGTVT-TTCNTT', documentDate: null, issuer: 'Bộ Giao thông vận tải' },
  units: [
    { id: 'A', name: 'Cục A <b>', shortName: 'Cục A <b>' },
    { id: 'B', name: 'Cục Hàng hải Việt Nam', shortName: 'Cục HHVN' },
    { id: 'C', name: 'Cục Đường thủy nội địa Việt Nam', shortName: 'Cục ĐTNĐVN' },
  ],
};

const indicator = (o: Partial<IndicatorResult>): IndicatorResult => ({
  id: 'endpoint_protection',
  directive: D2022.id,
  tt: 12,
  title: { vi: 'Tỷ lệ thiết bị | được bảo vệ', en: 'Endpoints protected' },
  basis: 'QĐ 2224',
  target: 0.9,
  due: '2022-12-31',
  ministry: { scope: 'ministry', pass: 37, total: 55, ratio: 37 / 55, met: false, overdue: true },
  units: [
    { scope: 'A', pass: 35, total: 52, ratio: 35 / 52, met: false, overdue: true },
    { scope: 'B', pass: 2, total: 3, ratio: 2 / 3, met: false, overdue: true },
    { scope: 'C', pass: 0, total: 0, ratio: null, met: null, overdue: false },
  ],
  failing: [{ id: 'x', name: 'host<1>', unit: 'A', reasons: [because('HOST_STALE', { lastSeen: '2026-04-29 07:00 (UTC+7)', hours: 27.5 })] }],
  population: 'hosts',
  group: 'directive-2022',
  systems: [],
  pastDue: true,
  ...o,
});

const systems = indicator({
  id: 'systems_classified',
  tt: 11,
  title: { vi: 'Tỷ lệ hệ thống thông tin được xác định cấp độ', en: 'Systems classified' },
  target: 0.7,
  population: 'systems',
  ministry: { scope: 'ministry', pass: 1, total: 4, ratio: 0.25, met: false, overdue: true },
  units: [
    { scope: 'B', pass: 1, total: 3, ratio: 1 / 3, met: false, overdue: true },
    { scope: 'C', pass: 0, total: 1, ratio: 0, met: false, overdue: true },
  ],
  failing: [
    { id: 's1', name: 'Quản lý tàu biển', unit: 'B', reasons: [because('SYSTEM_LEVEL_NOT_APPROVED'), because('SYSTEM_PLAN_NOT_DEPLOYED')] },
    { id: 's2', name: 'VTS', unit: 'B', reasons: [because('SYSTEM_LEVEL_NOT_APPROVED')] },
    { id: 's4', name: 'AIS', unit: 'C', reasons: [because('SYSTEM_LEVEL_PENDING_APPROVAL', { proposedLevel: 3 })] },
    { id: 's3', name: 'Cổng', unit: 'C', reasons: [because('PROTECTION_NOT_PROTECTED', undefined, 'ClamAV: not protecting (not running)')] },
  ],
});

const ev: Evaluation = {
  evaluatedAt: '2026-04-30T10:00:00.000Z',
  units: frame.units.map(({ id, name }) => ({ id, name })),
  indicators: [indicator({}), systems, indicator({ id: 'systems_level_approved', directive: D2024.id, tt: 1, title: { vi: 'Phê duyệt cấp độ', en: 'Approved level' } })],
};

describe('report renderers', () => {
  it.each([
    [0.673, 'vi', '67,3%'],
    [0.673, 'en', '67.3%'],
    [0.9, 'vi', '90%'],
    [2 / 3, 'vi', '66,7%'],
    [0.20555, 'vi', '20,6%'],
    [null, 'vi', '—'],
  ] as const)('percent(%s, %s) = %s', (r, lang, s) => expect(percent(r, lang)).toBe(s));

  it.each([
    [8.6, 'vi', 'tăng 8,6 điểm %'],
    [-2, 'vi', 'giảm 2 điểm %'],
    [0, 'vi', 'không đổi'],
    [8.6, 'en', 'up 8.6 pp'],
    [null, 'vi', '—'],
  ] as const)('change(%s, %s) = %s', (p, lang, s) => expect(change(p, lang)).toBe(s));

  it('measures against one directive: its indicators only, worst first with no-data units last', () => {
    const r = liveReport(ev, [], frame);
    expect(r.indicators.map((i) => i.id)).toEqual(['systems_classified', 'endpoint_protection']);
    expect(r.indicators[1]!.units.map((u) => u.scope)).toEqual(['B', 'A', 'C']);
    expect(r.indicators[1]!.belowTarget.map((u) => u.scope)).toEqual(['B', 'A']);
    expect(liveReport(ev, [], { ...frame, directive: D2024 }).indicators.map((i) => i.id)).toEqual(['systems_level_approved']);
  });

  it("a later directive carries over an earlier one's standing indicator: measured too, numbered after its own rows", () => {
    const r = liveReport(ev, [], { ...frame, directive: { ...D2024, carriesOver: ['endpoint_protection'] } });
    expect(r.indicators.map((i) => [i.id, i.tt, i.directive, i.target])).toEqual([
      ['systems_level_approved', 1, '09-CT-TTg-2024', 0.9],
      ['endpoint_protection', 2, '2224-QD-BGTVT', 0.9],
    ]);
    // The 2022 report itself is unchanged (its own numbering).
    expect(liveReport(ev, [], frame).indicators.map((i) => [i.id, i.tt])).toEqual([
      ['systems_classified', 11],
      ['endpoint_protection', 12],
    ]);
  });

  it('the directive in force at the report date, unless one is asked for', () => {
    expect(chooseDirective([D2022, D2024], new Date('2023-06-30T00:00:00Z'), undefined)?.id).toBe('2224-QD-BGTVT');
    // Issued 23/02/2024 in Vietnam: in force from 00:00 UTC+7 that day.
    expect(chooseDirective([D2022, D2024], new Date('2024-02-22T16:59:59Z'), undefined)?.id).toBe('2224-QD-BGTVT');
    expect(chooseDirective([D2022, D2024], new Date('2024-02-22T17:00:00Z'), undefined)?.id).toBe('09-CT-TTg-2024');
    expect(chooseDirective([D2022, D2024], new Date('2026-01-01T00:00:00Z'), '2224-QD-BGTVT')?.id).toBe('2224-QD-BGTVT');
    expect(() => chooseDirective([D2022, D2024], new Date(), 'CT-99')).toThrow(/unknown directive "CT-99": the rule files define 2224-QD-BGTVT, 09-CT-TTg-2024/);
  });

  it('the filed form: header line, directive, footnotes numbered and worded like the appendix, short names', () => {
    const r = liveReport(ev, [], frame);
    expect(filingLine(r, 'vi')).toBe('Kèm theo Văn bản số …/BGTVT-TTCNTT ngày … tháng … năm 2026');
    expect(footnotes(r, 'vi')).toEqual([
      { n: 1, indicator: 'systems_classified', text: 'Các đơn vị chưa đạt mục tiêu: Cục ĐTNĐVN: 0%; Cục HHVN: 33,3%.' },
      { n: 2, indicator: 'systems_classified', text: 'Các đơn vị chưa trình phê duyệt hồ sơ: Cục HHVN (2 hệ thống).' },
      { n: 3, indicator: 'systems_classified', text: 'Các đơn vị đã trình hồ sơ, chưa được phê duyệt: Cục ĐTNĐVN (1 hệ thống).' },
      { n: 4, indicator: 'systems_classified', text: 'Các đơn vị chưa triển khai phương án bảo vệ theo cấp độ: Cục HHVN (1 hệ thống).' },
      { n: 5, indicator: 'endpoint_protection', text: 'Các đơn vị chưa đạt mục tiêu: Cục HHVN: 66,7%; Cục A <b>: 67,3%.' },
    ]);
    const md = toMarkdown(r, 'vi');
    expect(md).toContain('_(Kèm theo Văn bản số …/BGTVT-TTCNTT ngày … tháng … năm 2026)_');
    expect(md).toContain('Đánh giá theo: Quyết định 2224/QĐ-BGTVT');
    expect(md).toContain('| 12 | Tỷ lệ thiết bị \\| được bảo vệ | QĐ 2224 | 90% (hạn 31/12/2022) | 67,3% (37/55) (5) | Chưa đạt (quá hạn) |');
    expect(md).toContain('(2) Các đơn vị chưa trình phê duyệt hồ sơ: Cục HHVN (2 hệ thống).');
    expect(md).toContain('| Cục ĐTNĐVN | — (0/0) | 90% | Chưa có dữ liệu |');
    expect(md).toContain('| Cục HHVN | 66,7% (2/3) | 90% | Chưa đạt (quá hạn) |');
  });

  it('reasons come from the catalogue in the reader language; agent text without a code is quoted evidence', () => {
    const md = toMarkdown(liveReport(ev, [], frame), 'vi');
    expect(md).toContain('host<1>: Máy không gửi báo cáo từ 2026-04-29 07:00 (UTC+7) (quá 27,5 giờ)');
    expect(md).toContain('Cục ĐTNĐVN / Cổng: Chưa được bảo vệ (agent không gửi mã lý do; xem bằng chứng) (bằng chứng do agent gửi: “ClamAV: not protecting (not running)”)');
    expect(reason(because('SYSTEM_PLAN_NOT_DEPLOYED'), 'vi')).toBe('Chưa triển khai phương án bảo vệ theo cấp độ');
    expect(reason(because('SYSTEM_PLAN_NOT_DEPLOYED'), 'en')).toBe('Protection plan of the level not deployed');
    const html = toHtml(liveReport(ev, [], frame), 'vi');
    expect(html).toContain('<q class="evidence" title="bằng chứng do agent gửi">ClamAV: not protecting (not running)</q>');
  });

  it('HTML escapes names and reasons, is a whole printable page, and draws inline SVG charts without script', () => {
    const html = toHtml(applyTrend(liveReport(ev, [], frame), []), 'en');
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<td>Cục A &lt;b&gt;</td>');
    expect(html).toContain('<b>host&lt;1&gt;</b>: No report since 2026-04-29 07:00 (UTC+7)');
    expect(html).not.toMatch(/<script|javascript:|<image|href="http/i);
    expect(html).toContain('@media print');
    expect(html.match(/<svg [^>]*class="chart bars"/g)).toHaveLength(2);
    expect(html.match(/<svg [^>]*class="chart trend"/g)).toHaveLength(2);
    expect(html).toContain('<p class="issuer">Bộ Giao thông vận tải</p>');
  });

  it('bar chart: one bar per unit, hatched below target and solid when met (grayscale), the target as a dashed line at its value', () => {
    const r = liveReport(
      {
        ...ev,
        indicators: [
          indicator({
            units: [
              { scope: 'A', pass: 9, total: 10, ratio: 0.9, met: true, overdue: false },
              { scope: 'B', pass: 1, total: 2, ratio: 0.5, met: false, overdue: true },
            ],
          }),
        ],
      },
      [],
      frame,
    );
    const svg = barChart(r.indicators[0]!, 'vi');
    // Plot from x=150 over 410 px: 50% ends at 355, the 90% target at 519.
    expect(svg).toMatch(/<rect class="notmet" x="150" y="\d+" width="205" [^>]*fill="url\(#hatch-endpoint_protection\)"/);
    expect(svg).toMatch(/<rect class="met" x="150" y="\d+" width="369" [^>]*fill="#555"/);
    expect(svg).toMatch(/<line class="target" x1="519" [^>]*stroke-dasharray="5 3"/);
    expect(svg).toContain('>mục tiêu 90%</text>');
    expect(svg).toContain('>50%</text>');
    expect(svg).toContain('>Cục HHVN</text>');
  });

  it('trend chart: the stored daily points then this report, on a 0-100% scale with the target line', () => {
    const r = applyTrend(liveReport(ev, [], frame), [
      { at: '2026-01-31T10:00:00.000Z', indicator: 'endpoint_protection', pass: 1, total: 2 },
      { at: '2026-03-31T10:00:00.000Z', indicator: 'endpoint_protection', pass: 3, total: 5 },
      { at: '2026-04-30T10:00:00.000Z', indicator: 'endpoint_protection', pass: 9, total: 9 }, // this report's own evaluation: not twice
    ]);
    const ep = r.indicators.find((i) => i.id === 'endpoint_protection')!;
    expect(ep.trend.map((p) => p.ratio)).toEqual([0.5, 0.6, 37 / 55]);
    const svg = trendChart(ep, 'vi');
    // y from 24 (100%) to 140 (0%): 50% at 82, 60% at 70.4; x from 44 (31/01) to 624 (30/04),
    // 31/03 at 59 of 89 days.
    expect(svg).toMatch(/<polyline class="trend" points="44,82 428.5,70.4 624,62"/);
    expect(svg).toContain('>31/01/2026</text>');
    expect(svg).toContain('>30/04/2026</text>');
    expect(trendChart(liveReport(ev, [], frame).indicators[0]!, 'vi')).toContain('chưa có lịch sử đánh giá');
  });

  it('compares each figure with the stored evaluation: change in percentage points', () => {
    const at = '2026-03-31T16:59:59.999Z';
    const prev = [
      { evaluated_at: '2026-03-31T10:00:00.000Z', indicator: 'endpoint_protection', scope: 'ministry', pass: 32, total: 55, target: 0.9 },
      { evaluated_at: '2026-03-31T10:00:00.000Z', indicator: 'endpoint_protection', scope: 'unit:B', pass: 2, total: 3, target: 0.9 },
    ];
    const r = applyComparison(liveReport(ev, [], frame), prev, '2026-03-31T10:00:00.000Z', at);
    const ep = r.indicators.find((i) => i.id === 'endpoint_protection')!;
    // 37/55 = 67,27% against 32/55 = 58,18%: up 9,1 points.
    expect(ep.ministry.changePoints).toBe(9.1);
    expect(ep.units.find((u) => u.scope === 'B')!.changePoints).toBe(0);
    expect(ep.units.find((u) => u.scope === 'A')!.previous).toBeNull();
    const md = toMarkdown(r, 'vi');
    expect(md).toContain('So sánh với số liệu tại 31/03/2026 17:00 (UTC+7)');
    expect(md).toContain('| 67,3% (37/55) (5) | tăng 9,1 điểm % | Chưa đạt (quá hạn) |');
    expect(md).toContain('| Cục HHVN | 66,7% (2/3) | 66,7% | không đổi | 90% | Chưa đạt (quá hạn) |');
    expect(md).toContain('| Cục A <b> | 67,3% (35/52) | — | — | 90% | Chưa đạt (quá hạn) |');
    expect(toHtml(r, 'en')).toContain('<td class="num change">up 9.1 pp</td>');
  });

  it('the default comparison is the end of the previous quarter, Vietnam time', () => {
    expect(previousQuarterEnd(new Date('2026-04-30T10:00:00Z')).toISOString()).toBe('2026-03-31T16:59:59.999Z');
    expect(previousQuarterEnd(new Date('2026-01-01T03:00:00Z')).toISOString()).toBe('2025-12-31T16:59:59.999Z');
    // 31/12 20:00 UTC is already 01/01 in Vietnam: the quarter before is Q4.
    expect(previousQuarterEnd(new Date('2025-12-31T20:00:00Z')).toISOString()).toBe('2025-12-31T16:59:59.999Z');
  });

  it('CSV quotes fields with commas and quotes, with a BOM for Excel', () => {
    const csv = toCsv(liveReport(ev, [], { ...frame, units: [...frame.units.slice(0, 1), { id: 'B', name: 'Cục "B", phía Nam', shortName: 'Cục B' }, frame.units[2]!] }), 'vi');
    expect(csv.startsWith('\ufefftt,indicator,')).toBe(true);
    expect(csv).toContain(',B,"Cục ""B"", phía Nam",2,3,0.666667,"66,7%",0.9,0,Chưa đạt,');
    expect(csv).toContain(',C,Cục Đường thủy nội địa Việt Nam,0,0,,—,0.9,,Chưa có dữ liệu,');
  });

  it('a report from history keeps counts and titles, and says member lists are not stored', () => {
    const rows = [
      { evaluated_at: '2026-04-30T10:00:00.000Z', indicator: 'endpoint_protection', scope: 'ministry', pass: 9, total: 10, target: 0.9 },
      { evaluated_at: '2026-04-30T10:00:00.000Z', indicator: 'endpoint_protection', scope: 'unit:A', pass: 9, total: 10, target: 0.9 },
      { evaluated_at: '2026-04-30T10:00:00.000Z', indicator: 'retired_indicator', scope: 'ministry', pass: 1, total: 2, target: 0.5 },
    ];
    const r = historyReport(rows, '2026-04-30T12:00:00.000Z', ev, frame);
    expect(r.source).toBe('history');
    // Numbered indicators first; one no longer in the rules has TT 0 and comes after.
    expect(r.indicators.map((i) => [i.id, i.title.vi, i.ministry.met])).toEqual([
      ['endpoint_protection', 'Tỷ lệ thiết bị | được bảo vệ', true],
      ['retired_indicator', 'retired_indicator', true],
    ]);
    expect(r.indicators[0]!.units.map((u) => [u.scope, u.name])).toEqual([['A', 'Cục A <b>']]);
    expect(toMarkdown(r, 'vi')).toContain('Số liệu tại: 30/04/2026 17:00 (UTC+7) (tính đến 30/04/2026 19:00 (UTC+7))');
  });
});

describe('parseAt', () => {
  it.each([
    ['2026-04-30', '2026-04-30T16:59:59.999Z'],
    ['2026-04-30T17:00', '2026-04-30T10:00:00.000Z'],
    ['2026-04-30 17:00:30', '2026-04-30T10:00:30.000Z'],
    ['2026-04-30T10:00:00Z', '2026-04-30T10:00:00.000Z'],
    ['2026-04-30T10:00:00.5+02:00', '2026-04-30T08:00:00.500Z'],
  ])('%s -> %s', (v, iso) => expect(parseAt(v).toISOString()).toBe(iso));

  it.each(['12', 'yesterday', '2026-13-01', '30/04/2026', '2026-04-30T25:00'])('refuses %s with a message that shows the accepted forms', (v) => {
    expect(() => parseAt(v)).toThrow(/"at" must be an ISO date or date-time such as 2026-04-30/);
    expect(() => parseAt(v, 'compare')).toThrow(/"compare" must be an ISO date/);
  });
});
