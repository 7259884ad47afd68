/**
 * What rules need of every host (the hosts table and host_rule_facts) in one query, and the
 * titles of the baseline checks some host does not pass (baseline_check_titles) in another. The
 * few facts that have no column in hosts (OS family, product ids, IPv6 reasons, baseline checks) are kept
 * compact in host_rule_facts by triggers when a report is stored (store/db.ts), and the product
 * facts the protection policy judges in hosts.protection_facts (store/hosts.ts), so the full
 * report JSON of every host is never parsed at evaluation time (bench/rules-eval.mjs).
 */
import type { CheckResult, Reason } from '@posture/protocol';
import type { DB } from './db.js';
import type { ProtectionFacts } from '../policy/protection.js';

/** One baseline check as rules read it (a subset of the report's BaselineCheck). */
export interface BaselineCheckInput {
  id: string;
  /** Lowest level that requires the check. */
  level: number;
  /** The result at `level`. */
  result: CheckResult;
  /** Results at each level from `level` up, when the requirement grows with the level. */
  byLevel?: { level: number; result: CheckResult; threshold: number }[];
  /** The measured quantity the per-level thresholds compare. */
  value?: number;
  /** For a check that does not pass at every level (the report names it): the title hosts send for it. */
  title?: { vi: string; en: string };
  /** The agent's reason, when `result` is unknown (what could not be read). */
  reasonCode?: Reason;
}

/** What the store knows of one host; rule tests write the same shape in YAML. */
export interface HostInput {
  agentId: string;
  unit: string;
  hostname: string;
  role: string;
  os: string;
  systems: string[];
  /** The AGENT's own verdict (its config's limits): a diagnostic, never counted; null when the probe failed or did not run. */
  protected: boolean | null;
  /** The agent's reasons as text: evidence only. */
  protectionReasons: string[];
  /** The agent's reasons as catalogue codes (agents since reason codes; empty otherwise). */
  protectionReasonCodes: Reason[];
  /** Why `protected` is null: the probe's error code, or null when it did not run at all. */
  protectionError: string | null;
  products: string[];
  /** Product facts of the latest report, judged by the ministry's policy at evaluation time; null: none stored (unknown). */
  protection: ProtectionFacts | null;
  ipv6Readiness: string | null;
  ipv6Reasons: string[];
  /** Why the host is not at the next IPv6 readiness level, as the agent's codes (empty: none sent, or not loaded like ipv6Reasons). */
  ipv6ReasonCodes: Reason[];
  /**
   * null when the baseline probe failed or did not run, or when not loaded: a host that serves
   * no system, while no host rule reads `host.baseline` (see HostFacts).
   */
  baseline: BaselineCheckInput[] | null;
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
  /**
   * JSON [os family, [product ids], [ipv6 reasons], [CheckTuple] | null, [protection reason codes] | null,
   * protection probe error code | null, [ipv6 reason codes] | null]; null if never computed.
   */
  facts: string | null,
  /** The latest report's product facts (policy/protection.ts), JSON; null when none were stored. */
  protectionFacts: string | null,
  /** JSON of `facts` without the IPv6 reasons, their codes and the baseline checks, when `facts` was not loaded (HostFacts). */
  lightFacts: string | null,
];

/**
 * Which compact facts to load for every host. A host that serves an information system always
 * gets all of them (its system's baseline is judged from its checks); the others need the
 * baseline checks and IPv6 reasons only when a host rule reads them (OS and product ids are
 * always loaded: the protection verdict shows them), and parsing
 * 60-odd checks for each of 100,000 workstations is most of an evaluation's time and memory.
 */
export type HostFacts = 'all' | 'serving-systems';

const SQL = `
  SELECT h.agent_id, h.unit, h.hostname, h.role, h.systems, h.protected, h.protection_reasons, h.ipv6_readiness, h.received_at, h.decommissioned_at,
    CASE WHEN @all OR h.systems <> '[]' THEN f.facts END, h.protection_facts,
    CASE WHEN @all OR h.systems <> '[]' THEN NULL ELSE json_remove(f.facts, '$[6]', '$[3]', '$[2]') END
  FROM hosts h LEFT JOIN host_rule_facts f ON f.agent_id = h.agent_id`;

/** Shared by every host without any (frozen: nobody may add to it). */
const NONE: string[] = Object.freeze([]) as unknown as string[];
const list = (json: string): string[] => (json === '[]' ? NONE : (JSON.parse(json) as string[]));
const NO_REASONS: Reason[] = Object.freeze([]) as unknown as Reason[];

/** host_rule_facts.facts, parsed (store/db.ts writes it; rows stored before reason codes have the first four). */
type FactsTuple = [os: string | null, products: string[] | null, ipv6Reasons: string[] | null, baseline: CheckTuple[] | null, protectionCodes?: Reason[] | null, protectionError?: string | null, ipv6Codes?: Reason[] | null];
/** The same without elements 2, 3 and 6 (the SQL's json_remove). */
type LightTuple = [os: string | null, products: string[] | null, protectionCodes?: Reason[] | null, protectionError?: string | null];
const lightTuple = ([os, products, protectionCodes, protectionError]: LightTuple): FactsTuple => [os, products, NONE, null, protectionCodes, protectionError, null];

/** A check as host_rule_facts keeps it (store/db.ts); rows stored before per-level results have only the first three. */
type CheckTuple = [id: string, level: number, result: CheckResult, byLevel?: [number, CheckResult, number][] | null, value?: number | null, reasonCode?: Reason | null];
type Title = { vi: string; en: string };

function checkInput(t: CheckTuple, titles: ReadonlyMap<string, Title>): BaselineCheckInput {
  const [id, level, result, byLevel, value, reasonCode] = t;
  // Most checks are the short form: two object shapes only, so loading 100,000 hosts stays fast.
  if (t.length === 3) {
    const title = result === 'pass' ? undefined : titles.get(id);
    return title ? { id, level, result, title } : { id, level, result };
  }
  const c: BaselineCheckInput = { id, level, result };
  if (byLevel) c.byLevel = byLevel.map(([l, r, threshold]) => ({ level: l, result: r, threshold }));
  if (typeof value === 'number') c.value = value;
  if (reasonCode) c.reasonCode = reasonCode;
  // One title object per check id, shared by every host that does not pass it.
  if (result !== 'pass' || c.byLevel?.some((b) => b.result !== 'pass')) {
    const title = titles.get(id);
    if (title) c.title = title;
  }
  return c;
}

/** The titles of the checks some host does not pass (baseline_check_titles, a few dozen rows). */
function loadTitles(db: DB): Map<string, Title> {
  const rows = db.prepare('SELECT check_id, title FROM baseline_check_titles').raw().all() as [string, string][];
  return new Map(rows.map(([id, title]) => [id, JSON.parse(title) as Title]));
}

/** Every host's rule inputs, or only those of `agentIds` (a page of a host list: all facts). */
export function loadHostInputs(db: DB, agentIds?: readonly string[], facts: HostFacts = 'all'): HostInput[] {
  const all = facts === 'all' || agentIds !== undefined ? 1 : 0;
  const rows = (
    agentIds
      ? agentIds.length
        ? db
            .prepare(`${SQL} WHERE h.agent_id IN (SELECT value FROM json_each(@ids))`)
            .raw()
            .all({ all, ids: JSON.stringify(agentIds) })
        : []
      : db.prepare(SQL).raw().all({ all })
  ) as Raw[];
  const titles = loadTitles(db);
  const out = new Array<HostInput>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const [agentId, unit, hostname, role, systems, prot, reasons, ipv6Readiness, receivedAt, decommissionedAt, facts, protectionFacts, lightFacts] = rows[i]!;
    const [os, products, ipv6Reasons, baseline, protectionCodes, protectionError, ipv6Codes] = (facts ? JSON.parse(facts) : lightFacts ? lightTuple(JSON.parse(lightFacts) as LightTuple) : [null, NONE, NONE, null, null, null, null]) as FactsTuple;
    out[i] = {
      agentId,
      unit,
      hostname,
      role,
      os: os ?? 'unknown',
      systems: list(systems),
      protected: prot === null ? null : prot === 1,
      protectionReasons: list(reasons),
      protectionReasonCodes: protectionCodes ?? NO_REASONS,
      protectionError: protectionError ?? null,
      products: products ?? NONE,
      protection: protectionFacts ? (JSON.parse(protectionFacts) as ProtectionFacts) : null,
      ipv6Readiness,
      ipv6Reasons: ipv6Reasons ?? NONE,
      ipv6ReasonCodes: ipv6Codes ?? NO_REASONS,
      baseline: baseline ? baseline.map((t) => checkInput(t, titles)) : null,
      receivedAt,
      decommissionedAt,
    };
  }
  return out;
}
