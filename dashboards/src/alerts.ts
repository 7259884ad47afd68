/**
 * Optional Grafana alert rules mirroring the collector's indicators: one multi-dimensional rule
 * per indicator that fires for each scope (the ministry and each unit) whose last ratio is
 * below the target for 30 minutes. Use them when the team alerts from Grafana instead of (or
 * besides) the collector's own Alertmanager/webhook/e-mail sinks; do not enable both to the
 * same receivers or every alert arrives twice.
 */
import * as alerting from '@grafana/grafana-foundation-sdk/alerting';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { DATASOURCE, type Lang } from './common.js';
import { influxql } from './influxql.js';
import { INDICATORS } from './indicators.js';

/** A Grafana server-side expression (reduce, threshold) as a query model. */
class Expr implements cog.Builder<cog.Dataquery> {
  constructor(private readonly model: Record<string, unknown>) {}
  build(): cog.Dataquery {
    return { ...this.model, _implementsDataqueryVariant() {} };
  }
}

const EXPR_UID = '__expr__';

export const ALERT_QUERY = (indicator: string) => `SELECT last("ratio") AS "ratio" FROM "indicator" WHERE "indicator" = '${indicator}' AND $timeFilter GROUP BY "scope", "unit"`;

/** The provisioning file (provisioning/alerting/posture.yaml) as an object. */
export function alertRules(lang: Lang): { apiVersion: 1; groups: unknown[] } {
  const rules = INDICATORS.map((ind) => {
    const pct = `${Math.round(ind.target * 100)}%`;
    const rule = new alerting.RuleBuilder(ind.title[lang])
      .uid(`posture-${ind.id}`.slice(0, 40))
      .condition('C')
      .withQuery(
        new alerting.QueryBuilder('A')
          .datasourceUid(DATASOURCE.uid!)
          .relativeTimeRange({ from: 3600, to: 0 })
          .model(influxql(ALERT_QUERY(ind.id)).refId('A').datasource(DATASOURCE)),
      )
      .withQuery(new alerting.QueryBuilder('B').datasourceUid(EXPR_UID).model(new Expr({ refId: 'B', type: 'reduce', expression: 'A', reducer: 'last', datasource: { type: '__expr__', uid: EXPR_UID } })))
      .withQuery(
        new alerting.QueryBuilder('C').datasourceUid(EXPR_UID).model(new Expr({ refId: 'C', type: 'threshold', expression: 'B', conditions: [{ evaluator: { type: 'lt', params: [ind.target] } }], datasource: { type: '__expr__', uid: EXPR_UID } })),
      )
      .forDuration('30m')
      .noDataState('NoData')
      .execErrState('Error')
      .labels({ indicator: ind.id, severity: 'critical', source: 'grafana' })
      .annotations({
        summary:
          lang === 'vi'
            ? `Chỉ tiêu ${ind.tt} dưới mục tiêu ${pct} ({{ $labels.scope }} {{ $labels.unit }}): {{ humanizePercentage $values.B.Value }}`
            : `Indicator ${ind.tt} below its ${pct} target ({{ $labels.scope }} {{ $labels.unit }}): {{ humanizePercentage $values.B.Value }}`,
      })
      .build();
    // The provisioning file takes the rule without the API-only fields.
    const { uid, title, condition, data, noDataState, execErrState, labels, annotations } = rule;
    return { uid, title, condition, data, noDataState, execErrState, for: rule.for, labels, annotations };
  });
  return { apiVersion: 1, groups: [{ orgId: 1, name: 'posture-indicators', folder: 'Posture', interval: '5m', rules }] };
}
