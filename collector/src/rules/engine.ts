/**
 * Runs the rules in force over the current state: on each group's interval it evaluates,
 * records the results (history rows and `indicator` points for InfluxDB, in one transaction),
 * steps the alert state machine and hands alerts to the sinks, which deliver in the background.
 */
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import type { CollectorConfig } from '../config.js';
import type { DB } from '../store/db.js';
import type { HostStore } from '../store/hosts.js';
import type { Outbox } from '../store/outbox.js';
import type { SystemStore } from '../store/systems.js';
import type { Point } from '../influx/points.js';
import { MEASUREMENTS } from '../influx/points.js';
import { AlertmanagerSink, toAmAlerts } from '../alerts/alertmanager.js';
import { Dispatcher } from '../alerts/dispatcher.js';
import { EmailSink } from '../alerts/email.js';
import { fingerprint, type AlertNotice, type NoticeSink } from '../alerts/types.js';
import { WebhookSink } from '../alerts/webhook.js';
import { AlertStore, type AlertRecord, type Observation } from './alerting.js';
import { evaluateRule, type IndicatorResult } from './evaluate.js';
import { loadHostInputs } from './facts.js';
import type { Rule } from './format.js';
import { RuleManager } from './manager.js';
import type { PortalFacts } from '../portals/facts.js';
import { hostMembers, systemMembers, type HostMember, type SystemMember } from './members.js';
import { observe } from './observe.js';

export interface Evaluation {
  evaluatedAt: string;
  units: { id: string; name: string }[];
  indicators: IndicatorResult[];
}

/** The hosts and systems one evaluation counted. */
export interface Members {
  hosts: HostMember[];
  systems: SystemMember[];
}

export interface EngineOptions {
  /** Rule files/directories (default: the shipped rules/), or a manager. */
  rules?: RuleManager | readonly string[] | undefined;
  alerting?: CollectorConfig['alerting'];
  /** Interval of groups that set none. */
  defaultIntervalMs?: number;
  resolvedResendMinutes?: number;
  log?: FastifyBaseLogger;
  /** The newest outside probe of each portal (src/portals/), for `system.portal.*`. */
  portals?: () => ReadonlyMap<string, PortalFacts>;
}

export class Engine {
  /** Duration of the last evaluation, for /metrics. */
  lastEvaluationMs = 0;
  /** Called after each scheduled evaluation was recorded (e.g. to queue dashboard points). */
  afterEvaluation: ((now: Date, members: Members) => void) | undefined;
  readonly rules: RuleManager;
  readonly alerts: AlertStore;
  readonly dispatcher: Dispatcher;
  readonly alertmanager: AlertmanagerSink | undefined;
  private readonly log: FastifyBaseLogger;
  private readonly defaultIntervalMs: number;
  private readonly resolvedKeepMs: number;
  private readonly externalUrl: string;
  private timer: NodeJS.Timeout | undefined;
  private readonly nextAt = new Map<string, number>();
  private readonly portals: (() => ReadonlyMap<string, PortalFacts>) | undefined;

  constructor(
    private readonly db: DB,
    _hosts: HostStore,
    private readonly systems: SystemStore,
    private readonly outbox: Outbox,
    private readonly units: () => { id: string; name: string }[],
    private readonly staleAfterMinutes: number,
    opts: EngineOptions = {},
  ) {
    this.log = opts.log ?? pino({ level: 'silent' });
    this.portals = opts.portals;
    this.rules = opts.rules instanceof RuleManager ? opts.rules : new RuleManager(opts.rules);
    this.alerts = new AlertStore(db);
    this.defaultIntervalMs = opts.defaultIntervalMs ?? 300_000;
    this.resolvedKeepMs = (opts.resolvedResendMinutes ?? 15) * 60_000;
    const a = opts.alerting;
    this.externalUrl = (a?.externalUrl ?? 'http://localhost:8080').replace(/\/$/, '');
    const sinks: NoticeSink[] = [];
    if (a?.webhook) sinks.push(new WebhookSink(a.webhook, this.externalUrl));
    if (a?.email) sinks.push(new EmailSink({ ...a.email, to: a.email.to }));
    this.dispatcher = new Dispatcher(db, sinks, this.log);
    this.alertmanager = a?.alertmanager ? new AlertmanagerSink(a.alertmanager, this.log) : undefined;
  }

  private members(now: Date) {
    const hosts = hostMembers(loadHostInputs(this.db), now, this.staleAfterMinutes);
    const registry = this.systems.all();
    return { hosts, systems: systemMembers(registry, hosts, this.portals?.(), now), systemNames: new Map(registry.map((r) => [r.id, r.name])) };
  }

  private selected(groups?: ReadonlySet<string>): Rule[] {
    return this.rules.groups.filter((g) => !groups || groups.has(g.name)).flatMap((g) => g.rules);
  }

  /** Evaluate the rules in force (or those of `groups`) without recording anything. */
  evaluateNow(now = new Date(), groups?: ReadonlySet<string>): Evaluation {
    return this.run(now, groups).ev;
  }

  /** The same, with the members it counted (the report's footnotes need them: no second load). */
  evaluateNowWithMembers(now = new Date()): { ev: Evaluation; members: Members } {
    const { ev, members } = this.run(now);
    return { ev, members };
  }

  private run(now: Date, groups?: ReadonlySet<string>) {
    const started = performance.now();
    const units = this.units();
    const unitIds = units.map((u) => u.id);
    const m = this.members(now);
    const rules = this.selected(groups);
    const indicators = rules.map((r) => evaluateRule(r, r.population === 'hosts' ? m.hosts : m.systems, unitIds, now));
    this.lastEvaluationMs = performance.now() - started;
    return { ev: { evaluatedAt: now.toISOString(), units, indicators }, rules, systemNames: m.systemNames, members: { hosts: m.hosts, systems: m.systems } };
  }

  /** Evaluate and record: history rows, InfluxDB points and alert state, in one transaction. */
  evaluateAndRecord(now = new Date(), groups?: ReadonlySet<string>): Evaluation {
    return this.record(now, groups).ev;
  }

  private record(now: Date, groups?: ReadonlySet<string>): { ev: Evaluation; members: Members } {
    const { ev, rules, systemNames, members } = this.run(now, groups);
    const unitNames = new Map(ev.units.map((u) => [u.id, u.name]));
    const ts = now.getTime();
    const points: Point[] = [];
    const observations: Observation[] = [];
    const ruleOf = new Map(this.rules.rules.map((r) => [r.indicator, r]));
    const ins = this.db.prepare('INSERT OR REPLACE INTO indicator_results (evaluated_at, indicator, scope, pass, total, target) VALUES (?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const [i, ind] of ev.indicators.entries()) {
        const rule = rules[i]!;
        for (const o of observe(rule, ind, unitNames, systemNames)) {
          ins.run(ev.evaluatedAt, ind.id, o.scope, o.pass, o.total, ind.target);
          const fields: Point['fields'] = { pass: o.pass, total: o.total, target: ind.target };
          if (o.value !== null) fields.ratio = o.value;
          if (o.result.met !== null) fields.met = o.result.met;
          // No empty tag values: InfluxDB 1.x refuses a line with `unit=` ("missing tag value"),
          // which silently dropped every ministry point before.
          const tags: Record<string, string> = { indicator: ind.id, scope: o.kind };
          if (o.kind !== 'ministry') tags[o.kind] = o.id;
          points.push({ measurement: MEASUREMENTS.indicator, tags, fields, timestamp: ts });
          observations.push(o);
        }
      }
      this.outbox.add(points);
      const stored = new Set(this.alerts.all().map((a) => a.indicator));
      const retired = new Set([...stored].filter((id) => !ruleOf.has(id)));
      const transitions = this.alerts.apply(observations, new Set(rules.map((r) => r.indicator)), retired, now, this.resolvedKeepMs);
      for (const t of transitions) {
        this.dispatcher.enqueue(this.notice(t.alert, t.transition, ruleOf.get(t.alert.indicator)), now);
        this.log.info({ indicator: t.alert.indicator, scope: t.alert.scope, state: t.transition, value: t.alert.value }, `alert ${t.transition}`);
      }
    })();
    this.alertmanager?.push(toAmAlerts(this.alerts.active(), now, this.resendIntervalMs(), (a) => this.generatorURL(a)));
    return { ev, members };
  }

  private notice(a: AlertRecord, status: 'firing' | 'resolved', rule: Rule | undefined): AlertNotice {
    const [kind, ...rest] = a.scope.split(':');
    return {
      status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.firedAt ?? a.activeAt,
      endsAt: status === 'resolved' ? a.resolvedAt : null,
      generatorURL: this.generatorURL(a),
      fingerprint: fingerprint(a.labels),
      indicator: a.indicator,
      title: rule?.title ?? { vi: a.indicator, en: a.indicator },
      basis: rule?.basis ?? '',
      scopeKind: kind!,
      scopeId: rest.join(':'),
      scopeName: a.annotations.scope_name ?? rest.join(':'),
      value: a.value,
      pass: a.pass,
      total: a.total,
      target: a.target,
      due: rule?.due ?? null,
    };
  }

  private generatorURL(a: AlertRecord): string {
    return `${this.externalUrl}/api/v1/report?format=markdown#${encodeURIComponent(a.indicator)}`;
  }

  private resendIntervalMs(): number {
    return Math.min(...this.rules.groups.map((g) => g.intervalMs ?? this.defaultIntervalMs), this.defaultIntervalMs);
  }

  /** Evaluate each group when its interval has passed; deliver notices in the background. */
  start(tickMs = 1000): void {
    const tick = () => {
      const now = new Date();
      const due = new Set(this.rules.groups.filter((g) => (this.nextAt.get(g.name) ?? 0) <= now.getTime()).map((g) => g.name));
      if (!due.size) return;
      try {
        const { members } = this.record(now, due);
        this.afterEvaluation?.(now, members);
      } catch (e) {
        this.log.error({ err: e }, 'indicator evaluation failed; will retry at the next interval');
      }
      for (const g of this.rules.groups) if (due.has(g.name)) this.nextAt.set(g.name, now.getTime() + (g.intervalMs ?? this.defaultIntervalMs));
    };
    tick();
    this.timer = setInterval(tick, tickMs);
    this.dispatcher.start();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.dispatcher.stop();
    await this.alertmanager?.settle();
  }
}
