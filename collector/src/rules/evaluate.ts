/**
 * Evaluation: for each indicator, the ratio of passing members ministry-wide and per unit. A
 * scope with no members is "no data" (ratio null, met null), neither met nor 0%.
 */
import type { IndicatorDef } from './builtin.js';
import type { HostMember, SystemMember } from './members.js';

export interface ScopeResult {
  /** 'ministry' or the unit id. */
  scope: string;
  pass: number;
  total: number;
  /** null when the scope has no members (no data). */
  ratio: number | null;
  met: boolean | null;
}

export interface FailingMember {
  id: string;
  name: string;
  unit: string;
  reasons: string[];
}

export interface IndicatorResult {
  id: string;
  tt: number;
  title: { vi: string; en: string };
  basis: string;
  target: number;
  due: string | null;
  ministry: ScopeResult;
  /** Every configured unit, even those with no members. */
  units: ScopeResult[];
  failing: FailingMember[];
}

const scopeOf = (scope: string, pass: number, total: number, target: number): ScopeResult => {
  const ratio = total ? pass / total : null;
  // Compare with a tolerance so that e.g. 9/10 meets a 0.9 target despite float rounding.
  return { scope, pass, total, ratio, met: ratio === null ? null : ratio + 1e-9 >= target };
};

export function evaluate<M extends HostMember | SystemMember>(def: IndicatorDef<M>, members: M[], units: readonly string[]): IndicatorResult {
  const inScope = members.filter((m) => def.where(m));
  const per = new Map<string, { pass: number; total: number }>(units.map((u) => [u, { pass: 0, total: 0 }]));
  let pass = 0;
  const failing: FailingMember[] = [];
  for (const m of inScope) {
    const ok = def.pass(m);
    const u = per.get(m.unit) ?? { pass: 0, total: 0 };
    per.set(m.unit, u);
    u.total++;
    if (ok) {
      u.pass++;
      pass++;
    } else {
      failing.push({ id: m.id, name: m.kind === 'host' ? m.hostname : m.name, unit: m.unit, reasons: m.reasons.length ? m.reasons : ['does not meet the condition'] });
    }
  }
  return {
    id: def.id,
    tt: def.tt,
    title: def.title,
    basis: def.basis,
    target: def.target,
    due: def.due,
    ministry: scopeOf('ministry', pass, inScope.length, def.target),
    units: [...per].map(([unit, c]) => scopeOf(unit, c.pass, c.total, def.target)),
    failing,
  };
}
