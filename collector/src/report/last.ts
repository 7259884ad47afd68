/**
 * The live report as of the last recorded evaluation: people on duty open the report during
 * an incident, and 100,000 hosts take seconds to load and evaluate, so the report serves the
 * engine's last results (Engine.last(): ratios, per-member verdicts, footnote lists) and
 * evaluates anew only on request (`?fresh=1`, the CLI). The portals' footnote needs host facts
 * the engine does not keep, so it is computed here while the evaluation's members are at hand;
 * rendered bodies are kept until the next evaluation.
 */
import type { Engine, RecordedEvaluation } from '../rules/engine.js';
import { render, type Format } from './render.js';
import type { Reason } from '@posture/protocol';
import { BASELINE_INDICATOR, baselineNotes, type BaselineNote } from './baseline-footnotes.js';
import type { PortalResult } from '../portals/types.js';
import { PORTAL_INDICATOR, liveReport, portalStatus, type AppendixReport, type Lang, type PortalStatus } from './model.js';

export class LastReport {
  private portals: PortalStatus[] | undefined;
  private baseline: BaselineNote[] = [];
  private bodies = new Map<string, { contentType: string; body: string }>();
  private bodiesOf: string | undefined;

  /** `protectionPolicy`: the policy's footnote (policyReason of the config's protection policy). */
  constructor(
    private readonly engine: Engine,
    private readonly protectionPolicy: Reason | null = null,
    /** The newest outside probe of each portal (store/portals), read when an evaluation is recorded. */
    private readonly outside: () => ReadonlyMap<string, PortalResult> = () => new Map(),
  ) {}

  /** After each recorded evaluation (compose.ts wires it). */
  record(r: RecordedEvaluation): void {
    this.portals = portalStatus(r.members.systems, r.members.hosts, r.members.verdicts.get(PORTAL_INDICATOR), this.outside());
    // Only when the baseline rule was evaluated: a group on another interval keeps the last notes.
    const v = r.members.verdicts.get(BASELINE_INDICATOR);
    if (v) this.baseline = baselineNotes(r.members.systems, v);
  }

  /** The report of the last recorded evaluation, or undefined before the first one. */
  report(): AppendixReport | undefined {
    const last = this.engine.last();
    if (!last || !this.portals) return undefined;
    return liveReport(last, this.portals, this.protectionPolicy, this.baseline);
  }

  /** The same, rendered (once per evaluation, format and language). */
  rendered(format: Format, lang: Lang): { evaluatedAt: string; contentType: string; body: string } | undefined {
    const report = this.report();
    if (!report) return undefined;
    // A rule reload between evaluations changes the indicators served: it invalidates too.
    const of = `${report.evaluatedAt} ${report.indicators.map((i) => i.id).join(',')}`;
    if (this.bodiesOf !== of) {
      this.bodies.clear();
      this.bodiesOf = of;
    }
    const key = `${format}/${lang}`;
    let r = this.bodies.get(key);
    if (!r) this.bodies.set(key, (r = render(report, format, lang)));
    return { evaluatedAt: report.evaluatedAt, ...r };
  }
}
