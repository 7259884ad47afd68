/**
 * InfluxDB points of a probe run (documented in collector/README.md, declared in
 * influx/points.ts INFLUX_SCHEMA): one `portal` point per portal and one `portal_check` point
 * per criterion, at the probe's start instant. `names` gives the unit_name (config units[]
 * shortName or name) and system_name (the registry's name) tags dashboards show.
 */
import type { Point } from '../influx/points.js';
import { PORTAL_LEVELS, type PortalResult } from './types.js';

export interface PortalNames {
  unit: ReadonlyMap<string, string>;
  system: ReadonlyMap<string, string>;
}

export function portalPoints(results: readonly PortalResult[], names: PortalNames = { unit: new Map(), system: new Map() }): Point[] {
  const out: Point[] = [];
  for (const r of results) {
    const unitName = names.unit.get(r.unit);
    const systemName = names.system.get(r.systemId);
    const tags = { unit: r.unit, ...(unitName ? { unit_name: unitName } : {}), system: r.systemId, ...(systemName ? { system_name: systemName } : {}) };
    const count = (s: string) => r.checks.filter((c) => c.status === s).length;
    out.push({
      measurement: 'portal',
      tags,
      timestamp: r.probedAt,
      fields: {
        level: r.level,
        level_no: r.level === 'unknown' ? -1 : PORTAL_LEVELS.indexOf(r.level),
        ready: r.ready,
        probe_ms: r.ms,
        checks_pass: count('pass'),
        checks_fail: count('fail'),
        checks_unreachable: count('unreachable'),
        blocking: [...new Set(r.blocking.map((b) => b.code))].join(','),
      },
    });
    for (const c of r.checks) {
      const fields: Point['fields'] = { status: c.status, pass: c.status === 'pass' || c.status === 'n/a', check_ms: c.ms };
      const pages = (c.evidence as { pages?: { similarity?: number | null }[] }).pages;
      if (c.criterion === 'web_same_content' && pages) {
        const scores = pages.map((p) => p.similarity).filter((x): x is number => typeof x === 'number');
        if (scores.length) fields.similarity = Math.min(...scores);
      }
      out.push({ measurement: 'portal_check', tags: { ...tags, criterion: c.criterion }, timestamp: r.probedAt, fields });
    }
  }
  return out;
}
