/**
 * The indicators the Overview dashboard draws one row for, with their targets (gauge and bar
 * thresholds need a fixed number). Read from the rule files (rules/*.rules.yaml) when there are
 * any, else the built-in list below, which mirrors collector/src/rules/builtin.ts. The dashboard
 * integration test fails when the collector writes an indicator missing here, or the reverse.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { Text } from './common.js';

export interface IndicatorRef {
  /** The `indicator` tag the collector writes. */
  id: string;
  /** TT of the row in the directive's appendix table. */
  tt: number;
  title: Text;
  /** Ratio 0..1. */
  target: number;
}

const BUILTIN: readonly IndicatorRef[] = [
  {
    id: 'systems_classified',
    tt: 11,
    title: {
      vi: 'Tỷ lệ hệ thống thông tin được xác định cấp độ và triển khai phương án bảo vệ theo cấp độ',
      en: 'Information systems with a security level determined and its protection plan deployed',
    },
    target: 0.7,
  },
  {
    id: 'endpoint_protection',
    tt: 12,
    title: { vi: 'Tỷ lệ thiết bị đầu cuối được cài đặt giải pháp bảo vệ', en: 'Endpoints with a protection solution installed' },
    target: 0.9,
  },
];

export const RULES_DIR = resolve(import.meta.dirname, '../../rules');

interface RuleLike {
  indicator?: unknown;
  tt?: unknown;
  title?: unknown;
  target?: unknown;
}

/**
 * The indicators of the rule files (DESIGN 3.3: groups[].rules[] with indicator, title {vi, en},
 * target, and optionally tt), in file order; TT defaults to the position. Throws, naming the
 * file and rule, when a rule lacks what a dashboard needs.
 */
export function loadIndicators(dir = RULES_DIR): readonly IndicatorRef[] {
  if (!existsSync(dir)) return BUILTIN;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.rules.yaml'))
    .sort();
  if (!files.length) return BUILTIN;
  const out: IndicatorRef[] = [];
  for (const f of files) {
    const doc = parse(readFileSync(join(dir, f), 'utf8')) as { groups?: { rules?: RuleLike[] }[] } | null;
    for (const [gi, g] of (doc?.groups ?? []).entries()) {
      for (const [ri, r] of (g.rules ?? []).entries()) {
        if (typeof r.indicator !== 'string') continue; // not an indicator rule (e.g. a plain alert)
        const where = `${f}: groups[${gi}].rules[${ri}] (${r.indicator})`;
        const title = typeof r.title === 'string' ? { vi: r.title, en: r.title } : (r.title as Partial<Text> | undefined);
        if (!title?.vi || !title.en) throw new Error(`${where}: needs title: {vi, en} for the dashboards`);
        if (typeof r.target !== 'number' || r.target < 0 || r.target > 1) throw new Error(`${where}: needs a numeric target between 0 and 1 for the dashboards`);
        out.push({ id: r.indicator, tt: typeof r.tt === 'number' ? r.tt : out.length + 1, title: { vi: title.vi, en: title.en }, target: r.target });
      }
    }
  }
  if (!out.length) throw new Error(`no indicator rules found in ${dir}/*.rules.yaml: the dashboards need at least one`);
  return out.sort((a, b) => a.tt - b.tt);
}

export const INDICATORS: readonly IndicatorRef[] = loadIndicators();
