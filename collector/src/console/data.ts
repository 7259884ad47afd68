/**
 * The console's only door into the rest of the collector. Pages read and change state through
 * this module and nothing else, so a change of the collector's inside (stores, engine) changes
 * this file, not the pages.
 *
 * Figures come from the engine's scheduled evaluation, the one that records the indicator
 * history and steps the alerts: `startServices` (compose.ts) hands each one to
 * `afterEvaluation`, and the pages show it (every page says when it ran). Only when there is none yet, when the last one is older than
 * two intervals (the scheduler is not running, e.g. under tests), or after a change made in the
 * console, the next page asks the engine itself, with the same call the appendix report makes
 * (`evaluateNowWithMembers`): so an approval recorded in the registry moves indicator 11 at once.
 */
import type { FailReason } from '../rules/reasons.js';
import type { Report } from '@posture/protocol';
import type { Collector } from '../context.js';
import { decommissionHost, putSystem, revokeAgent } from '../admin/actions.js';
import { ApiFailure } from '../errors.js';
import type { Evaluation, Members } from '../rules/engine.js';
import type { FailingMember, IndicatorResult } from '../rules/evaluate.js';
import type { HostMember, SystemMember } from '../rules/members.js';
import type { AlertRecord } from '../rules/alerting.js';
import type { AgentListRow } from '../store/agents.js';
import type { AuditRecord } from '../store/audit.js';
import type { ConsoleSessionStore } from '../store/console-sessions.js';
import type { VerdictChange } from '../store/host-verdicts.js';
import type { HostRow } from '../store/hosts.js';
import type { SystemRecord, SystemSource } from '../store/systems.js';
import type { Role, TokenStore } from '../store/tokens.js';

/** A sample of one scope's figure: the evaluation it comes from. */
export interface TrendPoint {
  at: string;
  pass: number;
  total: number;
}

/** trend.get(indicator)?.get(scope) -> points, oldest first; scope is 'ministry' or 'unit:<id>' as stored. */
export type Trends = Map<string, Map<string, TrendPoint[]>>;

export type { AgentListRow, AlertRecord, AuditRecord, FailingMember, HostMember, HostRow, IndicatorResult, Report, Role, SystemMember, SystemRecord, SystemSource, VerdictChange };

/**
 * What the pages show of a host counted by the evaluation. Kept instead of the host member
 * itself: members carry every fact rules read (the CEL view, baseline checks, product facts),
 * which for 100,000 hosts is hundreds of MB that no page reads.
 */
export type ConsoleHost = Pick<HostMember, 'id' | 'unit' | 'hostname' | 'stale' | 'protected' | 'lastSeen'>;

/** One evaluation and the indexes the pages look things up by. */
export interface EvaluationView {
  ev: Evaluation;
  /** The systems counted (registered or declared). */
  systems: SystemMember[];
  /** Hosts counted, by agent id. */
  hostById: Map<string, ConsoleHost>;
  /** Per unit, per indicator id: the members failing it. */
  failingByUnit: Map<string, Map<string, FailingMember[]>>;
  /** Per indicator id: member id -> its reasons, for the members failing it. */
  failingById: Map<string, Map<string, FailReason[]>>;
  /** Per unit: its hosts counted (all, stale). */
  hostCounts: Map<string, { total: number; stale: number }>;
  /** Per unit: its systems (registered or declared). */
  systemsByUnit: Map<string, SystemMember[]>;
  systemById: Map<string, SystemMember>;
  /** Per system id: the hosts that declare it. */
  hostsBySystem: Map<string, ConsoleHost[]>;
}

/** A unit's agents, counted. */
export interface Coverage {
  enrolled: number;
  revoked: number;
  neverReported: number;
}

export class ConsoleData {
  private kept: { view: EvaluationView; at: number } | undefined;

  constructor(
    private readonly c: Collector,
    /** How long one evaluation may serve the pages before they ask for a fresh one. */
    private readonly maxAgeMs = Math.max(10, 2 * c.config.evaluationIntervalSeconds) * 1000,
  ) {}

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

  /** The evaluation the pages show (see the file's header). */
  evaluation(now = new Date()): EvaluationView {
    if (this.kept && now.getTime() - this.kept.at < this.maxAgeMs) return this.kept.view;
    const { ev, members } = this.c.engine.evaluateNowWithMembers(now);
    this.keep(ev, members, now);
    return this.kept!.view;
  }

  /**
   * A scheduled evaluation was recorded. It holds the indicators of the groups that were due;
   * the other indicators keep their last results (their own group's last evaluation).
   */
  afterEvaluation(now: Date, members: Members, ev: Evaluation): void {
    const prev = this.kept?.view.ev;
    const fresh = new Set(ev.indicators.map((i) => i.id));
    if (!prev && this.c.engine.rules.rules.some((r) => !fresh.has(r.indicator))) {
      // Only some groups were due and nothing is kept to complete them: the next page evaluates.
      this.verdicts.record(members.hosts, now);
      return;
    }
    const merged = prev ? { ...ev, indicators: [...ev.indicators, ...prev.indicators.filter((i) => !fresh.has(i.id))] } : ev;
    this.keep(merged, members, now);
  }

  private keep(ev: Evaluation, members: Members, now: Date): void {
    this.kept = { view: index(ev, members), at: now.getTime() };
    this.verdicts.record(members.hosts, now);
  }

  /** Forget the kept evaluation: the next page asks for a fresh one (after any change). */
  invalidate(): void {
    this.kept = undefined;
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

function index(ev: Evaluation, members: Members): EvaluationView {
  const hostById = new Map<string, ConsoleHost>();
  const failingByUnit = new Map<string, Map<string, FailingMember[]>>();
  const failingById = new Map<string, Map<string, FailReason[]>>();
  for (const ind of ev.indicators) {
    const ids = new Map<string, FailReason[]>();
    failingById.set(ind.id, ids);
    for (const f of ind.failing) {
      ids.set(f.id, f.reasons);
      let u = failingByUnit.get(f.unit);
      if (!u) failingByUnit.set(f.unit, (u = new Map<string, FailingMember[]>()));
      let list = u.get(ind.id);
      if (!list) u.set(ind.id, (list = []));
      list.push(f);
    }
  }
  const hostCounts = new Map<string, { total: number; stale: number }>();
  const hostsBySystem = new Map<string, ConsoleHost[]>();
  for (const m of members.hosts) {
    const h: ConsoleHost = { id: m.id, unit: m.unit, hostname: m.hostname, stale: m.stale, protected: m.protected, lastSeen: m.lastSeen };
    hostById.set(h.id, h);
    let n = hostCounts.get(h.unit);
    if (!n) hostCounts.set(h.unit, (n = { total: 0, stale: 0 }));
    n.total++;
    if (h.stale) n.stale++;
    for (const s of m.systems) {
      let list = hostsBySystem.get(s);
      if (!list) hostsBySystem.set(s, (list = []));
      list.push(h);
    }
  }
  const systemsByUnit = new Map<string, SystemMember[]>();
  for (const s of members.systems) {
    let list = systemsByUnit.get(s.unit);
    if (!list) systemsByUnit.set(s.unit, (list = []));
    list.push(s);
  }
  return { ev, systems: members.systems, hostById, failingByUnit, failingById, hostCounts, systemsByUnit, systemById: new Map(members.systems.map((s) => [s.id, s])), hostsBySystem };
}

const instances = new WeakMap<Collector, ConsoleData>();

/** The console's data of a collector (one per collector: the kept evaluation is shared). */
export function consoleData(c: Collector): ConsoleData {
  let d = instances.get(c);
  if (!d) instances.set(c, (d = new ConsoleData(c)));
  return d;
}
