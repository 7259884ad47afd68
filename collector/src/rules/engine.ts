/**
 * The rule engine: on each group's interval it evaluates the rules in force over the members
 * it is given, steps the alert state machine (alerting.ts) and hands everything to the
 * functions it was built with. It reads no table and writes none, builds no InfluxDB point and
 * sends no notice: compose.ts injects where members come from and where the results go (one
 * transaction: history rows, indicator points, alert state, notices), so `posture rules test`
 * runs this same engine over a fleet in memory.
 */
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { advance } from './alerting.js';
import type { EngineDeps, Evaluation, LastEvaluation, Members, RecordedEvaluation, SourcedMembers } from './engine-types.js';
import { KeptResults } from './kept-results.js';
import { evaluateRule, evaluateRuleSliced, type IndicatorResult } from './evaluate.js';
import type { Rule } from './format.js';
import type { RuleManager } from './manager.js';
import { observe } from './observe.js';
import { Slicer } from './slicer.js';

export { VERDICT, type EngineDeps, type Evaluation, type KeptVerdicts, type LastEvaluation, type MemberSource, type Members, type RecordedEvaluation, type SourcedMembers } from './engine-types.js';

/** One evaluation before it is recorded. */
interface Run {
  ev: Evaluation;
  rules: Rule[];
  systemNames: ReadonlyMap<string, string>;
  members: Members;
}

export class Engine {
  /** Duration of the last evaluation, for /metrics. */
  lastEvaluationMs = 0;
  /**
   * Called after each scheduled evaluation was recorded (e.g. to queue dashboard points, or to
   * hand the console the results it shows); `ev` holds the indicators of the groups that were due.
   * A promise (work done in slices) is awaited: until it settles, the evaluation is under way.
   */
  afterEvaluation: ((now: Date, members: Members, ev: Evaluation) => void | Promise<void>) | undefined;
  readonly rules: RuleManager;
  readonly defaultIntervalMs: number;
  /** The longest a scheduled evaluation keeps the event loop at a time (ms). */
  readonly sliceMs: number;
  private readonly log: FastifyBaseLogger;
  private readonly resolvedKeepMs: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly nextAt = new Map<string, number>();
  private readonly kept = new KeptResults();
  /** The scheduled evaluation under way, with its hand-over (afterEvaluation). */
  private inFlight: Promise<void> | undefined;
  /** Evaluations started so far, in one go or in slices, recorded or not (startOrder). */
  private startedCount = 0;
  private readonly orders = new WeakMap<Evaluation, number>();
  /** The evaluation on request under way (evaluateNowSliced); settles, never rejects. */
  private requested: Promise<void> | undefined;
  /** The evaluation on request asked for while another was under way, not started yet: who asks meanwhile shares it. */
  private queued: Promise<{ ev: Evaluation; members: Members }> | undefined;
  /** Every evaluation on request asked for and not done, started or waiting for its turn (settle, never reject: idle()). */
  private readonly asked = new Set<Promise<void>>();
  /** Slices the last evaluation in slices took, scheduled or on request (1: it never yielded). */
  lastSlices = 0;

  constructor(private readonly deps: EngineDeps) {
    this.rules = deps.rules;
    this.log = deps.log ?? pino({ level: 'silent' });
    this.defaultIntervalMs = deps.defaultIntervalMs ?? 300_000;
    this.sliceMs = deps.sliceMs ?? 10;
    this.resolvedKeepMs = deps.resolvedKeepMs ?? 15 * 60_000;
  }

  /**
   * The how-manyth evaluation `ev` was to start (1, 2, ...), whichever finished first: one in
   * slices can finish after one in one go that started later. Whoever keeps results compares
   * these, not times (a clock set back would make fresh results look old). Undefined for an
   * evaluation this engine did not make.
   */
  startOrder(ev: Evaluation): number | undefined {
    return this.orders.get(ev);
  }

  /** How many evaluations have started: one that starts from now on has a larger startOrder. */
  get started(): number {
    return this.startedCount;
  }

  private selected(groups?: ReadonlySet<string>): Rule[] {
    return this.rules.groups.filter((g) => !groups || groups.has(g.name)).flatMap((g) => g.rules);
  }

  /**
   * The last recorded result of each indicator in force, or undefined before the first
   * recorded evaluation (then evaluate on request).
   */
  last(): LastEvaluation | undefined {
    return this.kept.last(this.rules.rules, this.deps.units());
  }

  /** Evaluate the rules in force (or those of `groups`) without recording anything. */
  evaluateNow(now = new Date(), groups?: ReadonlySet<string>): Evaluation {
    return this.run(now, groups).ev;
  }

  /** The same, with the members it counted and their verdicts (the report's footnotes need them: no second load). */
  evaluateNowWithMembers(now = new Date()): { ev: Evaluation; members: Members } {
    const { ev, members } = this.run(now);
    return { ev, members };
  }

  /**
   * The same as evaluateNowWithMembers, in slices of at most `sliceMs` as the scheduled
   * evaluation runs (an evaluation on request: the report's fresh=1, a console page whose view is
   * too old; at 100,000 hosts one in one go kept the event loop 0.3-1 s, and every agent's report
   * waited). It starts once no other evaluation is under way, scheduled or on request (the rule
   * inputs are read by one at a time, and one set of members is in memory at a time), and its
   * `evaluatedAt` is when it starts, so it read the store after every change made before that.
   * Who asks while it waits for its turn shares it (it starts after they asked).
   */
  evaluateNowSliced(): Promise<{ ev: Evaluation; members: Members }> {
    if (this.queued) return this.queued;
    let started = false;
    const evaluation = this.onRequest(() => {
      started = true;
      this.queued = undefined;
      return this.slicedNow();
    });
    if (!started) this.queued = evaluation;
    return evaluation;
  }

  /**
   * The same, then `handOver` (awaited) before any other evaluation starts, as the scheduled
   * evaluation's afterEvaluation: so what it keeps (the console's view, the verdict history) is
   * never replaced by an evaluation that started before it. Not shared: each caller its own;
   * `handOver` must not wait for an evaluation itself (idle(), evaluateNowSliced): it would wait for its own.
   */
  evaluateNowSlicedThen<T>(handOver: (r: { ev: Evaluation; members: Members }) => T | Promise<T>): Promise<T> {
    return this.onRequest(async () => handOver(await this.slicedNow()));
  }

  private async slicedNow(): Promise<{ ev: Evaluation; members: Members }> {
    const { ev, members } = await this.runSliced(new Date());
    return { ev, members };
  }

  /** `work` as the evaluation on request under way, once no other is. */
  private onRequest<T>(work: () => Promise<T>): Promise<T> {
    const asked = this.whenFree(() => {
      const run = work();
      const settled = quiet(run);
      this.requested = settled;
      void settled.then(() => {
        if (this.requested === settled) this.requested = undefined;
      });
      return run;
    });
    const settled = quiet(asked);
    this.asked.add(settled);
    void settled.then(() => this.asked.delete(settled));
    return asked;
  }

  /** `start()` once no evaluation is under way; nothing else can start between the check and `start` (no await between them). */
  private async whenFree<T>(start: () => Promise<T>): Promise<T> {
    while (this.inFlight ?? this.requested) await (this.inFlight ?? this.requested);
    return start();
  }

  private run(now: Date, groups?: ReadonlySet<string>): Run {
    const started = performance.now();
    const order = ++this.startedCount;
    const units = this.deps.units();
    const unitIds = units.map((u) => u.id);
    const m = this.deps.members(now);
    const rules = this.selected(groups);
    const verdicts = new Map<string, Uint8Array>();
    const indicators = rules.map((r) => {
      const population = r.population === 'hosts' ? m.hosts : m.systems;
      const v = new Uint8Array(population.length);
      verdicts.set(r.indicator, v);
      return evaluateRule(r, population, unitIds, now, v);
    });
    return this.ran(now, started, order, units, m, rules, indicators, verdicts);
  }

  /**
   * The same in slices of at most `sliceMs` of the event loop (the scheduled evaluation): the
   * members and the rules are those of its start; requests, ingest and timers run between slices.
   */
  private async runSliced(now: Date, groups?: ReadonlySet<string>): Promise<Run> {
    const started = performance.now();
    const order = ++this.startedCount;
    const slicer = new Slicer(this.sliceMs);
    const units = this.deps.units();
    const unitIds = units.map((u) => u.id);
    const rules = this.selected(groups);
    const m = this.deps.membersSliced ? await this.deps.membersSliced(now, slicer) : this.deps.members(now);
    const verdicts = new Map<string, Uint8Array>();
    const indicators: IndicatorResult[] = [];
    for (const r of rules) {
      const population = r.population === 'hosts' ? m.hosts : m.systems;
      const v = new Uint8Array(population.length);
      verdicts.set(r.indicator, v);
      indicators.push(await evaluateRuleSliced(r, population, unitIds, now, v, slicer));
    }
    this.lastSlices = slicer.pauses + 1;
    return this.ran(now, started, order, units, m, rules, indicators, verdicts);
  }

  private ran(now: Date, started: number, order: number, units: Evaluation['units'], m: SourcedMembers, rules: Rule[], indicators: IndicatorResult[], verdicts: Map<string, Uint8Array>): Run {
    this.lastEvaluationMs = performance.now() - started;
    this.deps.evaluated?.(this.lastEvaluationMs);
    const ev: Evaluation = { evaluatedAt: now.toISOString(), units, indicators };
    this.orders.set(ev, order);
    return { ev, rules, systemNames: m.systemNames, members: { hosts: m.hosts, systems: m.systems, verdicts } satisfies Members };
  }

  /** Evaluate and record: history rows, InfluxDB points and alert state, in one transaction. */
  evaluateAndRecord(now = new Date(), groups?: ReadonlySet<string>): Evaluation {
    return this.record(now, this.run(now, groups)).ev;
  }

  /** The same as the scheduler does it: evaluated in slices (runSliced), then recorded in one go. */
  async evaluateAndRecordSliced(now = new Date(), groups?: ReadonlySet<string>): Promise<RecordedEvaluation> {
    return this.record(now, await this.runSliced(now, groups));
  }

  private record(now: Date, run: Run): RecordedEvaluation {
    const { ev, rules, systemNames, members } = run;
    const unitNames = new Map(ev.units.map((u) => [u.id, u.name]));
    const observations = ev.indicators.flatMap((ind, i) => observe(rules[i]!, ind, unitNames, systemNames));
    const ruleOf = new Map(this.rules.rules.map((r) => [r.indicator, r]));
    const prev = this.deps.alertState();
    const retired = new Set(prev.map((a) => a.indicator).filter((id) => !ruleOf.has(id)));
    const alerts = advance(prev, observations, new Set(rules.map((r) => r.indicator)), retired, now, this.resolvedKeepMs);
    const recorded: RecordedEvaluation = { now, ev, members, rules, observations, alerts, ruleOf };
    this.deps.record(recorded);
    this.kept.keep(ev, members, this.rules.rules);
    for (const t of alerts.transitions) this.log.info({ indicator: t.alert.indicator, scope: t.alert.scope, state: t.transition, value: t.alert.value }, `alert ${t.transition}`);
    this.deps.afterRecord?.(recorded);
    return recorded;
  }

  /** The shortest evaluation interval in force (how often Alertmanager must hear an alert again). */
  resendIntervalMs(): number {
    return Math.min(...this.rules.groups.map((g) => g.intervalMs ?? this.defaultIntervalMs), this.defaultIntervalMs);
  }

  /**
   * Evaluate each group when its interval has passed, in slices (evaluateAndRecordSliced) so
   * that requests are served meanwhile, then hand it to afterEvaluation (awaited when it is
   * sliced too); a tick while one is under way does nothing. The first evaluation starts here,
   * at once, in slices as well: at a restart it reads every host's row, while agents reconnect.
   * Until one is recorded, callers that would evaluate on request await idle() first (the
   * report route, the console), so one evaluation is in memory at a time.
   */
  start(tickMs = 1000): void {
    const tick = () => {
      // One evaluation at a time: an evaluation on request under way delays the scheduled one to the next tick.
      if (this.inFlight ?? this.requested) return;
      const now = new Date();
      const due = new Set(this.rules.groups.filter((g) => (this.nextAt.get(g.name) ?? 0) <= now.getTime()).map((g) => g.name));
      if (!due.size) return;
      this.inFlight = this.evaluateAndRecordSliced(now, due)
        .then((r) => this.afterEvaluation?.(now, r.members, r.ev))
        .catch((e: unknown) => this.log.error({ err: e }, 'indicator evaluation failed; will retry at the next interval'))
        .finally(() => {
          for (const g of this.rules.groups) if (due.has(g.name)) this.nextAt.set(g.name, now.getTime() + (g.intervalMs ?? this.defaultIntervalMs));
          this.inFlight = undefined;
        });
    };
    tick();
    this.timer = setInterval(tick, tickMs);
  }

  /** Stop scheduling; an evaluation under way finishes (await idle()). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Resolves when no evaluation is under way or waiting for its turn: neither a scheduled one
   * with its hand-over (afterEvaluation) nor one on request (evaluateNowSliced). After stop(),
   * before the store closes; before a request that would be served by the scheduled one.
   */
  async idle(): Promise<void> {
    for (;;) {
      const busy = this.inFlight ?? this.requested ?? this.asked.values().next().value;
      if (!busy) return;
      await busy;
    }
  }
}

/** Settles when `p` does, never rejects (to wait for work whose failure its caller handles). */
const quiet = (p: Promise<unknown>): Promise<void> =>
  p.then(
    () => undefined,
    () => undefined,
  );
