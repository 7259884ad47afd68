/**
 * Agent health: when each agent last reported and with which version, agent versions in use,
 * collection time, spool depth (reports waiting on the agent) and dropped reports, and the
 * collector's own counters (rejected reports, outbox depth).
 */
import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { UNIT_NAME, BY_HOST_SYSTEM, BY_UNIT, Ctx, badFrom, merge, q, rename, sortBy, type Lang } from './common.js';

const HOSTS = `${BY_UNIT} AND ${BY_HOST_SYSTEM} AND $timeFilter`;

const lastSeen = (c: Ctx) =>
  new table.PanelBuilder()
    .title(c.t({ vi: 'Agent: lần báo cáo cuối', en: 'Agents: last report' }))
    .withTarget(
      q(
        'A',
        `SELECT last("agent_version") AS "agent_version", last("collect_ms") AS "collect_ms", last("spool_depth") AS "spool_depth", last("dropped") AS "dropped", last("probe_errors") AS "probe_errors" FROM "host" WHERE ${HOSTS} GROUP BY "unit", "hostname", "agent_id"`,
      ).table(),
    )
    .withTransformation(merge)
    .withTransformation(sortBy('Time'))
    .withTransformation(
      rename(
        c.lang === 'vi'
          ? { Time: 'Báo cáo cuối', unit: 'Đơn vị', hostname: 'Tên máy', agent_id: 'Agent', agent_version: 'Phiên bản', collect_ms: 'Thu thập (ms)', spool_depth: 'Hàng đợi', dropped: 'Đã bỏ', probe_errors: 'Lỗi probe' }
          : { Time: 'Last report', unit: 'Unit', hostname: 'Host', agent_id: 'Agent', agent_version: 'Version', collect_ms: 'Collect (ms)', spool_depth: 'Spool', dropped: 'Dropped', probe_errors: 'Probe errors' },
      ),
    )
    .overrideByName(c.t({ vi: 'Báo cáo cuối', en: 'Last report' }), [{ id: 'unit', value: 'dateTimeFromNow' }])
    .span(24)
    .height(10);

const versions = (c: Ctx) =>
  new barchart.PanelBuilder()
    .title(c.t({ vi: 'Phiên bản agent (số máy)', en: 'Agent versions (hosts)' }))
    .withTarget(q('A', `SELECT last("agent_version") AS "agent_version" FROM "host" WHERE ${HOSTS} GROUP BY "agent_id"`).table())
    .withTransformation(merge)
    .withTransformation({
      id: 'groupBy',
      options: { fields: { agent_version: { operation: 'groupby', aggregations: [] }, agent_id: { operation: 'aggregate', aggregations: ['count'] } } },
    })
    .withTransformation(rename(c.lang === 'vi' ? { agent_version: 'Phiên bản', 'agent_id (count)': 'Số máy' } : { agent_version: 'Version', 'agent_id (count)': 'Hosts' }))
    .xField(c.t({ vi: 'Phiên bản', en: 'Version' }))
    .showValue(common.VisibilityMode.Always)
    .span(8)
    .height(8);

const collectTime = (c: Ctx) =>
  new timeseries.PanelBuilder()
    .title(c.t({ vi: 'Thời gian thu thập của agent', en: 'Agent collection time' }))
    .withTarget(q('A', `SELECT mean("collect_ms") AS "mean", percentile("collect_ms", 95) AS "p95", max("collect_ms") AS "max" FROM "host" WHERE ${HOSTS} GROUP BY time($__interval) fill(none)`))
    .unit('ms')
    .span(8)
    .height(8);

const spool = (c: Ctx) =>
  new timeseries.PanelBuilder()
    .title(c.t({ vi: 'Báo cáo chờ gửi (spool) và bị bỏ, theo đơn vị', en: 'Spooled and dropped reports, by unit' }))
    .withTarget(q('A', `SELECT max("spool_depth") AS "spool_depth", max("dropped") AS "dropped" FROM "host" WHERE ${HOSTS} GROUP BY time($__interval), ${UNIT_NAME} fill(none)`).alias('$tag_unit_name: $col'))
    .thresholds(badFrom(1))
    .span(8)
    .height(8);

const collectorCounters = (c: Ctx) =>
  new timeseries.PanelBuilder()
    .title(c.t({ vi: 'Collector: báo cáo bị từ chối, hàng đợi InfluxDB', en: 'Collector: rejected reports, InfluxDB outbox' }))
    .description(
      c.t({
        vi: 'Số báo cáo bị từ chối trong mỗi khoảng (counter của collector, tính lại từ 0 khi khởi động lại).',
        en: 'Reports refused per interval (collector counters, which restart from 0 when the collector restarts).',
      }),
    )
    .withTarget(q('A', `SELECT non_negative_difference(last("rejected")) AS "rejected", non_negative_difference(last("accepted")) AS "accepted" FROM "collector" WHERE $timeFilter GROUP BY time($__interval) fill(none)`))
    .withTarget(q('B', `SELECT last("outbox_depth") AS "outbox_depth" FROM "collector" WHERE $timeFilter GROUP BY time($__interval) fill(none)`))
    .span(24)
    .height(8);

export function agents(lang: Lang): dashboard.Dashboard {
  const c = new Ctx(lang);
  return c.dashboard('posture-agents', { vi: 'Posture: Tình trạng agent', en: 'Posture: Agent health' }).withPanel(lastSeen(c)).withPanel(versions(c)).withPanel(collectTime(c)).withPanel(spool(c)).withPanel(collectorCounters(c)).build();
}
