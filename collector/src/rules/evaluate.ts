/**
 * Evaluation of one rule over its population: for the ministry and for each scope (unit,
 * system), the count of passing members, the ratio, the target and whether it is met. A scope
 * with no members is "no data" (ratio null, met null), neither met nor 0%. Stale hosts fail
 * every host rule; an expression that cannot be evaluated for a member (e.g. a baseline check
 * the host never reported) fails that member with the reason: unknown is never ok.
 */
import { REASONS, placeholders, type ReasonParams } from '@posture/protocol';
import type { Rule } from './format.js';
import type { HostMember, SystemMember } from './members.js';
import { because, type FailReason } from './reasons.js';
import type { Slicer } from './slicer.js';

export interface ScopeResult {
  /** 'ministry', the unit id, or the system id (in `systems`). */
  scope: string;
  pass: number;
  total: number;
  /** null when the scope has no members (no data). */
  ratio: number | null;
  met: boolean | null;
  /** The due date has passed and the target is not met. */
  overdue: boolean;
}

export interface FailingMember {
  id: string;
  name: string;
  unit: string;
  reasons: FailReason[];
}

export interface IndicatorResult {
  id: string;
  /** The directive (rule file) whose target this is; null for supporting indicators. */
  directive: string | null;
  /** Row of the appendix table; 0 for supporting indicators. */
  tt: number;
  title: { vi: string; en: string };
  basis: string;
  target: number;
  due: string | null;
  ministry: ScopeResult;
  /** Every configured unit, even those with no members (empty when the rule is not by unit). */
  units: ScopeResult[];
  failing: FailingMember[];
  /** hosts | systems */
  population: 'hosts' | 'systems';
  /** The rule group (and so the evaluation interval) it belongs to. */
  group: string;
  /** Per information system, when the rule is scoped `by: [system]`. */
  systems: ScopeResult[];
  /** The due date is past (end of that day, Vietnam time). */
  pastDue: boolean;
}

type Member = HostMember | SystemMember;

/** End of the due day in Vietnam (UTC+7): a target due 2022-12-31 holds all that day. */
export const isPastDue = (due: string | null, now: Date): boolean => due !== null && now.getTime() > Date.parse(`${due}T23:59:59.999+07:00`);

function scopeOf(scope: string, c: { pass: number; total: number }, target: number, pastDue: boolean): ScopeResult {
  const ratio = c.total ? c.pass / c.total : null;
  // Compare with a tolerance so that e.g. 9/10 meets a 0.9 target despite float rounding.
  const met = ratio === null ? null : ratio + 1e-9 >= target;
  return { scope, pass: c.pass, total: c.total, ratio, met, overdue: pastDue && met === false };
}

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];

/** The member's scalar facts (system.hosts, host.hostname, ...) that the code's text names: its parameters. */
function scalarParams(code: string, cel: object, extra: ReasonParams): ReasonParams | undefined {
  const out: ReasonParams = {};
  for (const k of placeholders(REASONS[code]!.vi)) {
    // A property read, so that the getters of a host's view (host-view.ts) answer too.
    const v = (cel as Record<string, unknown>)[k] ?? extra[k];
    if (typeof v === 'bigint') out[k] = Number(v);
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * A rule's `reason:` value as reasons: each string names a reason code of the catalogue (format.ts
 * checks literals at load), rendered with the member's facts; any other string is kept as the
 * evidence of a generic reason, so nothing a rule says is lost.
 */
function asReasons(v: unknown, m: Member): FailReason[] {
  const list = Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : [];
  // A portal's blocking code (system.portal.blockingCodes) keeps the prober's own parameters.
  const blocking = m.kind === 'system' ? m.portalBlocking : [];
  const extra = m.kind === 'system' ? m.reasonParams : {};
  return list.flatMap((s): FailReason[] => {
    const probed = blocking.filter((b) => b.code === s);
    if (probed.length) return probed;
    return [s in REASONS ? because(s, scalarParams(s, m.cel, extra)) : because('RULE_NOT_MET', undefined, s)];
  });
}

/** Run `pass` for one member: true, or the reasons it fails. */
function judge(rule: Rule, m: Member, vars: Record<string, unknown>): true | FailReason[] {
  if (m.kind === 'host' && m.stale) return [m.reasons[0] ?? because('RULE_NOT_MET')];
  let ok: unknown;
  try {
    ok = rule.pass.run(vars);
  } catch (e) {
    return [because('RULE_EVAL_FAILED', { field: 'pass' }, `${rule.pass.source}: ${firstLine(e)}`)];
  }
  if (ok === true) return true;
  if (rule.reason) {
    try {
      const r = asReasons(rule.reason.run(vars), m);
      if (r.length) return r;
    } catch (e) {
      return [because('RULE_NOT_MET', undefined, `reason expression failed: ${firstLine(e)}`)];
    }
  }
  return m.reasons.length ? m.reasons : [because('RULE_NOT_MET', undefined, rule.pass.source)];
}

/**
 * `verdicts`, when given (as long as `members`), receives each member's verdict: 0 out of
 * scope, 1 pass, 2 fail (engine.ts VERDICT), for those who count members one by one.
 */
export function evaluateRule(rule: Rule, members: readonly Member[], units: readonly string[], now: Date, verdicts?: Uint8Array): IndicatorResult {
  const count = ruleCounter(rule, units, now, verdicts);
  for (let i = 0; i < members.length; i++) count.add(members[i]!, i);
  return count.result();
}

/** The same, yielding to the event loop whenever `slicer` says a slice's time is up (the scheduled evaluation). */
export async function evaluateRuleSliced(rule: Rule, members: readonly Member[], units: readonly string[], now: Date, verdicts: Uint8Array, slicer: Slicer): Promise<IndicatorResult> {
  const count = ruleCounter(rule, units, now, verdicts);
  for (let i = 0; i < members.length; i++) {
    count.add(members[i]!, i);
    if (slicer.due(i)) await slicer.pause();
  }
  return count.result();
}

/** Counts one rule's members one at a time (`i`: the member's index in its population), then gives the result. */
function ruleCounter(rule: Rule, units: readonly string[], now: Date, verdicts: Uint8Array | undefined): { add(m: Member, i: number): void; result(): IndicatorResult } {
  const varName = rule.population === 'hosts' ? 'host' : 'system';
  const byUnit = rule.by.includes('unit');
  const bySystem = rule.by.includes('system');
  const per = new Map<string, { pass: number; total: number }>(byUnit ? units.map((u) => [u, { pass: 0, total: 0 }]) : []);
  const perSystem = new Map<string, { pass: number; total: number }>();
  const all = { pass: 0, total: 0 };
  const failing: FailingMember[] = [];
  const add = (m: Member, i: number): void => {
    // Literal keys: an object with a computed key is built by V8's runtime, several times slower per member.
    const vars: Record<string, unknown> = varName === 'host' ? { host: m.cel, now } : { system: m.cel, now };
    let inScope = true;
    let whereError: FailReason | null = null;
    if (rule.where) {
      try {
        inScope = rule.where.run(vars) === true;
      } catch (e) {
        // Cannot tell whether it belongs: count it, and fail it, rather than hide it.
        whereError = because('RULE_EVAL_FAILED', { field: 'where' }, `${rule.where.source}: ${firstLine(e)}`);
      }
    }
    if (!inScope) return;
    const verdict = whereError ? [whereError] : judge(rule, m, vars);
    const ok = verdict === true;
    if (verdicts) verdicts[i] = ok ? 1 : 2;
    all.total++;
    if (ok) all.pass++;
    else failing.push({ id: m.id, name: m.kind === 'host' ? m.hostname : m.name, unit: m.unit, reasons: verdict });
    if (byUnit) {
      let u = per.get(m.unit);
      if (!u) per.set(m.unit, (u = { pass: 0, total: 0 }));
      u.total++;
      if (ok) u.pass++;
    }
    if (bySystem && m.kind === 'host') {
      for (const s of m.systems) {
        let c = perSystem.get(s);
        if (!c) perSystem.set(s, (c = { pass: 0, total: 0 }));
        c.total++;
        if (ok) c.pass++;
      }
    }
  };
  const result = (): IndicatorResult => {
    const pastDue = isPastDue(rule.due, now);
    return {
      id: rule.indicator,
      directive: rule.directive,
      tt: rule.tt,
      title: rule.title,
      basis: rule.basis,
      target: rule.target,
      due: rule.due,
      ministry: scopeOf('ministry', all, rule.target, pastDue),
      units: [...per].map(([unit, c]) => scopeOf(unit, c, rule.target, pastDue)),
      failing,
      population: rule.population,
      group: rule.group,
      systems: [...perSystem].sort(([a], [b]) => a.localeCompare(b)).map(([s, c]) => scopeOf(s, c, rule.target, pastDue)),
      pastDue,
    };
  };
  return { add, result };
}
