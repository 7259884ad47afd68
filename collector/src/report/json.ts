/**
 * The appendix report as JSON: the report model with a format tag. It keeps the fields of the
 * evaluation (indicators[].ministry, units[].scope/pass/total/ratio/met, failing[]) so that
 * scripts written against the first /api/v1/report keep working: `failing[].reasons` and
 * `portalsNotReady[].reasons` stay lists of strings (now rendered in the requested language),
 * and the codes they come from are beside them in `reasonCodes` ({code, params, evidence?}).
 */
import type { FailReason } from '../rules/reasons.js';
import { reason } from './i18n.js';
import type { AppendixReport, Lang } from './model.js';

export const JSON_FORMAT = 'posture.appendix/v1';

type WithTextReasons<T extends { reasons: FailReason[] }> = Omit<T, 'reasons'> & { reasons: string[]; reasonCodes: FailReason[] };
type Indicator = AppendixReport['indicators'][number];
type Portal = NonNullable<AppendixReport['portalsNotReady']>[number];

export type JsonReport = Omit<AppendixReport, 'indicators' | 'portalsNotReady'> & {
  format: typeof JSON_FORMAT;
  indicators: (Omit<Indicator, 'failing'> & { failing: WithTextReasons<Indicator['failing'][number]>[] })[];
  portalsNotReady: WithTextReasons<Portal>[] | null;
};

const texts = <T extends { reasons: FailReason[] }>(x: T, lang: Lang): WithTextReasons<T> => ({ ...x, reasons: x.reasons.map((r) => reason(r, lang)), reasonCodes: x.reasons });

export const toJson = (r: AppendixReport, lang: Lang = 'vi'): JsonReport => ({
  format: JSON_FORMAT,
  ...r,
  indicators: r.indicators.map((i) => ({ ...i, failing: i.failing.map((f) => texts(f, lang)) })),
  portalsNotReady: r.portalsNotReady?.map((p) => texts(p, lang)) ?? null,
});
