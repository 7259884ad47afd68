/**
 * Points written at each evaluation besides the indicators: one `system` point per
 * information system (the registry plus systems declared by agents), for the Information
 * systems and IPv6 dashboards, and one `collector` point with the collector's own counters,
 * for the Agent health dashboard (rejected reports, outbox depth).
 */
import type { Collector } from '../context.js';
import { VERDICT, type Members } from '../rules/engine.js';
import { MEASUREMENTS, type Point } from './points.js';

/**
 * The indicator whose per-system verdict is the `classified` field: the dashboards count
 * exactly what the report's row counts (the rule's whole pass expression, baseline of the
 * level included), never a second definition.
 */
export const CLASSIFIED_INDICATOR = 'systems_classified';

/** From the members the evaluation just counted (not loaded again), with their verdicts. */
export function inventoryPoints(c: Collector, { hosts, systems, verdicts }: Members, now = new Date()): Point[] {
  const classified = verdicts.get(CLASSIFIED_INDICATOR);
  const ts = now.getTime();
  // One pass over the hosts (a ministry has tens of thousands), not one per system.
  const serving = new Map<string, { hosts: number; ready: number }>();
  for (const h of hosts) {
    for (const id of h.systems) {
      const count = serving.get(id) ?? { hosts: 0, ready: 0 };
      count.hosts++;
      if (!h.stale && h.ipv6Readiness === 'ready') count.ready++;
      serving.set(id, count);
    }
  }
  const unitName = new Map(c.config.units.map((u) => [u.id, u.shortName ?? u.name]));
  const points: Point[] = systems.map((s, i) => {
    const { hosts: n, ready } = serving.get(s.id) ?? { hosts: 0, ready: 0 };
    const un = unitName.get(s.unit);
    return {
      measurement: MEASUREMENTS.system,
      // The names are for the dashboards' legends and tables; the ids filter and group.
      tags: { unit: s.unit, ...(un ? { unit_name: un } : {}), system: s.id, system_name: s.name, portal: s.tags.includes('portal') ? 'yes' : 'no' },
      fields: {
        name: s.name,
        // 0: level not determined.
        level: s.level ?? 0,
        registered: s.registered,
        approved: s.approved,
        plan_deployed: s.planDeployed,
        // Absent when the rule is not in force (or this evaluation did not run its group).
        ...(classified ? { classified: classified[i] === VERDICT.pass } : {}),
        hosts: n,
        ipv6_ready_hosts: ready,
        // Same rule as the report's portal footnote: every serving host ready, stale ones not.
        ipv6_ready: n > 0 && ready === n,
      },
      timestamp: ts,
    };
  });
  const { accepted, duplicate, rejected } = c.metrics.ingestTotals();
  points.push({
    measurement: MEASUREMENTS.collector,
    tags: {},
    fields: { accepted, duplicate, rejected, outbox_depth: c.outbox.depth(), evaluation_ms: c.engine.lastEvaluationMs, agents: c.agents.count() },
    timestamp: ts,
  });
  return points;
}
