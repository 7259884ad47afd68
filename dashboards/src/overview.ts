/**
 * Overview: each indicator against its target. Per indicator: the ministry-wide gauge with the
 * target as threshold, the per-unit bars sorted worst first, the trend with its target line;
 * then one table of all units below target.
 */
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { UNIT_NAME, BY_UNIT, Ctx, allRows, merge, keepWhere, q, reduceLast, rename, sortBy, targetThresholds, type Lang } from './common.js';
import { INDICATORS, type IndicatorRef } from './indicators.js';

/** Show "12. <title>" instead of the indicator id in tables. */
const indicatorNames = (c: Ctx): dashboard.DynamicConfigValue => ({
  id: 'mappings',
  value: [
    {
      type: dashboard.MappingType.ValueToText,
      options: Object.fromEntries(INDICATORS.map((i, index) => [i.id, { text: `${i.tt}. ${c.t(i.title)}`, index }])),
    },
  ],
});

const ministryGauge = (c: Ctx, ind: IndicatorRef) =>
  new gauge.PanelBuilder()
    .title(c.t({ vi: `${ind.tt}. Toàn Bộ`, en: `${ind.tt}. Ministry-wide` }))
    .description(c.t(ind.title))
    .withTarget(q('A', `SELECT last("ratio") AS "ratio" FROM "indicator" WHERE "indicator" = '${ind.id}' AND "scope" = 'ministry' AND $timeFilter`))
    .unit('percentunit')
    .min(0)
    .max(1)
    .decimals(1)
    .thresholds(targetThresholds(ind.target))
    .showThresholdMarkers(true)
    .reduceOptions(reduceLast())
    .span(6)
    .height(8);

const unitBars = (c: Ctx, ind: IndicatorRef) =>
  new bargauge.PanelBuilder()
    .title(c.t({ vi: `${ind.tt}. Theo đơn vị (thấp nhất trước)`, en: `${ind.tt}. Per unit (worst first)` }))
    .description(c.t(ind.title))
    .withTarget(q('A', `SELECT last("ratio") AS "ratio" FROM "indicator" WHERE "indicator" = '${ind.id}' AND "scope" = 'unit' AND ${BY_UNIT} AND $timeFilter GROUP BY ${UNIT_NAME}`).table())
    .withTransformation(merge)
    .withTransformation(sortBy('ratio'))
    .reduceOptions(allRows('/^ratio$/'))
    .displayName('${__data.fields.unit_name}')
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .unit('percentunit')
    .min(0)
    .max(1)
    .decimals(1)
    .thresholds(targetThresholds(ind.target))
    .span(9)
    .height(8);

const trend = (c: Ctx, ind: IndicatorRef) =>
  new timeseries.PanelBuilder()
    .title(c.t({ vi: `${ind.tt}. Diễn biến theo thời gian`, en: `${ind.tt}. Trend` }))
    .description(c.t(ind.title))
    .withTarget(
      q('A', `SELECT last("ratio") AS "ratio", last("target") AS "target" FROM "indicator" WHERE "indicator" = '${ind.id}' AND "scope" = 'ministry' AND $timeFilter GROUP BY time($__interval) fill(previous)`).alias(
        c.t({ vi: 'Toàn Bộ: $col', en: 'Ministry: $col' }),
      ),
    )
    .withTarget(q('B', `SELECT last("ratio") AS "ratio" FROM "indicator" WHERE "indicator" = '${ind.id}' AND "scope" = 'unit' AND ${BY_UNIT} AND $timeFilter GROUP BY time($__interval), ${UNIT_NAME} fill(previous)`).alias('$tag_unit_name'))
    .unit('percentunit')
    .min(0)
    .max(1)
    .thresholds(targetThresholds(ind.target))
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
    .span(9)
    .height(8);

const LATEST = 'last("ratio") AS "ratio", last("target") AS "target", last("pass") AS "pass", last("total") AS "total", last("met") AS "met"';

/** A table of the latest indicator rows, columns renamed and formatted, indicator ids shown as titles. */
const indicatorTable = (c: Ctx, title: string, query: string, transformations: dashboard.DataTransformerConfig[]) => {
  // The unit's name is shown as "Đơn vị"; its id column is hidden.
  const p = new table.PanelBuilder().title(title).withTarget(q('A', query).table()).withTransformation(merge);
  for (const t of transformations) p.withTransformation(t);
  return p
    .withTransformation(
      rename(
        c.lang === 'vi'
          ? { indicator: 'Chỉ tiêu', unit_name: 'Đơn vị', ratio: 'Thực tế', target: 'Mục tiêu', pass: 'Đạt', total: 'Tổng số', met: 'Đạt mục tiêu' }
          : { indicator: 'Indicator', unit_name: 'Unit', ratio: 'Actual', target: 'Target', pass: 'Passing', total: 'Total', met: 'Target met' },
        ['unit'],
      ),
    )
    .overrideByName(c.t({ vi: 'Thực tế', en: 'Actual' }), [
      { id: 'unit', value: 'percentunit' },
      { id: 'decimals', value: 1 },
    ])
    .overrideByName(c.t({ vi: 'Mục tiêu', en: 'Target' }), [{ id: 'unit', value: 'percentunit' }])
    .overrideByName(c.t({ vi: 'Chỉ tiêu', en: 'Indicator' }), [indicatorNames(c)])
    .span(24);
};

const summary = (c: Ctx) =>
  indicatorTable(c, c.t({ vi: 'Các chỉ tiêu so với mục tiêu (toàn Bộ)', en: 'Indicators against their targets (ministry-wide)' }), `SELECT ${LATEST} FROM "indicator" WHERE "scope" = 'ministry' AND $timeFilter GROUP BY "indicator"`, []).height(5);

const belowTarget = (c: Ctx) =>
  indicatorTable(c, c.t({ vi: 'Đơn vị chưa đạt mục tiêu', en: 'Units below target' }), `SELECT ${LATEST} FROM "indicator" WHERE "scope" = 'unit' AND ${BY_UNIT} AND $timeFilter GROUP BY "indicator", ${UNIT_NAME}`, [
    keepWhere('met', false),
    sortBy('ratio'),
  ]).height(8);

export function overview(lang: Lang): dashboard.Dashboard {
  const c = new Ctx(lang);
  const d = c.dashboard('posture-overview', { vi: 'Posture: Tổng quan các chỉ tiêu', en: 'Posture: Indicators overview' }, false);
  d.withPanel(summary(c));
  for (const ind of INDICATORS) {
    d.withRow(new dashboard.RowBuilder(`${ind.tt}. ${c.t(ind.title)}`));
    d.withPanel(ministryGauge(c, ind)).withPanel(unitBars(c, ind)).withPanel(trend(c, ind));
  }
  d.withRow(new dashboard.RowBuilder(c.t({ vi: 'Đơn vị chưa đạt', en: 'Below target' })));
  d.withPanel(belowTarget(c));
  return d.build();
}
