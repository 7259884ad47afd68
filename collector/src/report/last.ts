/**
 * The live report as of the last recorded evaluation: people on duty open the report during
 * an incident, and 100,000 hosts take seconds to load and evaluate, so the report serves the
 * engine's last results (Engine.last(): ratios, per-member verdicts, footnote lists) and
 * evaluates anew only on request (`?fresh=1`, the CLI). The portals' footnote needs host facts
 * the engine does not keep, so it is computed here while the evaluation's members are at hand;
 * rendered bodies are kept until the next evaluation.
 */
import type { Engine, Evaluation, RecordedEvaluation } from '../rules/engine.js';
import { BASELINE_INDICATOR, baselineNotes, type BaselineNote } from './baseline-footnotes.js';
import type { PortalResult } from '../portals/types.js';
import { PORTAL_INDICATOR, portalStatus, type PortalStatus } from './model.js';

/** What a live report is made of: an evaluation and the footnotes taken from its members. */
export interface LiveBase {
  ev: Evaluation;
  portals: PortalStatus[];
  baseline: BaselineNote[];
}

export interface RenderedReport {
  contentType: string;
  body: string | Buffer;
  /** A download name (appendix-2026-12-01.docx). */
  fileName: string;
}

export class LastReport {
  private portals: PortalStatus[] | undefined;
  private baseline: BaselineNote[] = [];
  private bodies = new Map<string, Promise<RenderedReport>>();
  private bodiesOf: string | undefined;

  constructor(
    private readonly engine: Engine,
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

  /** The last recorded evaluation with its footnotes, or undefined before the first one. */
  base(): LiveBase | undefined {
    const ev = this.engine.last();
    if (!ev || !this.portals) return undefined;
    return { ev, portals: this.portals, baseline: this.baseline };
  }

  /**
   * A rendered body of the last recorded evaluation, made once per evaluation and `key` (format,
   * language, directive...); undefined before the first evaluation (the caller evaluates anew).
   * A failed render is not kept: the next request tries again.
   */
  rendered(key: string, make: () => Promise<RenderedReport>): Promise<RenderedReport> | undefined {
    const ev = this.engine.last();
    if (!ev || !this.portals) return undefined;
    // A rule reload between evaluations changes the indicators served: it invalidates too.
    const of = `${ev.evaluatedAt} ${ev.indicators.map((i) => i.id).join(',')}`;
    if (this.bodiesOf !== of) {
      this.bodies.clear();
      this.bodiesOf = of;
    }
    let r = this.bodies.get(key);
    if (!r) {
      r = make();
      this.bodies.set(key, r);
      r.catch(() => this.bodies.get(key) === r && this.bodies.delete(key));
    }
    return r;
  }
}
