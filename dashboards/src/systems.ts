/**
 * Information systems: systems by security level (1-5, Decree 85/2016), approved and with the
 * protection plan deployed, the registry table, and systems that agents declare but the
 * registry lacks (unclassified: they count against indicator 11).
 */
import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { BY_SYSTEM, BY_UNIT, Ctx, merge, q, reduceLast, rename, sortBy, type Lang } from './common.js';

/** The latest point of each system in range. */
const latest = (fields: string, extra = '') => `SELECT ${fields} FROM "system" WHERE ${BY_UNIT} AND ${BY_SYSTEM}${extra} AND $timeFilter GROUP BY "unit", "system", "level", "registered"`;

const byLevel = (c: Ctx) =>
  new barchart.PanelBuilder()
    .title(c.t({ vi: 'Hệ thống theo cấp độ', en: 'Systems by security level' }))
    .description(c.t({ vi: '"none": chưa xác định cấp độ', en: '"none": level not determined' }))
    .withTarget(q('A', `SELECT count("level") AS "systems" FROM (${latest('last("level") AS "level"')}) GROUP BY "level"`).table())
    .withTransformation(merge)
    .withTransformation(sortBy('level'))
    .withTransformation(rename(c.lang === 'vi' ? { level: 'Cấp độ', systems: 'Số hệ thống' } : { level: 'Level', systems: 'Systems' }))
    .xField(c.t({ vi: 'Cấp độ', en: 'Level' }))
    .showValue(common.VisibilityMode.Always)
    .span(12)
    .height(8);

const countWhere = (refId: string, field: string, alias: string) =>
  q(refId, `SELECT count("${field}") AS "${alias}" FROM (${latest(`last("${field}") AS "${field}"`)}) WHERE "${field}" = true`);

const status = (c: Ctx) =>
  new stat.PanelBuilder()
    .title(c.t({ vi: 'Phê duyệt cấp độ và triển khai phương án', en: 'Level approved and protection plan deployed' }))
    .withTarget(q('A', `SELECT count("level") AS "total" FROM (${latest('last("level") AS "level"')})`))
    .withTarget(countWhere('B', 'approved', 'approved'))
    .withTarget(countWhere('C', 'plan_deployed', 'plan_deployed'))
    .withTarget(countWhere('D', 'classified', 'classified'))
    .withTransformation(
      rename(
        c.lang === 'vi'
          ? { total: 'Tổng số hệ thống', approved: 'Đã phê duyệt cấp độ', plan_deployed: 'Đã triển khai phương án', classified: 'Đạt chỉ tiêu 11' }
          : { total: 'Systems', approved: 'Level approved', plan_deployed: 'Plan deployed', classified: 'Meets indicator 11' },
      ),
    )
    .reduceOptions(reduceLast())
    .noValue('0')
    .span(12)
    .height(8);

const names = (c: Ctx) =>
  c.lang === 'vi'
    ? { Time: 'Cập nhật', unit: 'Đơn vị', system: 'Mã hệ thống', level: 'Cấp độ', registered: 'Có trong danh mục', name: 'Tên hệ thống', approved: 'Đã phê duyệt', plan_deployed: 'Đã triển khai phương án', classified: 'Đạt chỉ tiêu', hosts: 'Số máy' }
    : { Time: 'Updated', unit: 'Unit', system: 'System id', level: 'Level', registered: 'In registry', name: 'Name', approved: 'Approved', plan_deployed: 'Plan deployed', classified: 'Meets indicator', hosts: 'Hosts' };

const FIELDS = 'last("name") AS "name", last("approved") AS "approved", last("plan_deployed") AS "plan_deployed", last("classified") AS "classified", last("hosts") AS "hosts"';

const registry = (c: Ctx) =>
  new table.PanelBuilder()
    .title(c.t({ vi: 'Danh mục hệ thống thông tin', en: 'Registry of information systems' }))
    .withTarget(q('A', latest(FIELDS)).table())
    .withTransformation(merge)
    .withTransformation(rename(names(c)))
    .span(24)
    .height(10);

const unclassified = (c: Ctx) =>
  new table.PanelBuilder()
    .title(c.t({ vi: 'Hệ thống do agent khai báo nhưng chưa có trong danh mục (chưa phân loại)', en: 'Systems declared by agents but not in the registry (unclassified)' }))
    .withTarget(q('A', latest(FIELDS, ` AND "registered" = 'no'`)).table())
    .withTransformation(merge)
    .withTransformation(rename(names(c)))
    .span(24)
    .height(8);

export function systems(lang: Lang): dashboard.Dashboard {
  const c = new Ctx(lang);
  return c
    .dashboard('posture-systems', { vi: 'Posture: Hệ thống thông tin', en: 'Posture: Information systems' })
    .withPanel(byLevel(c))
    .withPanel(status(c))
    .withPanel(registry(c))
    .withPanel(unclassified(c))
    .build();
}
