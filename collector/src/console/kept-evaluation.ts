/**
 * The evaluation the console's pages show, and how it is kept: each scheduled evaluation is
 * handed over here (afterEvaluation); a page that finds none, or one older than `maxAgeMs`, or
 * one from before a change made in the console, asks for an evaluation on request, in slices
 * (settled). Evaluations in slices can finish after others that started later, so what is kept
 * (the view, each host's verdict history) is compared by Engine.startOrder, never replaced by
 * an evaluation that started earlier, nor by one that started before the last change.
 */
import type { Collector } from '../context.js';
import type { Evaluation, Members } from '../rules/engine.js';
import { Slicer } from '../rules/slicer.js';
import { runSteps, runStepsSliced, type Pauser, type Steps } from '../store/steps.js';
import { indexing, type EvaluationView } from './evaluation-view.js';

export class KeptEvaluation {
  /** The view the pages show: when its evaluation started (its age), and its Engine.startOrder. */
  private kept: { view: EvaluationView; at: number; order: number } | undefined;
  /** The evaluation on request under way for the pages (settled), shared by the pages that ask meanwhile. */
  private refreshing: Promise<void> | undefined;
  /** Engine.started when invalidate() last ran (a change made through the console): evaluations started before it are not kept. */
  private changedAfter = 0;
  /** The startOrder of the evaluation whose verdicts were recorded last. */
  private verdictsOrder = 0;

  constructor(
    private readonly c: Collector,
    /** How long one evaluation may serve the pages before they ask for a fresh one. */
    private readonly maxAgeMs: number,
  ) {}

  /**
   * The evaluation the pages show (see the file's header). A page awaits settled() first, which
   * makes it current; evaluated here (in one go) only when a change came in between.
   */
  evaluation(now = new Date()): EvaluationView {
    if (this.current(now)) return this.kept!.view;
    const { ev, members } = this.c.engine.evaluateNowWithMembers(now);
    const view = runSteps(indexing(ev, members));
    const order = this.orderOf(ev);
    if (this.mayRecordVerdicts(order)) this.c.hostVerdicts.record(members.hosts, now);
    // In one go: it read the store after every change made before it returned.
    if (!this.supersededBy(order)) this.kept = { view, at: now.getTime(), order };
    return view;
  }

  private current(now: Date): boolean {
    return this.kept !== undefined && now.getTime() - this.kept.at < this.maxAgeMs;
  }

  /**
   * Before a page: make the kept evaluation current. A scheduled evaluation under way hands its
   * results over here: wait for it rather than evaluate beside it (two sets of 100,000 members
   * in memory; at a restart the first one takes seconds). Otherwise evaluate on request, in
   * slices (Engine.evaluateNowSlicedThen: at 100,000 hosts one in one go kept the event loop
   * about a second, agents' reports waiting), one for every page that asks meanwhile. An
   * evaluation under way when something was changed here is not kept (startedAfterChange):
   * then once more, up to three times (a page that still finds none evaluates in one go).
   */
  async settled(): Promise<void> {
    for (let tries = 0; tries < 3 && !this.current(new Date()); tries++) {
      await this.c.engine.idle();
      if (this.current(new Date())) return;
      await (this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined)));
    }
  }

  /** Evaluate on request in slices, and keep its view and verdicts before any other evaluation starts. */
  private refresh(): Promise<void> {
    return this.c.engine.evaluateNowSlicedThen(async ({ ev, members }) => {
      const slicer = new Slicer(this.c.engine.sliceMs);
      await slicer.pause();
      await this.handOver(this.orderOf(ev), new Date(ev.evaluatedAt), members, indexing(ev, members), slicer);
    });
  }

  /**
   * A scheduled evaluation was recorded. It holds the indicators of the groups that were due;
   * the other indicators keep their last results (their own group's last evaluation).
   */
  afterEvaluation(now: Date, members: Members, ev: Evaluation): void {
    const order = this.orderOf(ev);
    const view = runSteps(this.viewAfter(members, ev));
    if (this.mayRecordVerdicts(order)) this.c.hostVerdicts.record(members.hosts, now);
    if (view) this.offer(view, now, order);
  }

  /** The same in slices (the scheduler's hand-over, compose.ts): the pages show the previous evaluation until it is done. */
  afterEvaluationSliced(now: Date, members: Members, ev: Evaluation, pauser: Pauser): Promise<void> {
    return this.handOver(this.orderOf(ev), now, members, this.viewAfter(members, ev), pauser);
  }

  /** The view and the verdicts of an evaluation made in slices, kept unless fresher ones were meanwhile (offer). */
  private async handOver(order: number, now: Date, members: Members, view: Steps<EvaluationView | undefined>, pauser: Pauser): Promise<void> {
    const made = await runStepsSliced(view, pauser);
    if (this.mayRecordVerdicts(order)) await this.c.hostVerdicts.recordSliced(members.hosts, now, pauser);
    if (made) this.offer(made, now, order);
  }

  /**
   * Whether to record the verdicts of the evaluation of `order`: not when one that started later
   * recorded its verdicts already (the newer verdicts would be followed by older ones; one
   * overtaken while it records stops by itself: store/host-verdicts.ts).
   */
  private mayRecordVerdicts(order: number): boolean {
    if (order < this.verdictsOrder) return false;
    this.verdictsOrder = order;
    return true;
  }

  /**
   * Keep the view of an evaluation, made in slices, unless it would replace fresher figures: it
   * started before the last change made here, or before the evaluation kept (one in one go,
   * e.g. evaluation(), can finish while one in slices is under way).
   */
  private offer(view: EvaluationView, now: Date, order: number): void {
    if (this.startedAfterChange(order) && !this.supersededBy(order)) this.kept = { view, at: now.getTime(), order };
  }

  /** Whether the kept evaluation started after the one of `order`. */
  private supersededBy(order: number): boolean {
    return this.kept !== undefined && this.kept.order > order;
  }

  /**
   * Whether the evaluation of `order` read the store after the last change made here: one under
   * way (in slices) when a system was saved must not replace what the page then evaluates, or
   * the page would show the figures from before the change.
   */
  private startedAfterChange(order: number): boolean {
    return order > this.changedAfter;
  }

  /** When `ev` started among the engine's evaluations (Engine.startOrder; one it did not make counts as the last started). */
  private orderOf(ev: Evaluation): number {
    return this.c.engine.startOrder(ev) ?? this.c.engine.started;
  }

  /** The view of a scheduled evaluation with the indicators it did not hold from the kept one; undefined when only some groups were due and nothing is kept to complete them (the next page evaluates). */
  private *viewAfter(members: Members, ev: Evaluation) {
    const prev = this.kept?.view.ev;
    const fresh = new Set(ev.indicators.map((i) => i.id));
    if (!prev && this.c.engine.rules.rules.some((r) => !fresh.has(r.indicator))) return undefined;
    const merged = prev ? { ...ev, indicators: [...ev.indicators, ...prev.indicators.filter((i) => !fresh.has(i.id))] } : ev;
    return yield* indexing(merged, members);
  }

  /** Forget the kept evaluation: the next page asks for a fresh one (after any change made here). */
  invalidate(): void {
    this.kept = undefined;
    this.changedAfter = this.c.engine.started;
  }
}
