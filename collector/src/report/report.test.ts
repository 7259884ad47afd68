/** The report renderers on a hand-made evaluation: number format, order, escaping, history. */
import { describe, expect, it } from 'vitest';
import type { Evaluation } from '../rules/engine.js';
import { toCsv } from './csv.js';
import { toHtml } from './html.js';
import { percent, reason } from './i18n.js';
import { toMarkdown } from './markdown.js';
import { historyReport, liveReport } from './model.js';
import { parseAt } from './source.js';

const ev: Evaluation = {
  evaluatedAt: '2026-04-30T10:00:00.000Z',
  units: [
    { id: 'A', name: 'Cục A <b>' },
    { id: 'B', name: 'Cục "B", phía Nam' },
    { id: 'C', name: 'Cục C' },
  ],
  indicators: [
    {
      id: 'endpoint_protection',
      tt: 12,
      population: 'hosts',
      group: 'directive',
      pastDue: false,
      systems: [],
      title: { vi: 'Tỷ lệ thiết bị | được bảo vệ', en: 'Endpoints protected' },
      basis: 'QĐ 2224',
      target: 0.9,
      due: null,
      ministry: { scope: 'ministry', pass: 37, total: 55, ratio: 37 / 55, met: false, overdue: false },
      units: [
        { scope: 'A', pass: 35, total: 52, ratio: 35 / 52, met: false, overdue: false },
        { scope: 'B', pass: 2, total: 3, ratio: 2 / 3, met: false, overdue: false },
        { scope: 'C', pass: 0, total: 0, ratio: null, met: null, overdue: false },
      ],
      failing: [{ id: 'x', name: 'host<1>', unit: 'A', reasons: ['stale: no report since 2026-04-29T00:00:00Z'] }],
    },
  ],
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

  it('orders units worst first with no-data units last, and lists those below target', () => {
    const r = liveReport(ev, []);
    expect(r.indicators[0]!.units.map((u) => u.scope)).toEqual(['B', 'A', 'C']);
    expect(r.indicators[0]!.belowTarget.map((u) => u.scope)).toEqual(['B', 'A']);
  });

  it('Markdown escapes pipes and shows "no data" for an empty unit', () => {
    const md = toMarkdown(liveReport(ev, []), 'vi');
    expect(md).toContain('| 12 | Tỷ lệ thiết bị \\| được bảo vệ | QĐ 2224 | 90% | 67,3% (37/55) | Chưa đạt |');
    expect(md).toContain('| Cục C | — (0/0) | 90% | Chưa có dữ liệu |');
    expect(md).toContain('Đơn vị chưa đạt mục tiêu: Cục "B", phía Nam: 66,7%, Cục A <b>: 67,3%.');
    expect(md).toContain('host<1>: quá hạn: không báo cáo từ 2026-04-29T00:00:00Z');
  });

  it('HTML escapes names and reasons, and is a whole printable page', () => {
    const html = toHtml(liveReport(ev, []), 'en');
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<td>Cục A &lt;b&gt;</td>');
    expect(html).toContain('<b>host&lt;1&gt;</b>: stale: no report since');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('@media print');
  });

  it('CSV quotes fields with commas and quotes, with a BOM for Excel', () => {
    const csv = toCsv(liveReport(ev, []), 'vi');
    expect(csv.startsWith('\ufefftt,indicator,')).toBe(true);
    expect(csv).toContain(',B,"Cục ""B"", phía Nam",2,3,0.666667,"66,7%",0.9,0,Chưa đạt,');
    expect(csv).toContain(',C,Cục C,0,0,,—,0.9,,Chưa có dữ liệu,');
  });

  it('a report from history keeps counts and titles, and says member lists are not stored', () => {
    const rows = [
      { evaluated_at: '2026-04-30T10:00:00.000Z', indicator: 'endpoint_protection', scope: 'ministry', pass: 9, total: 10, target: 0.9 },
      { evaluated_at: '2026-04-30T10:00:00.000Z', indicator: 'endpoint_protection', scope: 'unit:A', pass: 9, total: 10, target: 0.9 },
      { evaluated_at: '2026-04-30T10:00:00.000Z', indicator: 'retired_indicator', scope: 'ministry', pass: 1, total: 2, target: 0.5 },
    ];
    const r = historyReport(rows, '2026-04-30T12:00:00.000Z', ev);
    expect(r.source).toBe('history');
    // Numbered indicators first; one no longer in the rules has TT 0 and comes after.
    expect(r.indicators.map((i) => [i.id, i.title.vi, i.ministry.met])).toEqual([
      ['endpoint_protection', 'Tỷ lệ thiết bị | được bảo vệ', true],
      ['retired_indicator', 'retired_indicator', true],
    ]);
    expect(r.indicators[0]!.units.map((u) => [u.scope, u.name])).toEqual([['A', 'Cục A <b>']]);
    expect(toMarkdown(r, 'vi')).toContain('Số liệu tại: 30/04/2026 17:00 (UTC+7) (tính đến 30/04/2026 19:00 (UTC+7))');
  });

  it('translates the collector-made reasons into Vietnamese and leaves agent reasons as sent', () => {
    expect(reason('protection plan of the level not deployed', 'vi')).toBe('chưa triển khai phương án bảo vệ theo cấp độ');
    expect(reason('ClamAV: not protecting (not running)', 'vi')).toBe('ClamAV: not protecting (not running)');
    expect(reason('protection plan of the level not deployed', 'en')).toBe('protection plan of the level not deployed');
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
  });
});
