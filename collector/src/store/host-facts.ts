/**
 * What rules need of every host (the hosts table and host_rule_facts), in one query. The few facts that
 * have no column in hosts (OS family, product ids, IPv6 reasons, baseline checks) are kept
 * compact in host_rule_facts by triggers when a report is stored (store/db.ts), so the full
 * report JSON of every host is never parsed at evaluation time (bench/rules-eval.mjs).
 */
import type { DB } from './db.js';

/** What the store knows of one host; rule tests write the same shape in YAML. */
export interface HostInput {
  agentId: string;
  unit: string;
  hostname: string;
  role: string;
  os: string;
  systems: string[];
  /** null when the protection probe failed or did not run. */
  protected: boolean | null;
  protectionReasons: string[];
  products: string[];
  ipv6Readiness: string | null;
  ipv6Reasons: string[];
  /**
   * null when the baseline probe failed or did not run, or when not loaded: a host that serves
   * no system, while no host rule reads `host.baseline` (see HostFacts).
   */
  baseline: { id: string; level: number; result: 'pass' | 'fail' | 'unknown' }[] | null;
  receivedAt: string;
  decommissionedAt: string | null;
}

/** Column order of SQL; rows are read raw (arrays), which allocates far less than objects. */
type Raw = [
  agentId: string,
  unit: string,
  hostname: string,
  role: string,
  systems: string,
  isProtected: number | null,
  protectionReasons: string,
  ipv6Readiness: string | null,
  receivedAt: string,
  decommissionedAt: string | null,
  /** JSON [os family, [product ids], [ipv6 reasons], [[check id, level, result]] | null]; null if never computed. */
  facts: string | null,
  /** OS family alone, when `facts` was not loaded. */
  os: string | null,
];

/**
 * Which compact facts to load for every host. A host that serves an information system always
 * gets all of them (its system's baseline is judged from its checks); the others need the
 * baseline checks, product ids and IPv6 reasons only when a host rule reads them, and parsing
 * 60-odd checks for each of 100,000 workstations is most of an evaluation's time and memory.
 */
export type HostFacts = 'all' | 'serving-systems';

const SQL = `
  SELECT h.agent_id, h.unit, h.hostname, h.role, h.systems, h.protected, h.protection_reasons, h.ipv6_readiness, h.received_at, h.decommissioned_at,
    CASE WHEN @all OR h.systems <> '[]' THEN f.facts END,
    CASE WHEN @all OR h.systems <> '[]' THEN NULL ELSE json_extract(f.facts, '$[0]') END
  FROM hosts h LEFT JOIN host_rule_facts f ON f.agent_id = h.agent_id`;

/** Shared by every host without any (frozen: nobody may add to it). */
const NONE: string[] = Object.freeze([]) as unknown as string[];
const list = (json: string): string[] => (json === '[]' ? NONE : (JSON.parse(json) as string[]));

type Result = 'pass' | 'fail' | 'unknown';

/** Every host's rule inputs, or only those of `agentIds` (a page of a host list: all facts). */
export function loadHostInputs(db: DB, agentIds?: readonly string[], facts: HostFacts = 'all'): HostInput[] {
  const all = facts === 'all' || agentIds !== undefined ? 1 : 0;
  const rows = (
    agentIds
      ? agentIds.length
        ? db.prepare(`${SQL} WHERE h.agent_id IN (SELECT value FROM json_each(@ids))`).raw().all({ all, ids: JSON.stringify(agentIds) })
        : []
      : db.prepare(SQL).raw().all({ all })
  ) as Raw[];
  const out = new Array<HostInput>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [agentId, unit, hostname, role, systems, prot, reasons, ipv6Readiness, receivedAt, decommissionedAt, facts, osOnly] = rows[i]!;
    const [os, products, ipv6Reasons, baseline] = (facts ? JSON.parse(facts) : [osOnly, NONE, NONE, null]) as [string | null, string[] | null, string[] | null, [string, number, Result][] | null];
    out[i] = {
      agentId,
      unit,
      hostname,
      role,
      os: os ?? 'unknown',
      systems: list(systems),
      protected: prot === null ? null : prot === 1,
      protectionReasons: list(reasons),
      products: products ?? NONE,
      ipv6Readiness,
      ipv6Reasons: ipv6Reasons ?? NONE,
      baseline: baseline ? baseline.map(([id, level, result]) => ({ id, level, result })) : null,
      receivedAt,
      decommissionedAt,
    };
  }
  return out;
}
