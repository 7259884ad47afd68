/**
 * Runs every indicator over the current state, and (on the schedule) records the results as
 * history in the store and as `indicator` points in the outbox for InfluxDB.
 */
import type { DB } from '../store/db.js';
import type { HostStore } from '../store/hosts.js';
import type { Outbox } from '../store/outbox.js';
import type { SystemStore } from '../store/systems.js';
import type { Point } from '../influx/points.js';
import { MEASUREMENTS } from '../influx/points.js';
import { endpointProtection, systemsClassified } from './builtin.js';
import { evaluate, type IndicatorResult } from './evaluate.js';
import { hostMembers, systemMembers } from './members.js';

export interface Evaluation {
  evaluatedAt: string;
  units: { id: string; name: string }[];
  indicators: IndicatorResult[];
}

export class Engine {
  /** Duration of the last evaluation, for /metrics. */
  lastEvaluationMs = 0;

  constructor(
    private readonly db: DB,
    private readonly hosts: HostStore,
    private readonly systems: SystemStore,
    private readonly outbox: Outbox,
    private readonly units: () => { id: string; name: string }[],
    private readonly staleAfterMinutes: number,
  ) {}

  evaluateNow(now = new Date()): Evaluation {
    const started = performance.now();
    const units = this.units();
    const unitIds = units.map((u) => u.id);
    const hosts = hostMembers(this.hosts.all(), now, this.staleAfterMinutes);
    const systems = systemMembers(this.systems.all(), hosts);
    const indicators = [evaluate(systemsClassified, systems, unitIds), evaluate(endpointProtection, hosts, unitIds)];
    this.lastEvaluationMs = performance.now() - started;
    return { evaluatedAt: now.toISOString(), units, indicators };
  }

  /** Evaluate and record: history rows and InfluxDB points, in one transaction. */
  evaluateAndRecord(now = new Date()): Evaluation {
    const ev = this.evaluateNow(now);
    const ts = now.getTime();
    const points: Point[] = [];
    const ins = this.db.prepare('INSERT OR REPLACE INTO indicator_results (evaluated_at, indicator, scope, pass, total, target) VALUES (?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const ind of ev.indicators) {
        for (const s of [ind.ministry, ...ind.units]) {
          const scope = s.scope === 'ministry' ? 'ministry' : `unit:${s.scope}`;
          ins.run(ev.evaluatedAt, ind.id, scope, s.pass, s.total, ind.target);
          const fields: Point['fields'] = { pass: s.pass, total: s.total, target: ind.target };
          if (s.ratio !== null) fields.ratio = s.ratio;
          if (s.met !== null) fields.met = s.met;
          points.push({
            measurement: MEASUREMENTS.indicator,
            // InfluxDB refuses an empty tag value (and the whole batch with it): the ministry row has no unit tag.
            tags: s.scope === 'ministry' ? { indicator: ind.id, scope: 'ministry' } : { indicator: ind.id, scope: 'unit', unit: s.scope },
            fields,
            timestamp: ts,
          });
        }
      }
      this.outbox.add(points);
    })();
    return ev;
  }
}
