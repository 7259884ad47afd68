/**
 * What every Posture dashboard shares: the InfluxDB datasource reference, the language of the
 * titles, the unit and system template variables with their filters, and panel defaults.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { influxql, type InfluxQLBuilder } from './influxql.js';

export type Lang = 'vi' | 'en';
export const LANGS: readonly Lang[] = ['vi', 'en'];

/** A UI text in Vietnamese (default) and English. */
export interface Text {
  vi: string;
  en: string;
}

/** The datasource every panel uses; provisioning/datasources/posture.yaml creates it with this uid. */
export const DATASOURCE: common.DataSourceRef = { type: 'influxdb', uid: 'posture-influxdb' };

/**
 * Filters of the template variables, to put in a WHERE clause. $unit lists the units' names
 * (the unit_name tag: config units[].shortName or name), so people pick "Cục Hàng hải Việt Nam",
 * not CHHVN; its "All" value ".*" also keeps points written before the collector wrote names.
 */
export const BY_UNIT = `"unit_name" =~ /^$unit$/`;
/** Hosts carry their systems as ",a,b,"; the "All" value of $system is ".*", which keeps hosts without systems. */
export const BY_HOST_SYSTEM = `"systems" =~ /,$system,/`;
export const BY_SYSTEM = `"system" =~ /^$system$/`;

/** Per-dashboard context: language and a short translation helper. */
export class Ctx {
  constructor(readonly lang: Lang) {}

  t(text: Text): string {
    return text[this.lang];
  }

  /** The dashboard uid: Vietnamese dashboards keep the plain uid, English ones get "-en". */
  uid(base: string): string {
    return this.lang === 'vi' ? base : `${base}-en`;
  }

  /** A dashboard with the shared settings, tags and template variables. */
  dashboard(uid: string, title: Text, withSystem = true): dashboard.DashboardBuilder {
    const d = new dashboard.DashboardBuilder(this.t(title))
      .uid(this.uid(uid))
      .tags(['posture', this.lang])
      .editable()
      .timezone('browser')
      .refresh('5m')
      .time({ from: 'now-7d', to: 'now' })
      .tooltip(dashboard.DashboardCursorSync.Crosshair)
      .withVariable(this.unitVariable());
    if (withSystem) d.withVariable(this.systemVariable());
    return d;
  }

  unitVariable(): dashboard.QueryVariableBuilder {
    return new dashboard.QueryVariableBuilder('unit')
      .label(this.t({ vi: 'Đơn vị', en: 'Unit' }))
      .datasource(DATASOURCE)
      .query('SHOW TAG VALUES FROM "host" WITH KEY = "unit_name"')
      .definition('SHOW TAG VALUES FROM "host" WITH KEY = "unit_name"')
      .refresh(dashboard.VariableRefresh.OnDashboardLoad)
      .sort(dashboard.VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .allValue('.*')
      .current({ text: 'All', value: '$__all' });
  }

  systemVariable(): dashboard.QueryVariableBuilder {
    // System ids: hosts carry the systems they serve as ids (BY_HOST_SYSTEM); panels show the names.
    const q = `SHOW TAG VALUES FROM "system" WITH KEY = "system" WHERE ${BY_UNIT}`;
    return new dashboard.QueryVariableBuilder('system')
      .label(this.t({ vi: 'Hệ thống thông tin', en: 'Information system' }))
      .datasource(DATASOURCE)
      .query(q)
      .definition(q)
      .refresh(dashboard.VariableRefresh.OnDashboardLoad)
      .sort(dashboard.VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .allValue('.*')
      .current({ text: 'All', value: '$__all' });
  }
}

/** A target on the Posture datasource. */
export const q = (refId: string, query: string): InfluxQLBuilder => influxql(query).refId(refId).datasource(DATASOURCE);

/** Red below the target, green from it (ratios 0..1). */
export const targetThresholds = (target: number): dashboard.ThresholdsConfigBuilder =>
  new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
    { value: null, color: 'red' },
    { value: target, color: 'green' },
  ]);

/** Green at zero, red from `from` (counts where any is bad: unprotected hosts, rejected reports). */
export const badFrom = (from = 1): dashboard.ThresholdsConfigBuilder =>
  new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
    { value: null, color: 'green' },
    { value: from, color: 'red' },
  ]);

/**
 * Rename columns of a table panel (Grafana's "organize" transformation) into the dashboard's
 * language, and hide the id columns a name column stands for (`hide`).
 */
export const rename = (names: Record<string, string>, hide: readonly string[] = []): dashboard.DataTransformerConfig => ({
  id: 'organize',
  options: { renameByName: names, excludeByName: Object.fromEntries(hide.map((h) => [h, true])), indexByName: {} },
});

/**
 * Name tags the collector writes beside the ids (config units[].shortName or name, the
 * registry's system name): panels group by both and show the name; the unit filter uses the
 * name ($unit lists names), the system filter the id.
 */
export const UNIT_NAME = '"unit", "unit_name"';
export const SYSTEM_NAME = '"system", "system_name"';

/** Merge the per-series frames of a table query into one table. */
export const merge: dashboard.DataTransformerConfig = { id: 'merge', options: {} };

/** Keep rows whose `field` equals `value` (e.g. protected == false). */
export const keepWhere = (field: string, value: string | number | boolean): dashboard.DataTransformerConfig => ({
  id: 'filterByValue',
  options: {
    type: 'include',
    match: 'all',
    filters: [{ fieldName: field, config: { id: 'equal', options: { value } } }],
  },
});

/** Sort rows by a field. */
export const sortBy = (field: string, desc = false): dashboard.DataTransformerConfig => ({ id: 'sortBy', options: { sort: [{ field, desc }] } });

export const reduceLast = (fields?: string): common.ReduceDataOptionsBuilder => {
  const r = new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);
  return fields ? r.fields(fields) : r;
};

/** All rows of a table frame (bar gauges per unit). */
export const allRows = (fields: string): common.ReduceDataOptionsBuilder => new common.ReduceDataOptionsBuilder().values(true).calcs([]).fields(fields);
