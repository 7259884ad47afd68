/**
 * Information systems: systems by security level (1-5, Decree 85/2016), approved and with the
 * protection plan deployed, the registry table, and systems that agents declare but the
 * registry lacks (unclassified: they count against indicator 11).
 */
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { SYSTEM_NAME, UNIT_NAME, BY_SYSTEM, BY_UNIT, Ctx, merge, q, reduceLast, rename, type Lang } from './common.js';

/** The latest point of each system in range (one series per system: level is a field). */
const latest = (fields: string) => `SELECT ${fields} FROM "system" WHERE ${BY_UNIT} AND ${BY_SYSTEM} AND $timeFilter GROUP BY "unit", "system"`;

/** The same with the names the tables show (unit_name, system_name tags). */
const latestNamed = (fields: string) => `SELECT ${fields} FROM "system" WHERE ${BY_UNIT} AND ${BY_SYSTEM} AND $timeFilter GROUP BY ${UNIT_NAME}, ${SYSTEM_NAME}`;

/** Systems whose latest value of `field` matches `cond`, counted as `alias`. */
const countWhere = (refId: string, field: string, cond: string, alias: string) => q(refId, `SELECT count("${field}") AS "${alias}" FROM (${latest(`last("${field}") AS "${field}"`)})${cond ? ` WHERE "${field}" ${cond}` : ''}`);

const byLevel = (c: Ctx) => {
  const p = new bargauge.PanelBuilder()
    .title(c.t({ vi: 'Hệ thống theo cấp độ', en: 'Systems by security level' }))
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .reduceOptions(reduceLast())
    .min(0)
    .noValue('0')
    .span(12)
    .height(8);
  for (let level = 0; level <= 5; level++) {
    const name = level === 0 ? c.t({ vi: 'Chưa xác định cấp độ', en: 'Level not determined' }) : c.t({ vi: `Cấp độ ${level}`, en: `Level ${level}` });
    p.withTarget(countWhere(String.fromCharCode(65 + level), 'level', `= ${level}`, `level_${level}`)).overrideByName(`level_${level}`, [{ id: 'displayName', value: name }]);
  }
  return p;
};

const status = (c: Ctx) =>
  new stat.PanelBuilder()
    .title(c.t({ vi: 'Phê duyệt cấp độ và triển khai phương án', en: 'Level approved and protection plan deployed' }))
    .withTarget(countWhere('A', 'level', '', 'total'))
    .withTarget(countWhere('B', 'approved', '= true', 'approved'))
    .withTarget(countWhere('C', 'plan_deployed', '= true', 'plan_deployed'))
    .withTarget(countWhere('D', 'classified', '= true', 'classified'))
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
    ? {
        Time: 'Cập nhật',
        unit_name: 'Đơn vị',
        system: 'Mã hệ thống',
        level: 'Cấp độ (0: chưa xác định)',
        registered: 'Có trong danh mục',
        system_name: 'Tên hệ thống',
        approved: 'Đã phê duyệt',
        plan_deployed: 'Đã triển khai phương án',
        classified: 'Đạt chỉ tiêu',
        hosts: 'Số máy',
      }
    : {
        Time: 'Updated',
        unit_name: 'Unit',
        system: 'System id',
        level: 'Level (0: not determined)',
        registered: 'In registry',
        system_name: 'Name',
        approved: 'Approved',
        plan_deployed: 'Plan deployed',
        classified: 'Meets indicator',
        hosts: 'Hosts',
      };
/** The unit id and the name field stand behind the name tags. */
const HIDDEN = ['unit', 'name'];

const COLUMNS = ['name', 'level', 'registered', 'approved', 'plan_deployed', 'classified', 'hosts'];
const FIELDS = COLUMNS.map((f) => `last("${f}") AS "${f}"`).join(', ');

const registry = (c: Ctx) =>
  new table.PanelBuilder()
    .title(c.t({ vi: 'Danh mục hệ thống thông tin', en: 'Registry of information systems' }))
    .withTarget(q('A', latestNamed(FIELDS)).table())
    .withTransformation(merge)
    .withTransformation(rename(names(c), HIDDEN))
    .span(24)
    .height(10);

const unclassified = (c: Ctx) =>
  new table.PanelBuilder()
    .title(c.t({ vi: 'Hệ thống do agent khai báo nhưng chưa có trong danh mục (chưa phân loại)', en: 'Systems declared by agents but not in the registry (unclassified)' }))
    .withTarget(q('A', `SELECT ${COLUMNS.map((f) => `"${f}" AS "${f}"`).join(', ')} FROM (${latestNamed(FIELDS)}) WHERE "registered" = false GROUP BY ${UNIT_NAME}, ${SYSTEM_NAME}`).table())
    .withTransformation(merge)
    .withTransformation(rename(names(c), HIDDEN))
    .span(24)
    .height(8);

export function systems(lang: Lang): dashboard.Dashboard {
  const c = new Ctx(lang);
  return c.dashboard('posture-systems', { vi: 'Posture: Hệ thống thông tin', en: 'Posture: Information systems' }).withPanel(byLevel(c)).withPanel(status(c)).withPanel(registry(c)).withPanel(unclassified(c)).build();
}
