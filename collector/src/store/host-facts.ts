/**
 * What rules need of every host (the hosts table and host_rule_facts) in one query, and the
 * titles of the baseline checks some host does not pass (baseline_check_titles) in another. The
 * few facts that have no column in hosts (OS family, product ids, IPv6 reasons, baseline checks) are kept
 * compact in host_rule_facts by triggers when a report is stored (store/migrations.ts), and the product
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
export type Raw = [
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
  /** The row's rowid (the order a full read gives) and its change counter (store/hosts.ts NEXT_SEQ). */
  rowid: number,
  changeSeq: number,
];

/**
 * Which compact facts to load for every host. A host that serves an information system always
 * gets all of them (its system's baseline is judged from its checks); the others need the
 * baseline checks and IPv6 reasons only when a host rule reads them (OS and product ids are
 * always loaded: the protection verdict shows them), and parsing
 * 60-odd checks for each of 100,000 workstations is most of an evaluation's time and memory.
 */
export type HostFacts = 'all' | 'serving-systems';

/** The rule inputs of hosts (add a WHERE); `@all` is 1 to load every fact of every host (HostFacts). */
export const RULE_INPUTS_SQL = `
  SELECT h.agent_id, h.unit, h.hostname, h.role, h.systems, h.protected, h.protection_reasons, h.ipv6_readiness, h.received_at, h.decommissioned_at,
    CASE WHEN @all OR h.systems <> '[]' THEN f.facts END, h.protection_facts,
    CASE WHEN @all OR h.systems <> '[]' THEN NULL ELSE json_remove(f.facts, '$[6]', '$[3]', '$[2]') END,
    h.rowid, h.change_seq
  FROM hosts h LEFT JOIN host_rule_facts f ON f.agent_id = h.agent_id`;

/** Shared by every host without any (frozen: nobody may add to it). */
const NONE: string[] = Object.freeze([]) as unknown as string[];
const NO_REASONS: Reason[] = Object.freeze([]) as unknown as Reason[];

/** host_rule_facts.facts, parsed (store/migrations.ts writes it; rows stored before reason codes have the first four). */
type FactsTuple = [os: string | null, products: string[] | null, ipv6Reasons: string[] | null, baseline: CheckTuple[] | null, protectionCodes?: Reason[] | null, protectionError?: string | null, ipv6Codes?: Reason[] | null];
/** The same without elements 2, 3 and 6 (the SQL's json_remove). */
type LightTuple = [os: string | null, products: string[] | null, protectionCodes?: Reason[] | null, protectionError?: string | null];

/** A check as host_rule_facts keeps it (store/migrations.ts); rows stored before per-level results have only the first three. */
type CheckTuple = [id: string, level: number, result: CheckResult, byLevel?: [number, CheckResult, number][] | null, value?: number | null, reasonCode?: Reason | null];
export type Title = { vi: string; en: string };

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
export function loadTitles(db: DB): Map<string, Title> {
  return titlesOf(titleRows(db));
}

/** The rows of baseline_check_titles as they are stored (a cache compares them to know whether its titles still hold). */
export function titleRows(db: DB): [string, string][] {
  return db.prepare('SELECT check_id, title FROM baseline_check_titles ORDER BY check_id').raw().all() as [string, string][];
}

export const titlesOf = (rows: readonly [string, string][]): Map<string, Title> => new Map(rows.map(([id, title]) => [id, JSON.parse(title) as Title]));

/** The compact facts of one host, parsed (shared, frozen, by the hosts with the same text). */
export interface Facts {
  os: string;
  products: string[];
  ipv6Reasons: string[];
  baseline: BaselineCheckInput[] | null;
  protectionCodes: Reason[];
  protectionError: string | null;
  ipv6Codes: Reason[];
}

const NO_FACTS: Facts = Object.freeze({ os: 'unknown', products: NONE, ipv6Reasons: NONE, baseline: null, protectionCodes: NO_REASONS, protectionError: null, ipv6Codes: NO_REASONS });

const deepFreeze = <T>(v: T): T => {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
};

/**
 * Values of one column parsed once per distinct text during one load, and shared (frozen) by
 * every host with that text: hosts of one build and policy send the same OS, products, reasons
 * and baseline results, so 100,000 hosts have a few hundred distinct texts at most, and
 * parsing each once (and keeping one copy) is most of what loading saves. Bounded: past `max`
 * distinct texts the map starts again empty (values already handed out stay shared by their hosts).
 */
class Parsed<T> {
  private readonly seen = new Map<string, T>();
  constructor(
    private readonly parse: (text: string) => T,
    private readonly max = 4096,
  ) {}

  of(text: string): T {
    let v = this.seen.get(text);
    if (v === undefined) {
      v = this.parse(text);
      // Past `max` distinct texts, start again: a reader kept for many loads (the evaluation's
      // cache, host-inputs-cache.ts) goes on sharing the texts of today, not only of its first load.
      if (this.seen.size >= this.max) this.seen.clear();
      this.seen.set(text, deepFreeze(v));
    }
    return v;
  }
}

/** Converts rows of RULE_INPUTS_SQL to HostInputs, with the parsers of one load. */
export function rowReader(titles: ReadonlyMap<string, Title>): (row: Raw) => HostInput {
  const parts = partsReader(titles);
  return (row) => {
    const p = parts(row);
    return inputOf(p, p.protection);
  };
}

/**
 * One host's inputs as the row reader parses them, before they are spread into a HostInput:
 * its own values, and the facts shared (frozen) with the hosts that sent the same texts. The
 * evaluation's cache (host-inputs-cache.ts) keeps these, not HostInputs, for 100,000 hosts.
 */
export interface HostParts {
  agentId: string;
  unit: string;
  hostname: string;
  role: string;
  systems: string[];
  protected: boolean | null;
  protectionReasons: string[];
  facts: Facts;
  protection: ProtectionFacts | null;
  ipv6Readiness: string | null;
  receivedAt: string;
  decommissionedAt: string | null;
}

/** The HostInput of `p`, with `protection` (p's, or the same facts as another form keeps them). */
export const inputOf = (p: Omit<HostParts, 'protection'>, protection: ProtectionFacts | null): HostInput => {
  const f = p.facts;
  return {
    agentId: p.agentId,
    unit: p.unit,
    hostname: p.hostname,
    role: p.role,
    os: f.os,
    systems: p.systems,
    protected: p.protected,
    protectionReasons: p.protectionReasons,
    protectionReasonCodes: f.protectionCodes,
    protectionError: f.protectionError,
    products: f.products,
    protection,
    ipv6Readiness: p.ipv6Readiness,
    ipv6Reasons: f.ipv6Reasons,
    ipv6ReasonCodes: f.ipv6Codes,
    baseline: f.baseline,
    receivedAt: p.receivedAt,
    decommissionedAt: p.decommissionedAt,
  };
};

/** Converts rows of RULE_INPUTS_SQL to HostParts, with the parsers of one load (or of one cache, kept across its refreshes). */
export function partsReader(titles: ReadonlyMap<string, Title>): (row: Raw) => HostParts {
  const word = new Parsed((s: string) => s);
  const list = new Parsed((json: string): string[] => (json === '[]' ? NONE : (JSON.parse(json) as string[])));
  const toFacts = ([os, products, ipv6Reasons, baseline, protectionCodes, protectionError, ipv6Codes]: FactsTuple): Facts => ({
    os: os ?? 'unknown',
    products: products ?? NONE,
    ipv6Reasons: ipv6Reasons ?? NONE,
    baseline: baseline ? baseline.map((t) => checkInput(t, titles)) : null,
    protectionCodes: protectionCodes ?? NO_REASONS,
    protectionError: protectionError ?? null,
    ipv6Codes: ipv6Codes ?? NO_REASONS,
  });
  const full = new Parsed((json: string) => toFacts(JSON.parse(json) as FactsTuple));
  const light = new Parsed((json: string) => {
    const [os, products, protectionCodes, protectionError] = JSON.parse(json) as LightTuple;
    return toFacts([os, products, NONE, null, protectionCodes, protectionError, null]);
  });
  return (row) => {
    const [agentId, unit, hostname, role, systems, prot, reasons, ipv6Readiness, receivedAt, decommissionedAt, facts, protectionFacts, lightFacts] = row;
    return {
      agentId,
      unit: word.of(unit),
      hostname,
      role: word.of(role),
      systems: list.of(systems),
      protected: prot === null ? null : prot === 1,
      protectionReasons: list.of(reasons),
      facts: facts ? full.of(facts) : lightFacts ? light.of(lightFacts) : NO_FACTS,
      protection: protectionFacts ? (JSON.parse(protectionFacts) as ProtectionFacts) : null,
      ipv6Readiness: ipv6Readiness === null ? null : word.of(ipv6Readiness),
      receivedAt,
      decommissionedAt,
    };
  };
}

/**
 * Every host's rule inputs, or only those of `agentIds` (a page of a host list: all facts).
 * Facts equal from host to host (OS, products, reasons, baseline checks, systems) are one
 * shared, frozen object: read them, never change them.
 */
export function loadHostInputs(db: DB, agentIds?: readonly string[], facts: HostFacts = 'all'): HostInput[] {
  const all = facts === 'all' || agentIds !== undefined ? 1 : 0;
  const rows = (
    agentIds
      ? agentIds.length
        ? db
            .prepare(`${RULE_INPUTS_SQL} WHERE h.agent_id IN (SELECT value FROM json_each(@ids))`)
            .raw()
            .all({ all, ids: JSON.stringify(agentIds) })
        : []
      : db.prepare(RULE_INPUTS_SQL).raw().all({ all })
  ) as Raw[];
  const read = rowReader(loadTitles(db));
  return rows.map(read);
}

/**
 * The rule inputs of every host in service (not decommissioned), one at a time as SQLite reads
 * them, from every row: what the engine's cache (host-inputs-cache.ts) must equal, and what an
 * evaluation cost before it (tests and bench/rules-eval.mjs compare the two). The database is
 * busy until the iteration ends (run no other statement on it meanwhile).
 */
export function* hostInputsInService(db: DB, facts: HostFacts = 'all'): Generator<HostInput, void, undefined> {
  const read = rowReader(loadTitles(db));
  const rows = db
    // `+`: read the table in its own order; the listing index (decommissioned_at, ...) would fetch every row out of order.
    .prepare(`${RULE_INPUTS_SQL} WHERE +h.decommissioned_at IS NULL`)
    .raw()
    .iterate({ all: facts === 'all' ? 1 : 0 }) as IterableIterator<Raw>;
  for (const row of rows) yield read(row);
}
