/**
 * Endpoints: hosts not protected (with the agent's reasons), products by number of hosts,
 * signature age distribution, and stale hosts (no report for $stale, which the collector counts
 * as not protected).
 */
import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as histogram from '@grafana/grafana-foundation-sdk/histogram';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { UNIT_NAME, BY_HOST_SYSTEM, BY_UNIT, Ctx, badFrom, keepWhere, merge, q, reduceLast, rename, sortBy, type Lang } from './common.js';

/** The latest point of each host in range, as a subquery other queries count over. */
const latestHost = (fields: string) => `SELECT ${fields} FROM "host" WHERE ${BY_UNIT} AND ${BY_HOST_SYSTEM} AND $timeFilter GROUP BY "unit", "hostname", "agent_id"`;

/** A count where any is bad: green at 0, red from 1. */
const badCount = (title: string, query: string, height: number) => new stat.PanelBuilder().title(title).withTarget(q('A', query)).reduceOptions(reduceLast()).thresholds(badFrom(1)).noValue('0').span(6).height(height);

const counts = (c: Ctx) => badCount(c.t({ vi: 'Máy chưa được bảo vệ', en: 'Hosts not protected' }), `SELECT count("protected") AS "unprotected" FROM (${latestHost('last("protected") AS "protected"')}) WHERE "protected" = false`, 6);

const unprotected = (c: Ctx) =>
  new table.PanelBuilder()
    .title(c.t({ vi: 'Máy chưa được bảo vệ và lý do', en: 'Hosts not protected, with reasons' }))
    .withTarget(q('A', latestHost('last("protected") AS "protected", last("protection_reason") AS "reason", last("products") AS "products", last("min_signature_age_h") AS "signature_age_h"')).table())
    .withTransformation(merge)
    .withTransformation(keepWhere('protected', false))
    .withTransformation(
      rename(
        c.lang === 'vi'
          ? { Time: 'Báo cáo lúc', unit: 'Đơn vị', hostname: 'Tên máy', agent_id: 'Agent', protected: 'Được bảo vệ', reason: 'Lý do', products: 'Số sản phẩm', signature_age_h: 'Tuổi mẫu nhận diện (giờ)' }
          : { Time: 'Reported at', unit: 'Unit', hostname: 'Host', agent_id: 'Agent', protected: 'Protected', reason: 'Reason', products: 'Products', signature_age_h: 'Signature age (h)' },
      ),
    )
    .span(18)
    .height(10);

const products = (c: Ctx) =>
  new barchart.PanelBuilder()
    .title(c.t({ vi: 'Sản phẩm bảo vệ theo số máy', en: 'Protection products by number of hosts' }))
    .withTarget(q('A', `SELECT count("installed") AS "installed" FROM (SELECT last("installed") AS "installed" FROM "protection_product" WHERE ${BY_UNIT} AND $timeFilter GROUP BY "agent_id", "product") GROUP BY "product"`).table())
    .withTarget(
      q('B', `SELECT count("protects") AS "protecting" FROM (SELECT last("protects") AS "protects" FROM "protection_product" WHERE ${BY_UNIT} AND $timeFilter GROUP BY "agent_id", "product") WHERE "protects" = true GROUP BY "product"`).table(),
    )
    .withTransformation({ id: 'joinByField', options: { byField: 'product', mode: 'outer' } })
    .withTransformation(rename(c.lang === 'vi' ? { product: 'Sản phẩm', installed: 'Đã cài đặt', protecting: 'Đang bảo vệ' } : { product: 'Product', installed: 'Installed', protecting: 'Protecting' }))
    .xField(c.t({ vi: 'Sản phẩm', en: 'Product' }))
    .orientation(common.VizOrientation.Horizontal)
    .showValue(common.VisibilityMode.Always)
    .span(12)
    .height(9);

const signatureAge = (c: Ctx) =>
  new histogram.PanelBuilder()
    .title(c.t({ vi: 'Phân bố tuổi mẫu nhận diện (giờ)', en: 'Signature age distribution (hours)' }))
    .withTarget(q('A', `SELECT last("signature_age_h") AS "signature_age_h" FROM "protection_product" WHERE ${BY_UNIT} AND $timeFilter GROUP BY "agent_id", "product"`).table())
    .withTransformation(merge)
    .bucketSize(24)
    .unit('h')
    .span(12)
    .height(9);

/** Hosts whose last report in range is older than $stale: the outer time condition applies to each host's last point. */
const staleHosts = (fields: string) => `SELECT ${fields} FROM (${latestHost('last("collect_ms") AS "collect_ms", last("protected") AS "protected"')}) WHERE time < now() - $stale`;

const staleCount = (c: Ctx) =>
  badCount(c.t({ vi: 'Máy quá hạn báo cáo', en: 'Stale hosts' }), staleHosts('count("collect_ms") AS "stale"'), 10).description(
    c.t({ vi: 'Máy không báo cáo trong khoảng $stale; collector tính các máy này là chưa được bảo vệ.', en: 'Hosts without a report for $stale; the collector counts them as not protected.' }),
  );

const staleTable = (c: Ctx) =>
  new table.PanelBuilder()
    .title(c.t({ vi: 'Máy quá hạn báo cáo (cũ nhất trước)', en: 'Stale hosts (oldest first)' }))
    .withTarget(q('A', `${staleHosts('"collect_ms" AS "collect_ms", "protected" AS "protected"')} GROUP BY ${UNIT_NAME}, "hostname", "agent_id"`).table())
    .withTransformation(merge)
    .withTransformation(sortBy('Time'))
    .withTransformation(
      rename(
        c.lang === 'vi'
          ? { Time: 'Báo cáo cuối', unit_name: 'Đơn vị', hostname: 'Tên máy', agent_id: 'Agent', collect_ms: 'Thời gian thu thập (ms)', protected: 'Được bảo vệ (lần cuối)' }
          : { Time: 'Last report', unit_name: 'Unit', hostname: 'Host', agent_id: 'Agent', collect_ms: 'Collection time (ms)', protected: 'Protected (last report)' },
        ['unit'],
      ),
    )
    .overrideByName(c.t({ vi: 'Báo cáo cuối', en: 'Last report' }), [{ id: 'unit', value: 'dateTimeFromNow' }])
    .span(18)
    .height(10);

const staleVariable = (c: Ctx) =>
  new dashboard.CustomVariableBuilder('stale')
    .label(c.t({ vi: 'Quá hạn sau', en: 'Stale after' }))
    .values('15m,1h,6h,24h')
    .options(['15m', '1h', '6h', '24h'].map((v) => ({ text: v, value: v, selected: v === '1h' })))
    .current({ text: '1h', value: '1h' });

export function endpoints(lang: Lang): dashboard.Dashboard {
  const c = new Ctx(lang);
  return c
    .dashboard('posture-endpoints', { vi: 'Posture: Thiết bị đầu cuối', en: 'Posture: Endpoints' })
    .withPanel(counts(c))
    .withPanel(unprotected(c))
    .withPanel(products(c))
    .withPanel(signatureAge(c))
    .withPanel(staleCount(c))
    .withPanel(staleTable(c))
    .withVariable(staleVariable(c))
    .build();
}
