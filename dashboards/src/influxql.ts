/**
 * A small InfluxQL target builder: the Grafana Foundation SDK (0.0.21) has no InfluxDB query
 * module, so this builds the target Grafana's InfluxDB datasource stores for a raw InfluxQL
 * query (`rawQuery: true`), the way the SDK's custom-query example does.
 *
 * Queries are written by hand, with every identifier double-quoted ("measurement", "field",
 * "tag") so that tests can check each one against what the collector writes.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as common from '@grafana/grafana-foundation-sdk/common';

export type ResultFormat = 'time_series' | 'table';

/** The JSON Grafana keeps for an InfluxQL target (plain types: tests derive a JSON Schema from it). */
export interface InfluxQLTarget {
  refId: string;
  /** The InfluxQL text, with Grafana macros ($timeFilter, $__interval) and template variables. */
  query: string;
  rawQuery: true;
  resultFormat: ResultFormat;
  /** Legend alias, e.g. "$tag_unit". */
  alias?: string;
  /** Same shape as the SDK's common.DataSourceRef. */
  datasource?: { type?: string; uid?: string };
  hide?: boolean;
}

export type InfluxQLQuery = InfluxQLTarget & cog.Dataquery;

export class InfluxQLBuilder implements cog.Builder<cog.Dataquery> {
  private readonly internal: InfluxQLQuery;

  constructor(query: string) {
    this.internal = {
      refId: 'A',
      query: query.replace(/\s+/g, ' ').trim(),
      rawQuery: true,
      resultFormat: 'time_series',
      _implementsDataqueryVariant() {},
    };
  }

  build(): InfluxQLQuery {
    return this.internal;
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  /** Table results (one row per series) instead of time series. */
  table(): this {
    this.internal.resultFormat = 'table';
    return this;
  }

  alias(alias: string): this {
    this.internal.alias = alias;
    return this;
  }

  datasource(ref: common.DataSourceRef): this {
    this.internal.datasource = ref;
    return this;
  }
}

/** `influxql("SELECT ...")`: a time-series target; chain `.table()` for table results. */
export const influxql = (query: string): InfluxQLBuilder => new InfluxQLBuilder(query);
