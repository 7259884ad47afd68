/**
 * IPv6: readiness level of hosts by unit (none, address, routed, dual-stack services, ready),
 * the hosts with their level, and the status of the portals (systems tagged `portal`), which
 * the directive wants on IPv6 first.
 */
import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { SYSTEM_NAME, UNIT_NAME, BY_HOST_SYSTEM, BY_SYSTEM, BY_UNIT, Ctx, keepWhere, merge, q, rename, sortBy, type Lang, type Text } from './common.js';

/** ipv6_level values: the index of the readiness in protocol's IPV6_LEVELS. */
export const LEVELS: readonly { level: number; name: string; label: Text }[] = [
  { level: 0, name: 'none', label: { vi: 'Chưa có IPv6', en: 'None' } },
  { level: 1, name: 'address', label: { vi: 'Có địa chỉ', en: 'Address' } },
  { level: 2, name: 'routed', label: { vi: 'Có định tuyến', en: 'Routed' } },
  { level: 3, name: 'dual-stack-services', label: { vi: 'Dịch vụ song ngăn xếp', en: 'Dual-stack services' } },
  { level: 4, name: 'ready', label: { vi: 'Sẵn sàng', en: 'Ready' } },
];

const latestLevel = `SELECT last("ipv6_level") AS "ipv6_level" FROM "host" WHERE ${BY_UNIT} AND ${BY_HOST_SYSTEM} AND $timeFilter GROUP BY ${UNIT_NAME}, "agent_id"`;

const byUnit = (c: Ctx) => {
  const p = new barchart.PanelBuilder()
    .title(c.t({ vi: 'Mức sẵn sàng IPv6 theo đơn vị (số máy)', en: 'IPv6 readiness level by unit (hosts)' }))
    .xField('unit_name')
    .stacking(common.StackingMode.Normal)
    .orientation(common.VizOrientation.Horizontal)
    .showValue(common.VisibilityMode.Auto)
    .span(14)
    .height(10);
  for (const l of LEVELS) {
    p.withTarget(q(String.fromCharCode(65 + l.level), `SELECT count("ipv6_level") AS "${l.name}" FROM (${latestLevel}) WHERE "ipv6_level" = ${l.level} GROUP BY ${UNIT_NAME}`).table());
  }
  return p
    .withTransformation({ id: 'joinByField', options: { byField: 'unit_name', mode: 'outer' } })
    .withTransformation(rename(Object.fromEntries(LEVELS.map((l) => [l.name, c.t(l.label)])), ['unit']));
};

const hosts = (c: Ctx) =>
  new table.PanelBuilder()
    .title(c.t({ vi: 'Máy chủ và mức sẵn sàng IPv6', en: 'Hosts and their IPv6 readiness' }))
    .withTarget(q('A', `SELECT last("ipv6_readiness") AS "ipv6_readiness", last("ipv6_level") AS "ipv6_level" FROM "host" WHERE ${BY_UNIT} AND ${BY_HOST_SYSTEM} AND $timeFilter GROUP BY ${UNIT_NAME}, "hostname"`).table())
    .withTransformation(merge)
    .withTransformation(sortBy('ipv6_level'))
    .withTransformation(
      rename(
        c.lang === 'vi'
          ? { Time: 'Báo cáo lúc', unit_name: 'Đơn vị', hostname: 'Tên máy', ipv6_readiness: 'Mức sẵn sàng', ipv6_level: 'Mức (0-4)' }
          : { Time: 'Reported at', unit_name: 'Unit', hostname: 'Host', ipv6_readiness: 'Readiness', ipv6_level: 'Level (0-4)' },
        ['unit'],
      ),
    )
    .span(10)
    .height(10);

const portalsQuery = `SELECT last("name") AS "name", last("hosts") AS "hosts", last("ipv6_ready_hosts") AS "ipv6_ready_hosts", last("ipv6_ready") AS "ipv6_ready" FROM "system" WHERE "portal" = 'yes' AND ${BY_UNIT} AND ${BY_SYSTEM} AND $timeFilter GROUP BY ${UNIT_NAME}, ${SYSTEM_NAME}`;

const portalNames = (c: Ctx) =>
  c.lang === 'vi'
    ? { Time: 'Cập nhật', unit_name: 'Đơn vị', system: 'Mã hệ thống', system_name: 'Cổng thông tin', hosts: 'Số máy chủ', ipv6_ready_hosts: 'Máy sẵn sàng IPv6', ipv6_ready: 'Sẵn sàng IPv6' }
    : { Time: 'Updated', unit_name: 'Unit', system: 'System id', system_name: 'Portal', hosts: 'Hosts', ipv6_ready_hosts: 'IPv6-ready hosts', ipv6_ready: 'IPv6 ready' };
/** Id columns a name column stands for (the name field of older points too). */
const PORTAL_HIDDEN = ['unit', 'name'];

const portals = (c: Ctx) =>
  new table.PanelBuilder()
    .title(c.t({ vi: 'Cổng thông tin: tình trạng IPv6', en: 'Portals: IPv6 status' }))
    .description(c.t({ vi: 'Một cổng sẵn sàng khi mọi máy chủ phục vụ cổng đều ở mức "ready".', en: 'A portal is ready when every host serving it is at level "ready".' }))
    .withTarget(q('A', portalsQuery).table())
    .withTransformation(merge)
    .withTransformation(rename(portalNames(c), PORTAL_HIDDEN))
    .span(14)
    .height(8);

const portalsNotReady = (c: Ctx) =>
  new table.PanelBuilder()
    .title(c.t({ vi: 'Cổng thông tin chưa sẵn sàng IPv6', en: 'Portals not IPv6 ready' }))
    .withTarget(q('A', portalsQuery).table())
    .withTransformation(merge)
    .withTransformation(keepWhere('ipv6_ready', false))
    .withTransformation(rename(portalNames(c), PORTAL_HIDDEN))
    .span(10)
    .height(8);

export function ipv6(lang: Lang): dashboard.Dashboard {
  const c = new Ctx(lang);
  return c.dashboard('posture-ipv6', { vi: 'Posture: Sẵn sàng IPv6', en: 'Posture: IPv6 readiness' }).withPanel(byUnit(c)).withPanel(hosts(c)).withPanel(portals(c)).withPanel(portalsNotReady(c)).build();
}
