/**
 * The console's only door into the rest of the collector. Pages read and change state through
 * this module and nothing else, so a change of the collector's inside (stores, engine) changes
 * this file, not the pages.
 *
 * Figures come from the engine's scheduled evaluation, the one that records the indicator
 * history and steps the alerts: `startServices` (compose.ts) hands each one to
 * `afterEvaluation`, and the pages show it (every page says when it ran). Only when there is none
 * yet, when the last one is older than two intervals (the scheduler is not running, e.g. under
 * tests), or after a change made in the console, the next page asks the engine itself, in slices
 * as the appendix report's fresh=1 does: so an approval recorded in the registry moves indicator
 * 11 at once, while agents' reports are still served (kept-evaluation.ts).
 */
import type { Report } from '@posture/protocol';
import type { Collector } from '../context.js';
import { decommissionHost, putSystem, revokeAgent } from '../admin/actions.js';
import { ApiFailure } from '../errors.js';
import type { Evaluation, Members } from '../rules/engine.js';
import type { FailingMember, IndicatorResult } from '../rules/evaluate.js';
import type { ConsoleHost, EvaluationView } from './evaluation-view.js';
import { KeptEvaluation } from './kept-evaluation.js';
import type { HostMember, SystemMember } from '../rules/members.js';
import type { AlertRecord } from '../rules/alerting.js';
import type { AgentListRow } from '../store/agents.js';
import type { AuditRecord } from '../store/audit.js';
import type { ConsoleSessionStore } from '../store/console-sessions.js';
import type { VerdictChange } from '../store/host-verdicts.js';
import type { HostRow } from '../store/hosts.js';
import type { SystemRecord, SystemSource } from '../store/systems.js';
import type { Role, TokenStore } from '../store/tokens.js';
import type { Pauser } from '../store/steps.js';

/** A sample of one scope's figure: the evaluation it comes from. */
export interface TrendPoint {
  at: string;
  pass: number;
  total: number;
}

/** trend.get(indicator)?.get(scope) -> points, oldest first; scope is 'ministry' or 'unit:<id>' as stored. */
export type Trends = Map<string, Map<string, TrendPoint[]>>;

export type { AgentListRow, AlertRecord, AuditRecord, ConsoleHost, EvaluationView, FailingMember, HostMember, HostRow, IndicatorResult, Report, Role, SystemMember, SystemRecord, SystemSource, VerdictChange };

/** A unit's agents, counted. */
export interface Coverage {
  enrolled: number;
  revoked: number;
  neverReported: number;
}

export class ConsoleData {
  private readonly kept: KeptEvaluation;

  constructor(
    private readonly c: Collector,
    /** How long one evaluation may serve the pages before they ask for a fresh one. */
    maxAgeMs = Math.max(10, 2 * c.config.evaluationIntervalSeconds) * 1000,
  ) {
    this.kept = new KeptEvaluation(c, maxAgeMs);
  }

  get sessions(): ConsoleSessionStore {
    return this.c.consoleSessions;
  }

  private get verdicts() {
    return this.c.hostVerdicts;
  }

  get tokens(): TokenStore {
    return this.c.tokens;
  }

  /** The collector serves HTTPS itself (cookies get Secure). */
  get tls(): boolean {
    return Boolean(this.c.config.listen.tls);
  }

  get authFailuresPerMinute(): number {
    return this.c.config.limits.authFailuresPerMinute;
  }

  /** Alertmanager's own UI, for links to its silences; undefined when alerts do not go there. */
  get alertmanagerUrl(): string | undefined {
    return this.c.config.alerting?.alertmanager?.urls[0]?.replace(/\/$/, '');
  }

  get registryFile(): string | undefined {
    return this.c.config.registryFile;
  }

  units(): { id: string; name: string }[] {
    return this.c.config.units.map((u) => ({ id: u.id, name: u.name }));
  }

  /** The evaluation the pages show (see the file's header); a page awaits settled() first. */
  evaluation(now = new Date()): EvaluationView {
    return this.kept.evaluation(now);
  }

  /** Before a page: make the evaluation the pages show current (KeptEvaluation.settled). */
  settled(): Promise<void> {
    return this.kept.settled();
  }

  /** A scheduled evaluation was recorded (in one go: tests and benches). */
  afterEvaluation(now: Date, members: Members, ev: Evaluation): void {
    this.kept.afterEvaluation(now, members, ev);
  }

  /** The same in slices (the scheduler's hand-over, compose.ts): the pages show the previous evaluation until it is done. */
  afterEvaluationSliced(now: Date, members: Members, ev: Evaluation, pauser: Pauser): Promise<void> {
    return this.kept.afterEvaluationSliced(now, members, ev, pauser);
  }

  /** Forget the kept evaluation: the next page asks for a fresh one (after any change). */
  invalidate(): void {
    this.kept.invalidate();
  }

  /** When each host's current verdict began. */
  verdictSince(agentIds: readonly string[]): Map<string, string> {
    return this.verdicts.since(agentIds);
  }

  verdictHistory(agentId: string): VerdictChange[] {
    return this.verdicts.history(agentId);
  }

  /** The ministry's and each unit's figures at the last evaluation of each of the last `days` days, and now. */
  trend(days: number, now = new Date()): Trends {
    const endOfDayVn = (d: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - d, 16, 59, 59, 999));
    const instants = Array.from({ length: days }, (_, i) => endOfDayVn(days - i)).filter((t) => t < now);
    instants.push(now);
    // For each instant, the last evaluation at or before it (an index seek), taken once.
    const out: Trends = new Map();
    const seen = new Set<string>();
    for (const t of instants) {
      const at = this.c.indicatorResults.lastAtOrBefore(t).last;
      if (!at || seen.has(at)) continue;
      seen.add(at);
      for (const r of this.c.indicatorResults.at(at)) {
        let byScope = out.get(r.indicator);
        if (!byScope) out.set(r.indicator, (byScope = new Map<string, TrendPoint[]>()));
        let pts = byScope.get(r.scope);
        if (!pts) byScope.set(r.scope, (pts = []));
        pts.push({ at, pass: r.pass, total: r.total });
      }
    }
    return out;
  }

  host(agentId: string): HostRow | undefined {
    return this.c.hosts.get(agentId);
  }

  latestReport(agentId: string): Report | undefined {
    return this.c.hosts.latestReport(agentId);
  }

  /** Where each registry record came from (file or API). */
  systemSources(): Map<string, SystemSource> {
    return this.c.systems.sources();
  }

  system(id: string): { record: SystemRecord; source: SystemSource } | undefined {
    const record = this.c.systems.get(id);
    const source = this.c.systems.sourceOf(id);
    return record && source ? { record, source } : undefined;
  }

  alerts(): AlertRecord[] {
    return this.c.alerts.all();
  }

  agents(unit: string | undefined): AgentListRow[] {
    return this.c.agents.list({ unit });
  }

  agentCount(): number {
    return this.c.agents.count();
  }

  coverage(unit: string): Coverage {
    return this.c.agents.unitCounts(unit);
  }

  unitSecrets(): ReturnType<Collector['agents']['units']> {
    return this.c.agents.units();
  }

  audit(subject?: string, limit = 50): AuditRecord[] {
    return this.c.audit.list({ subject, limit });
  }

  // ---- changes: each goes through the same action as the API and CLI (with its audit record)

  putSystem(record: unknown, actor: string, id: string): void {
    putSystem(this.c, record, actor, id);
    this.invalidate();
  }

  revokeAgent(id: string, actor: string, reason: string): void {
    revokeAgent(this.c, id, actor, reason);
    this.invalidate();
  }

  decommissionHost(id: string, reason: string, actor: string): void {
    decommissionHost(this.c, id, reason, actor);
    this.invalidate();
  }

  /** A new enrollment secret for a unit (returned once), with its audit record. */
  rotateSecret(unit: string, expiresAt: Date | null, actor: string): string {
    return this.c.atomically(() => {
      const r = this.c.agents.rotateSecret(unit, expiresAt);
      if (!r.ok) throw new ApiFailure('NOT_FOUND', `unit "${unit}" is not configured; add it to units: in the collector config first`);
      this.c.audit.record(actor, 'unit.secret.rotate', unit, { expiresAt: expiresAt?.toISOString() ?? null });
      return r.secret;
    });
  }
}

const instances = new WeakMap<Collector, ConsoleData>();

/** The console's data of a collector (one per collector: the kept evaluation is shared). */
export function consoleData(c: Collector): ConsoleData {
  let d = instances.get(c);
  if (!d) instances.set(c, (d = new ConsoleData(c)));
  return d;
}
