/**
 * What the collector writes to InfluxDB. Few points per report: one wide `host` point per
 * report and one sparse `protection_product` point per product found. Measurements, tags and
 * fields are documented in collector/README.md; a field never changes type once shipped.
 */
import type { Report } from '@posture/protocol';
import { IPV6_LEVELS } from '@posture/protocol';
import { productKeys } from '../policy/protection.js';

/** A point as stored in the outbox (JSON) and handed to node-influx's writePoints. */
export interface Point {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number | boolean | string>;
  /** Milliseconds since the epoch (written with precision 'ms'). */
  timestamp: number;
}

export const MEASUREMENTS = {
  host: 'host',
  product: 'protection_product',
  indicator: 'indicator',
  system: 'system',
  collector: 'collector',
  // The portal prober's outside view (src/portals/points.ts).
  portal: 'portal',
  portalCheck: 'portal_check',
} as const;

type FieldType = 'number' | 'boolean' | 'string';

/**
 * Every measurement, tag and field the collector writes, in one place: dashboards/ checks each
 * panel query against it, and the dashboard integration test checks it against SHOW FIELD KEYS
 * of an InfluxDB the collector filled. Numbers are written as floats (node-influx's default).
 */
export const INFLUX_SCHEMA = {
  host: {
    tags: ['unit', 'unit_name', 'agent_id', 'hostname', 'role', 'os'],
    fields: {
      collect_ms: 'number',
      spool_depth: 'number',
      dropped: 'number',
      probe_errors: 'number',
      agent_version: 'string',
      uptime_s: 'number',
      os_release: 'string',
      protected: 'boolean',
      products: 'number',
      min_signature_age_h: 'number',
      protection_reason: 'string',
      ipv6_readiness: 'string',
      ipv6_level: 'number',
      baseline_pass: 'number',
      baseline_fail: 'number',
      baseline_unknown: 'number',
      systems: 'string',
    },
  },
  protection_product: {
    // product_key only on a repeat of an id on one host (sophos#2): the first keeps its series.
    tags: ['unit', 'unit_name', 'agent_id', 'hostname', 'product', 'product_key'],
    fields: { installed: 'boolean', protects: 'boolean', running: 'boolean', real_time: 'boolean', signature_age_h: 'number', version: 'string' },
  },
  indicator: {
    tags: ['indicator', 'scope', 'unit', 'unit_name', 'system', 'system_name'],
    fields: { pass: 'number', total: 'number', ratio: 'number', target: 'number', met: 'boolean' },
  },
  // Level and registration are fields, not tags: a system whose level changes stays one series,
  // so "the last point per system" is one row, not one per level it ever had.
  system: {
    tags: ['unit', 'unit_name', 'system', 'system_name', 'portal'],
    fields: { name: 'string', level: 'number', registered: 'boolean', approved: 'boolean', plan_deployed: 'boolean', classified: 'boolean', hosts: 'number', ipv6_ready_hosts: 'number', ipv6_ready: 'boolean' },
  },
  collector: {
    tags: [],
    fields: { accepted: 'number', duplicate: 'number', rejected: 'number', outbox_depth: 'number', evaluation_ms: 'number', agents: 'number' },
  },
  // One point per portal per probe run; `blocking` is the comma-separated reason codes.
  portal: {
    tags: ['unit', 'unit_name', 'system', 'system_name'],
    fields: { level: 'string', level_no: 'number', ready: 'boolean', probe_ms: 'number', checks_pass: 'number', checks_fail: 'number', checks_unreachable: 'number', blocking: 'string' },
  },
  // One point per criterion per portal per run; similarity only on web_same_content.
  portal_check: {
    tags: ['unit', 'unit_name', 'system', 'system_name', 'criterion'],
    fields: { status: 'string', pass: 'boolean', check_ms: 'number', similarity: 'number' },
  },
} as const satisfies Record<(typeof MEASUREMENTS)[keyof typeof MEASUREMENTS], { tags: readonly string[]; fields: Record<string, FieldType> }>;

/**
 * The host's systems as one string field: ",sys-a,sys-b," (leading and trailing comma), so that
 * a dashboard filters by system with a regex such as /,(sys-a|sys-b),/ . A tag cannot hold a
 * list, and one point per (host, system) would multiply series.
 */
export const systemsField = (systems: readonly string[]): string => `,${systems.join(',')},`;

/**
 * How many points pointsOfReport makes of a report (the host's, and one per protection product),
 * for the outbox's room check on the event loop, where the points themselves are not built.
 */
export const pointCountOfReport = (report: Report): number => 1 + (report.probes.protection?.ok ? report.probes.protection.facts.products.length : 0);

/**
 * The points of one report; `collectedMs` is its collectedAt as parsed once at ingest.
 * `unitName` (the unit's short name from the config) is the `unit_name` tag dashboards show
 * instead of the id; the id stays the tag that filters and groups.
 */
export function pointsOfReport(report: Report, unit: string, collectedMs = Date.parse(report.collectedAt), unitName?: string): Point[] {
  const ts = collectedMs;
  const { host, membership, protection, ipv6, baseline } = report.probes;
  const hostname = host.ok ? host.facts.hostname : '';
  // InfluxDB has no empty tag values: an unknown hostname is an absent tag (reads back as "").
  const tags: Record<string, string> = {
    unit,
    ...(unitName ? { unit_name: unitName } : {}),
    agent_id: report.agentId,
    ...(hostname ? { hostname } : {}),
    role: membership.ok ? membership.facts.role : host.ok ? host.facts.role : 'unknown',
    os: host.ok ? host.facts.os.family : 'unknown',
  };
  const fields: Point['fields'] = {
    collect_ms: report.agent.collectMs,
    spool_depth: report.agent.spoolDepth,
    dropped: report.agent.dropped,
    probe_errors: Object.values(report.probes).filter((p) => p && !p.ok).length,
  };
  if (membership.ok) fields.systems = systemsField(membership.facts.systems);
  if (host.ok) {
    fields.agent_version = host.facts.agentVersion;
    fields.uptime_s = host.facts.uptimeSeconds;
    fields.os_release = `${host.facts.os.distro} ${host.facts.os.release}`.trim();
  }
  if (protection?.ok) {
    fields.protected = protection.facts.protected;
    fields.products = protection.facts.products.length;
    const ages = protection.facts.products.map((p) => p.signatureAgeHours).filter((a): a is number => a !== null);
    if (ages.length) fields.min_signature_age_h = Math.min(...ages);
    fields.protection_reason = protection.facts.reasons.join('; ').slice(0, 1000);
  }
  if (ipv6?.ok) {
    fields.ipv6_readiness = ipv6.facts.readiness;
    fields.ipv6_level = IPV6_LEVELS.indexOf(ipv6.facts.readiness);
  }
  if (baseline?.ok) {
    fields.baseline_pass = baseline.facts.checks.filter((c) => c.result === 'pass').length;
    fields.baseline_fail = baseline.facts.checks.filter((c) => c.result === 'fail').length;
    fields.baseline_unknown = baseline.facts.checks.filter((c) => c.result === 'unknown').length;
  }
  const points: Point[] = [{ measurement: MEASUREMENTS.host, tags, fields, timestamp: ts }];
  if (protection?.ok) {
    const keys = productKeys(protection.facts.products.map((p) => p.id));
    for (const [i, p] of protection.facts.products.entries()) {
      const key = keys[i]!;
      const pf: Point['fields'] = { installed: p.installed, protects: p.protects };
      if (p.running !== null) pf.running = p.running;
      if (p.realTime !== null) pf.real_time = p.realTime;
      if (p.signatureAgeHours !== null) pf.signature_age_h = p.signatureAgeHours;
      if (p.version) pf.version = p.version;
      points.push({
        measurement: MEASUREMENTS.product,
        tags: { unit, ...(unitName ? { unit_name: unitName } : {}), agent_id: report.agentId, ...(hostname ? { hostname } : {}), product: p.id, ...(key !== p.id ? { product_key: key } : {}) },
        fields: pf,
        timestamp: ts,
      });
    }
  }
  return points;
}
