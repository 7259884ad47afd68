/**
 * What the collector writes to InfluxDB. Few points per report: one wide `host` point per
 * report and one sparse `protection_product` point per product found. Measurements, tags and
 * fields are documented in collector/README.md; a field never changes type once shipped.
 */
import type { Report } from '@posture/protocol';
import { IPV6_LEVELS } from '@posture/protocol';

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
} as const;

export function pointsOfReport(report: Report, unit: string): Point[] {
  const ts = Date.parse(report.collectedAt);
  const { host, membership, protection, ipv6, baseline } = report.probes;
  const hostname = host.ok ? host.facts.hostname : '';
  // InfluxDB has no empty tag values: an unknown hostname is an absent tag (reads back as "").
  const tags: Record<string, string> = {
    unit,
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
    for (const p of protection.facts.products) {
      const pf: Point['fields'] = { installed: p.installed, protects: p.protects };
      if (p.running !== null) pf.running = p.running;
      if (p.realTime !== null) pf.real_time = p.realTime;
      if (p.signatureAgeHours !== null) pf.signature_age_h = p.signatureAgeHours;
      if (p.version) pf.version = p.version;
      points.push({ measurement: MEASUREMENTS.product, tags: { unit, agent_id: report.agentId, ...(hostname ? { hostname } : {}), product: p.id }, fields: pf, timestamp: ts });
    }
  }
  return points;
}
