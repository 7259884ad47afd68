/**
 * Read what rules need of every host from the state store in one query. The few facts that
 * have no column of their own (OS family, product ids, IPv6 reasons, baseline checks) are
 * pulled out of the stored report by SQLite's JSON functions, so the full report JSON of
 * every host is never parsed in JS.
 */
import type { DB } from '../store/db.js';
import type { HostInput } from './members.js';

interface Raw {
  agent_id: string;
  unit: string;
  hostname: string;
  role: string;
  systems: string;
  protected: number | null;
  protection_reasons: string;
  ipv6_readiness: string | null;
  received_at: string;
  decommissioned_at: string | null;
  os: string | null;
  products: string | null;
  ipv6_reasons: string | null;
  baseline: string | null;
}

const SQL = `
  SELECT agent_id, unit, hostname, role, systems, protected, protection_reasons, ipv6_readiness, received_at, decommissioned_at,
    json_extract(report, '$.probes.host.facts.os.family') AS os,
    (SELECT json_group_array(json_extract(p.value, '$.id')) FROM json_each(report, '$.probes.protection.facts.products') p) AS products,
    json_extract(report, '$.probes.ipv6.facts.reasons') AS ipv6_reasons,
    CASE WHEN json_extract(report, '$.probes.baseline.ok') THEN
      (SELECT json_group_array(json_array(json_extract(c.value, '$.id'), json_extract(c.value, '$.level'), json_extract(c.value, '$.result')))
       FROM json_each(report, '$.probes.baseline.facts.checks') c)
    END AS baseline
  FROM hosts`;

export function loadHostInputs(db: DB): HostInput[] {
  return (db.prepare(SQL).all() as Raw[]).map((r) => ({
    agentId: r.agent_id,
    unit: r.unit,
    hostname: r.hostname,
    role: r.role,
    os: r.os ?? 'unknown',
    systems: JSON.parse(r.systems) as string[],
    protected: r.protected === null ? null : r.protected === 1,
    protectionReasons: JSON.parse(r.protection_reasons) as string[],
    products: r.products ? (JSON.parse(r.products) as string[]) : [],
    ipv6Readiness: r.ipv6_readiness,
    ipv6Reasons: r.ipv6_reasons ? (JSON.parse(r.ipv6_reasons) as string[]) : [],
    baseline: r.baseline ? (JSON.parse(r.baseline) as [string, number, 'pass' | 'fail' | 'unknown'][]).map(([id, level, result]) => ({ id, level, result })) : null,
    receivedAt: r.received_at,
    decommissionedAt: r.decommissioned_at,
  }));
}
