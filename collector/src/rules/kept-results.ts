/**
 * What the engine (engine.ts) keeps of its recorded evaluations between them: each indicator's
 * last result and its members' verdicts (ids and one byte each, never the members' facts), so
 * that the report and the console serve them without evaluating. Groups evaluated on different
 * intervals each replace their own indicators; results of retired rules are not served.
 */
import type { Evaluation, KeptVerdicts, LastEvaluation, Members } from './engine-types.js';
import type { IndicatorResult } from './evaluate.js';
import type { Rule } from './format.js';

export class KeptResults {
  private readonly byIndicator = new Map<string, { result: IndicatorResult; verdicts: KeptVerdicts }>();
  private lastAt: string | undefined;

  /** The results of the rules in force (`inForce`, in their order), or undefined before the first recorded evaluation. */
  last(inForce: readonly Rule[], units: LastEvaluation['units']): LastEvaluation | undefined {
    if (this.lastAt === undefined) return undefined;
    const indicators: IndicatorResult[] = [];
    const verdicts = new Map<string, KeptVerdicts>();
    for (const r of inForce) {
      const k = this.byIndicator.get(r.indicator);
      if (!k) continue;
      indicators.push(k.result);
      verdicts.set(r.indicator, k.verdicts);
    }
    return { evaluatedAt: this.lastAt, units, indicators, verdicts };
  }

  /** A recorded evaluation's results replace those of its indicators. */
  keep(ev: Evaluation, members: Members, inForce: readonly Rule[]): void {
    const hostIds = members.hosts.map((h) => h.id);
    const systemIds = members.systems.map((s) => s.id);
    for (const result of ev.indicators) {
      this.byIndicator.set(result.id, { result, verdicts: { ids: result.population === 'hosts' ? hostIds : systemIds, verdicts: members.verdicts.get(result.id)! } });
    }
    const ids = new Set(inForce.map((r) => r.indicator));
    for (const id of this.byIndicator.keys()) if (!ids.has(id)) this.byIndicator.delete(id);
    this.lastAt = ev.evaluatedAt;
  }
}
