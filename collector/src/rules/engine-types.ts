/**
 * What the rule engine (engine.ts) takes and gives: an evaluation, the members it counted and
 * their verdicts, what it keeps between evaluations, and the functions it is built with.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AlertRecord, AlertStep } from './alerting.js';
import type { IndicatorResult } from './evaluate.js';
import type { Rule } from './format.js';
import type { RuleManager } from './manager.js';
import type { HostMember, SystemMember } from './members.js';
import type { ScopedObservation } from './observe.js';
import type { Slicer } from './slicer.js';

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
