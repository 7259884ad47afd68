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
import { advance, type AlertRecord, type AlertStep } from './alerting.js';
import { evaluateRule, evaluateRuleSliced, type IndicatorResult } from './evaluate.js';
import type { Rule } from './format.js';
import type { RuleManager } from './manager.js';
import type { HostMember, SystemMember } from './members.js';
import { observe, type ScopedObservation } from './observe.js';
import { Slicer } from './slicer.js';

export interface Evaluation {
  evaluatedAt: string;
  /** The configured units; `shortName` as the ministry writes it (dashboards' `unit_name` tag). */
  units: { id: string; name: string; shortName?: string }[];
  indicators: IndicatorResult[];
}

/** Verdict of one member for one rule, in Members.verdicts. */
export const VERDICT = { outOfScope: 0, pass: 1, fail: 2 } as const;

/** The hosts and systems one evaluation counted, and how each rule judged each of them. */
export interface Members {
  hosts: HostMember[];
  systems: SystemMember[];
  /**
   * Per indicator, per member of the rule's population (same index as `hosts` or `systems`):
   * VERDICT.outOfScope, .pass or .fail. The one verdict the report, the alerts and the
   * dashboards' inventory points all count.
   */
  verdicts: ReadonlyMap<string, Uint8Array>;
}

/** How one indicator judged each member of its population, kept after the evaluation. */
export interface KeptVerdicts {
  /** Member ids (host agent ids or system ids), same index as `verdicts`; shared by the indicators of one evaluation. */
  ids: readonly string[];
  /** VERDICT per member. */
  verdicts: Uint8Array;
}

/**
 * The last recorded result of every indicator in force, kept compact (member ids and
 * verdicts, never the members' facts): what the report and the console serve between
 * evaluations. Groups evaluated on different intervals each replace their own indicators.
 */
export interface LastEvaluation {
  /** The latest recorded evaluation (ISO time). */
  evaluatedAt: string;
  units: { id: string; name: string }[];
  /** In rule-file order of the rules in force; each as of the evaluation of its group. */
  indicators: IndicatorResult[];
  verdicts: ReadonlyMap<string, KeptVerdicts>;
}

/** What the engine counts: hosts and systems as of `now`, and the systems' display names. */
export interface MemberSource {
  (now: Date): SourcedMembers;
}

export interface SourcedMembers {
  hosts: HostMember[];
  systems: SystemMember[];
  systemNames: ReadonlyMap<string, string>;
}

/** One evaluation as handed to `record`. */
export interface RecordedEvaluation {
  now: Date;
  ev: Evaluation;
  members: Members;
  /** The rules evaluated, in the order of ev.indicators. */
  rules: Rule[];
  /** Per indicator and scope (ministry, unit, system), with the rule's target. */
  observations: ScopedObservation[];
  /** The alert state machine's step (records to write, transitions to notify). */
  alerts: AlertStep;
  /** Every rule in force by indicator (a transition's rule, for its notice). */
  ruleOf: ReadonlyMap<string, Rule>;
}

/** One evaluation before it is recorded. */
interface Run {
  ev: Evaluation;
  rules: Rule[];
  systemNames: ReadonlyMap<string, string>;
  members: Members;
}

export interface EngineDeps {
  rules: RuleManager;
  units: () => { id: string; name: string; shortName?: string }[];
  members: MemberSource;
  /** The same for the scheduled evaluation, yielding to the event loop whenever `slicer` says (default: `members`, in one go). */
  membersSliced?: ((now: Date, slicer: Slicer) => Promise<SourcedMembers>) | undefined;
  /** The longest the scheduled evaluation keeps the event loop at a time (ms; default 10). */
  sliceMs?: number | undefined;
  /** The alert state before an evaluation (store/alerts.ts, or a map in memory). */
  alertState: () => AlertRecord[];
  /** Record one evaluation, all or nothing (the caller's transaction). */
  record: (r: RecordedEvaluation) => void;
  /** After each recorded evaluation (outside the transaction): e.g. push alerts to Alertmanager. */
  afterRecord?: ((r: RecordedEvaluation) => void) | undefined;
  /** Every evaluation, recorded or not, took `ms` (the evaluation-duration histogram). */
  evaluated?: ((ms: number) => void) | undefined;
  /** Interval of groups that set none. */
  defaultIntervalMs?: number | undefined;
  /** How long a resolved alert stays listed (rules.resolvedResendMinutes). */
  resolvedKeepMs?: number | undefined;
  log?: FastifyBaseLogger | undefined;
}

export class Engine {
  /** Duration of the last evaluation, for /metrics. */
  lastEvaluationMs = 0;
  /**
   * Called after each scheduled evaluation was recorded (e.g. to queue dashboard points, or to
   * hand the console the results it shows); `ev` holds the indicators of the groups that were due.
   */
  afterEvaluation: ((now: Date, members: Members, ev: Evaluation) => void) | undefined;
  readonly rules: RuleManager;
  readonly defaultIntervalMs: number;
  private readonly log: FastifyBaseLogger;
  private readonly resolvedKeepMs: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly nextAt = new Map<string, number>();
  private readonly kept = new Map<string, { result: IndicatorResult; verdicts: KeptVerdicts }>();
  private lastAt: string | undefined;
  private inFlight: Promise<void> | undefined;
  /** Slices the last scheduled evaluation took (1: it never yielded). */
  lastSlices = 0;

  constructor(private readonly deps: EngineDeps) {
    this.rules = deps.rules;
    this.log = deps.log ?? pino({ level: 'silent' });
    this.defaultIntervalMs = deps.defaultIntervalMs ?? 300_000;
    this.resolvedKeepMs = deps.resolvedKeepMs ?? 15 * 60_000;
  }

  private selected(groups?: ReadonlySet<string>): Rule[] {
    return this.rules.groups.filter((g) => !groups || groups.has(g.name)).flatMap((g) => g.rules);
  }

  /**
   * The last recorded result of each indicator in force, or undefined before the first
   * recorded evaluation (then evaluate on request).
   */
  last(): LastEvaluation | undefined {
    if (this.lastAt === undefined) return undefined;
    const indicators: IndicatorResult[] = [];
    const verdicts = new Map<string, KeptVerdicts>();
    for (const r of this.rules.rules) {
      const k = this.kept.get(r.indicator);
      if (!k) continue;
      indicators.push(k.result);
      verdicts.set(r.indicator, k.verdicts);
    }
    return { evaluatedAt: this.lastAt, units: this.deps.units(), indicators, verdicts };
  }

  private keep(ev: Evaluation, members: Members): void {
    const hostIds = members.hosts.map((h) => h.id);
    const systemIds = members.systems.map((s) => s.id);
    for (const result of ev.indicators) {
      this.kept.set(result.id, { result, verdicts: { ids: result.population === 'hosts' ? hostIds : systemIds, verdicts: members.verdicts.get(result.id)! } });
    }
    // Results of retired rules are not served.
    const inForce = new Set(this.rules.rules.map((r) => r.indicator));
    for (const id of this.kept.keys()) if (!inForce.has(id)) this.kept.delete(id);
    this.lastAt = ev.evaluatedAt;
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

  private run(now: Date, groups?: ReadonlySet<string>): Run {
    const started = performance.now();
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
    return this.ran(now, started, units, m, rules, indicators, verdicts);
  }

  /**
   * The same in slices of at most `sliceMs` of the event loop (the scheduled evaluation): the
   * members and the rules are those of its start; requests, ingest and timers run between slices.
   */
  private async runSliced(now: Date, groups?: ReadonlySet<string>): Promise<Run> {
    const started = performance.now();
    const slicer = new Slicer(this.deps.sliceMs ?? 10);
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
    return this.ran(now, started, units, m, rules, indicators, verdicts);
  }

  private ran(now: Date, started: number, units: Evaluation['units'], m: SourcedMembers, rules: Rule[], indicators: IndicatorResult[], verdicts: Map<string, Uint8Array>): Run {
    this.lastEvaluationMs = performance.now() - started;
    this.deps.evaluated?.(this.lastEvaluationMs);
    const ev: Evaluation = { evaluatedAt: now.toISOString(), units, indicators };
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
    this.keep(ev, members);
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
   * that requests are served meanwhile; a tick while one is running does nothing. The first
   * evaluation runs in one go, here: until one is recorded the report and the console evaluate
   * on request, and one of those beside a sliced evaluation would hold two sets of members.
   */
  start(tickMs = 1000): void {
    const tick = (sliced: boolean) => {
      if (this.inFlight) return;
      const now = new Date();
      const due = new Set(this.rules.groups.filter((g) => (this.nextAt.get(g.name) ?? 0) <= now.getTime()).map((g) => g.name));
      if (!due.size) return;
      const done = (r: RecordedEvaluation) => this.afterEvaluation?.(now, r.members, r.ev);
      const failed = (e: unknown) => this.log.error({ err: e }, 'indicator evaluation failed; will retry at the next interval');
      const scheduleNext = () => {
        for (const g of this.rules.groups) if (due.has(g.name)) this.nextAt.set(g.name, now.getTime() + (g.intervalMs ?? this.defaultIntervalMs));
      };
      if (!sliced) {
        try {
          done(this.record(now, this.run(now, due)));
        } catch (e) {
          failed(e);
        }
        scheduleNext();
        return;
      }
      this.inFlight = this.evaluateAndRecordSliced(now, due)
        .then(done)
        .catch(failed)
        .finally(() => {
          scheduleNext();
          this.inFlight = undefined;
        });
    };
    tick(false);
    this.timer = setInterval(() => tick(true), tickMs);
  }

  /** Stop scheduling; an evaluation under way finishes (await idle()). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Resolves when no scheduled evaluation is under way (after stop(): before the store closes). */
  async idle(): Promise<void> {
    await this.inFlight;
  }
}
