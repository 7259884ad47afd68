/**
 * Levels and profiles: which checks a security level requires and how a host stands against
 * each level. A check applies from its `level` up; a check whose requirement grows with the
 * level (mapping `minByLevel`, e.g. log retention 30/90/180/365 days at levels 2/3/4/5) is
 * judged once per level from the measured `value`, with one threshold per level.
 */
import type { BaselineCheck, CheckResult } from '@posture/protocol';
import type { Reason } from '@posture/protocol';
import type { CheckOutcome } from './check.js';
import type { MappingEntry } from './mapping.js';

export type LevelResult = NonNullable<BaselineCheck['byLevel']>[number];

/** The result at each level from the check's own up to 5, or null when it has no per-level minima. */
export function levelResults(entry: MappingEntry, o: CheckOutcome): LevelResult[] | null {
  const minima = entry.minByLevel;
  if (!minima || !Object.keys(minima).length) return null;
  const out: LevelResult[] = [];
  let threshold: number | undefined;
  for (let level = entry.level; level <= 5; level++) {
    // A level without its own entry keeps the nearest lower one.
    threshold = minima[String(level)] ?? threshold;
    if (threshold === undefined) continue;
    const result: CheckResult = o.result === 'unknown' && o.value === undefined ? 'unknown' : o.value === undefined ? o.result : o.value >= threshold ? 'pass' : o.result === 'unknown' ? 'unknown' : 'fail';
    out.push({ level, result, threshold });
  }
  return out;
}

/** The catalogue code of a check's result: one code per failing check, one for unreadable state. */
export function reasonFor(id: string, result: CheckResult, o: CheckOutcome): Reason | null {
  if (result === 'pass') return null;
  if (result === 'unknown') return { code: 'BASELINE_NOT_READ', params: { what: id } };
  return { code: failCode(id), params: { check: id, ...(o.value !== undefined ? { value: o.value } : {}) } };
}

/** BASELINE_FAIL_ + the check id in capitals (ssh.root_login -> BASELINE_FAIL_SSH_ROOT_LOGIN). */
export const failCode = (id: string) => `BASELINE_FAIL_${id.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`.slice(0, 64);

export interface LevelProfile {
  level: number;
  /** Checks this level requires that this host reported. */
  required: number;
  passed: string[];
  failed: string[];
  unknown: string[];
}

/** How a host's checks stand against each level 1..5 (a level requires every check at or below it). */
export function profiles(checks: readonly BaselineCheck[]): LevelProfile[] {
  return [1, 2, 3, 4, 5].map((level) => {
    const p: LevelProfile = { level, required: 0, passed: [], failed: [], unknown: [] };
    for (const c of checks) {
      if (c.level > level) continue;
      const r = c.byLevel?.find((b) => b.level === level)?.result ?? c.result;
      p.required++;
      (r === 'pass' ? p.passed : r === 'fail' ? p.failed : p.unknown).push(c.id);
    }
    return p;
  });
}
