/**
 * The appendix report as JSON: the report model with a format tag. It keeps the fields of the
 * evaluation (indicators[].ministry, units[].scope/pass/total/ratio/met, failing[]) so that
 * scripts written against the first /api/v1/report keep working: `failing[].reasons` and
 * `portalsNotReady[].reasons` stay lists of strings (now rendered in the requested language),
 * and the codes they come from are beside them in `reasonCodes` ({code, params, evidence?}).
 */
import { randomUUID } from 'node:crypto';
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

/** Failing members written between two pauses: 2,000 entries (with their reasons rendered) are ~10 ms of the event loop. */
const SLICE = 2000;

/**
 * The same text as JSON.stringify(toJson(r, lang)), made a slice of failing members at a time
 * with `pause()` between slices: at 100,000 hosts the failing lists are 3 MB of JSON, ~100 ms
 * of the event loop (every agent's report waits) rendered in one go. The object without its
 * failing lists is written by JSON.stringify with a marker in place of each list (a random
 * one: no text an agent sends can be taken for it); each list is written where its marker is.
 */
export async function jsonText(r: AppendixReport, lang: Lang, pause: () => Promise<void>, slice = SLICE): Promise<string> {
  const mark = `failing-${randomUUID()}-`;
  // toJson's object, key for key, with a marker in place of each failing list.
  const shell = JSON.stringify({
    format: JSON_FORMAT,
    ...r,
    indicators: r.indicators.map((i, n) => ({ ...i, failing: mark + String(n) })),
    portalsNotReady: r.portalsNotReady?.map((p) => texts(p, lang)) ?? null,
  });
  const parts: string[] = [];
  let from = 0;
  for (const m of shell.matchAll(new RegExp(`"${mark}(\\d+)"`, 'g'))) {
    parts.push(shell.slice(from, m.index));
    from = m.index + m[0].length;
    const list = r.indicators[Number(m[1])]!.failing;
    const items: string[] = [];
    for (let start = 0; start < list.length; start += slice) {
      if (start) await pause();
      items.push(
        list
          .slice(start, start + slice)
          .map((f) => JSON.stringify(texts(f, lang)))
          .join(','),
      );
    }
    parts.push(`[${items.join(',')}]`);
    await pause();
  }
  parts.push(shell.slice(from));
  return parts.join('');
}
