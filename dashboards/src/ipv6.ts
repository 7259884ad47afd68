/**
 * IPv6: readiness level of hosts by unit (none, address, routed, dual-stack services, ready),
 * the hosts with their level, the portals (systems tagged `portal`, which the directive wants on
 * IPv6 first) as the public sees them over IPv6 (the collector's portal prober: level and each
 * criterion), and the portals' hosts' view.
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
  return p.withTransformation({ id: 'joinByField', options: { byField: 'unit_name', mode: 'outer' } }).withTransformation(rename(Object.fromEntries(LEVELS.map((l) => [l.name, c.t(l.label)])), ['unit']));
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
    .title(c.t({ vi: 'Cổng thông tin: máy chủ sẵn sàng IPv6 (agent)', en: 'Portals: hosts IPv6-ready (agents)' }))
    .description(
      c.t({
        vi: 'Góc nhìn từ máy chủ (agent): mọi máy chủ phục vụ cổng ở mức "ready". Chỉ tiêu ipv6_portals tính theo phép đo từ bên ngoài (bảng trên).',
        en: 'The hosts\' view (agents): every host serving the portal at level "ready". The ipv6_portals indicator counts the outside view (table above).',
      }),
    )
    .withTarget(q('A', portalsQuery).table())
    .withTransformation(merge)
    .withTransformation(rename(portalNames(c), PORTAL_HIDDEN))
    .span(14)
    .height(8);

const portalsNotReady = (c: Ctx) =>
  new table.PanelBuilder()
    .title(c.t({ vi: 'Cổng thông tin có máy chủ chưa sẵn sàng IPv6 (agent)', en: 'Portals with hosts not IPv6-ready (agents)' }))
    .description(
      c.t({
        vi: 'Góc nhìn từ máy chủ. Cổng chưa sẵn sàng theo chỉ tiêu (đo từ bên ngoài): bảng "IPv6 đo từ bên ngoài", cột Sẵn sàng.',
        en: 'The hosts\' view. Portals not ready for the indicator (outside view): the "measured from outside" table, column Ready.',
      }),
    )
    .withTarget(q('A', portalsQuery).table())
    .withTransformation(merge)
    .withTransformation(keepWhere('ipv6_ready', false))
    .withTransformation(rename(portalNames(c), PORTAL_HIDDEN))
    .span(10)
    .height(8);

// The portal prober (collector src/portals/): measurements portal and portal_check.
const outsideQuery = `SELECT last("level") AS "level", last("level_no") AS "level_no", last("ready") AS "ready", last("checks_pass") AS "checks_pass", last("checks_fail") AS "checks_fail", last("checks_unreachable") AS "checks_unreachable", last("blocking") AS "blocking", last("probe_ms") AS "probe_ms" FROM "portal" WHERE ${BY_UNIT} AND ${BY_SYSTEM} AND $timeFilter GROUP BY ${UNIT_NAME}, ${SYSTEM_NAME}`;

const portalsOutside = (c: Ctx) =>
  new table.PanelBuilder()
    .title(c.t({ vi: 'Cổng thông tin: IPv6 đo từ bên ngoài', en: 'Portals: IPv6 measured from outside' }))
    .description(
      c.t({
        vi: 'Như người dân dùng mạng chỉ có IPv6: máy chủ tên miền, web, cùng nội dung, chứng thư số, mã HTTP, máy chủ thư (tiêu chí Internet.nl). Chỉ tiêu ipv6_portals tính cổng ở mức "ready".',
        en: 'As a citizen on an IPv6-only network sees it: name servers, web, same content, certificate, HTTP status, mail (Internet.nl criteria). The ipv6_portals indicator counts portals at level "ready".',
      }),
    )
    .withTarget(q('A', outsideQuery).table())
    .withTransformation(merge)
    .withTransformation(sortBy('level_no'))
    .withTransformation(
      rename(
        c.lang === 'vi'
          ? {
              Time: 'Đo lúc',
              unit_name: 'Đơn vị',
              system_name: 'Hệ thống',
              system: 'Mã hệ thống',
              level: 'Mức',
              level_no: 'Mức (-1..4)',
              ready: 'Sẵn sàng',
              checks_pass: 'Tiêu chí đạt',
              checks_fail: 'Không đạt',
              checks_unreachable: 'Không đo được',
              blocking: 'Vướng (mã lý do)',
              probe_ms: 'Thời gian đo (ms)',
            }
          : {
              Time: 'Probed at',
              unit_name: 'Unit',
              system_name: 'System',
              system: 'System id',
              level: 'Level',
              level_no: 'Level (-1..4)',
              ready: 'Ready',
              checks_pass: 'Criteria passed',
              checks_fail: 'Failed',
              checks_unreachable: 'Not measured',
              blocking: 'Blocking (reason codes)',
              probe_ms: 'Probe time (ms)',
            },
        ['unit'],
      ),
    )
    .span(24)
    .height(8);

/** One row per portal, one column per criterion (Grafana's grouping-to-matrix of the last status). */
const portalCriteria = (c: Ctx) =>
  new table.PanelBuilder()
    .title(c.t({ vi: 'Cổng thông tin: từng tiêu chí IPv6', en: 'Portals: each IPv6 criterion' }))
    .description(c.t({ vi: 'pass: đạt, fail: không đạt, unreachable: không đo được, n/a: không áp dụng.', en: 'pass, fail, unreachable (could not be measured), n/a (does not apply).' }))
    .withTarget(q('A', `SELECT last("status") AS "status" FROM "portal_check" WHERE ${BY_UNIT} AND ${BY_SYSTEM} AND $timeFilter GROUP BY ${UNIT_NAME}, ${SYSTEM_NAME}, "criterion"`).table())
    .withTransformation(merge)
    .withTransformation({ id: 'groupingToMatrix', options: { columnField: 'criterion', rowField: 'system_name', valueField: 'status' } })
    .span(24)
    .height(8);

export function ipv6(lang: Lang): dashboard.Dashboard {
  const c = new Ctx(lang);
  return c
    .dashboard('posture-ipv6', { vi: 'Posture: Sẵn sàng IPv6', en: 'Posture: IPv6 readiness' })
    .withPanel(byUnit(c))
    .withPanel(hosts(c))
    .withPanel(portalsOutside(c))
    .withPanel(portalCriteria(c))
    .withPanel(portals(c))
    .withPanel(portalsNotReady(c))
    .build();
}
