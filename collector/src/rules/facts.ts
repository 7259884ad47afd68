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
  /** JSON [os family, products, ipv6 reasons, baseline probe result] */
  facts: string;
}

// One json_extract with four paths parses each stored report once (four separate calls
// parse it four times; json_each subqueries were slower still: bench/rules-eval.mjs).
const SQL = `
  SELECT agent_id, unit, hostname, role, systems, protected, protection_reasons, ipv6_readiness, received_at, decommissioned_at,
    json_extract(report, '$.probes.host.facts.os.family', '$.probes.protection.facts.products', '$.probes.ipv6.facts.reasons', '$.probes.baseline') AS facts
  FROM hosts`;

type Check = { id: string; level: number; result: 'pass' | 'fail' | 'unknown' };

export function loadHostInputs(db: DB): HostInput[] {
  return (db.prepare(SQL).all() as Raw[]).map((r) => {
    const [os, products, ipv6Reasons, baseline] = JSON.parse(r.facts) as [string | null, { id: string }[] | null, string[] | null, { ok: boolean; facts?: { checks: Check[] } } | null];
    return {
      agentId: r.agent_id,
      unit: r.unit,
      hostname: r.hostname,
      role: r.role,
      os: os ?? 'unknown',
      systems: JSON.parse(r.systems) as string[],
      protected: r.protected === null ? null : r.protected === 1,
      protectionReasons: JSON.parse(r.protection_reasons) as string[],
      products: products ? products.map((p) => p.id) : [],
      ipv6Readiness: r.ipv6_readiness,
      ipv6Reasons: ipv6Reasons ?? [],
      baseline: baseline?.ok && baseline.facts ? baseline.facts.checks.map(({ id, level, result }) => ({ id, level, result })) : null,
      receivedAt: r.received_at,
      decommissionedAt: r.decommissioned_at,
    };
  });
}
