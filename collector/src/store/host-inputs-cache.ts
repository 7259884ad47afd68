/**
 * The rule inputs of every host in service, kept in memory between evaluations and refreshed
 * at each one from only the rows written since the last: every write of a host's row sets
 * `hosts.change_seq` to one more than the largest (store/hosts.ts), and SQLite has one writer at
 * a time, so the rows with a counter above the largest this cache has seen are exactly those
 * committed since (whatever process or connection wrote them: the commit thread, the admin CLI).
 * Reading and parsing 100,000 rows took about 1 s per evaluation; the rows of one interval are
 * the few hosts that reported (bench/rules-eval.mjs).
 *
 * A full read (one query, as before) happens at the first use (a restart), when the rules need
 * other facts (HostFacts), when the baseline checks' titles changed, and when the table holds a
 * row count the cache does not account for (a row deleted, which leaves no counter behind).
 * The inputs are those of a full read of the same rows, in the same order (rowid), made by the
 * same row reader: equal facts are shared frozen objects, as store/host-facts.ts makes them.
 *
 * Kept compact, because it stays resident: one column per field (no object per host), the
 * facts shared between hosts by reference, the product facts in a ProtectionPool. The
 * HostInputs handed out are made anew for each evaluation and die with its members.
 */
import type { DB } from './db.js';
import { partsReader, RULE_INPUTS_SQL, titleRows, titlesOf, type Facts, type HostFacts, type HostInput, type HostParts, type Raw } from './host-facts.js';
import { ProtectionPool } from './protection-pool.js';

/** Hosts in service by slot (in rowid order); a slot of a host that left is a hole (agentId undefined). */
class Columns {
  readonly agentId: (string | undefined)[] = [];
  readonly unit: string[] = [];
  readonly hostname: string[] = [];
  readonly role: string[] = [];
  readonly systems: string[][] = [];
  /** 1, 0, or -1 for null. */
  readonly isProtected: number[] = [];
  readonly protectionReasons: string[][] = [];
  readonly facts: Facts[] = [];
  readonly ipv6Readiness: (string | null)[] = [];
  readonly receivedAt: string[] = [];
  /** The product facts' ref in `pool` (ProtectionPool.put). */
  readonly shape: number[] = [];
  readonly at: number[] = [];
  readonly pool = new ProtectionPool();

  set(slot: number, p: HostParts): void {
    if (this.agentId[slot] !== undefined) this.pool.release(this.shape[slot]!);
    const ref = this.pool.put(p.protection);
    this.agentId[slot] = p.agentId;
    this.unit[slot] = p.unit;
    this.hostname[slot] = p.hostname;
    this.role[slot] = p.role;
    this.systems[slot] = p.systems;
    this.isProtected[slot] = p.protected === null ? -1 : p.protected ? 1 : 0;
    this.protectionReasons[slot] = p.protectionReasons;
    this.facts[slot] = p.facts;
    this.ipv6Readiness[slot] = p.ipv6Readiness;
    this.receivedAt[slot] = p.receivedAt;
    this.shape[slot] = ref.shape;
    this.at[slot] = ref.at;
  }

  clear(slot: number): void {
    this.pool.release(this.shape[slot]!);
    this.agentId[slot] = undefined;
  }

  /** The HostInput of `slot` (key order of store/host-facts.ts inputOf). */
  input(slot: number): HostInput {
    const f = this.facts[slot]!;
    const prot = this.isProtected[slot]!;
    return {
      agentId: this.agentId[slot]!,
      unit: this.unit[slot]!,
      hostname: this.hostname[slot]!,
      role: this.role[slot]!,
      os: f.os,
      systems: this.systems[slot]!,
      protected: prot === -1 ? null : prot === 1,
      protectionReasons: this.protectionReasons[slot]!,
      protectionReasonCodes: f.protectionCodes,
      protectionError: f.protectionError,
      products: f.products,
      protection: this.pool.get(this.shape[slot]!, this.at[slot]!),
      ipv6Readiness: this.ipv6Readiness[slot]!,
      ipv6Reasons: f.ipv6Reasons,
      ipv6ReasonCodes: f.ipv6Codes,
      baseline: f.baseline,
      receivedAt: this.receivedAt[slot]!,
      decommissionedAt: null,
    };
  }
}

interface Loaded {
  facts: HostFacts;
  /** baseline_check_titles as read for this load, one string to compare. */
  titles: string;
  read: (row: Raw) => HostParts;
  columns: Columns;
  /** Slots used (holes included). */
  slots: number;
  /** Slot of each host in service. */
  slotOf: Map<string, number>;
  /** Decommissioned agent ids (so that the table's row count can be accounted for). */
  decommissioned: Set<string>;
  /** The largest change_seq read. */
  seq: number;
  /** The largest rowid in service: a host set anew below it would be out of order. */
  maxRowid: number;
}

/** What the last refresh did, for benches and tests. */
export interface RefreshStats {
  /** A full read of every row (first use, other facts, titles changed, a row deleted). */
  full: boolean;
  /** Rows read. */
  rows: number;
  ms: number;
}

export class HostInputCache {
  private state: Loaded | undefined;
  /** What the last refresh did. */
  last: RefreshStats = { full: false, rows: 0, ms: 0 };

  constructor(private readonly db: DB) {}

  /** Forget everything: the next call reads every row again. */
  invalidate(): void {
    this.state = undefined;
  }

  /**
   * The rule inputs of every host in service, in rowid order: the rows written since the last
   * call are read now and replace (or remove) their hosts' inputs; then each input is made as
   * the caller iterates (so that 100,000 of them are never alive at once: each dies young, once
   * its member is built). An iteration that pauses (a sliced evaluation) sees each host whole,
   * as of when it reaches it. The inputs are the caller's; what they share (facts equal
   * between hosts) is frozen: read it, never change it.
   */
  inService(facts: HostFacts): Iterable<HostInput> {
    const started = performance.now();
    // One read transaction: the changed rows and the row count are of the same snapshot.
    const rows = this.db.transaction(() => this.refresh(facts))();
    this.last = { full: this.last.full, rows, ms: performance.now() - started };
    return inputs(this.state!);
  }

  private refresh(facts: HostFacts): number {
    const titles = titleRows(this.db);
    const titlesText = JSON.stringify(titles);
    const s = this.state;
    if (!s || s.facts !== facts || s.titles !== titlesText || s.columns.pool.wasteful) return this.fullRead(facts, titles, titlesText);
    // Sorted here, not by ORDER BY rowid: SQLite would then scan the whole table in rowid order
    // rather than look the few changed rows up in hosts_change_seq.
    const rows = (this.db.prepare(`${RULE_INPUTS_SQL} WHERE h.change_seq > @seq`).raw().all({ all: facts === 'all' ? 1 : 0, seq: s.seq }) as Raw[]).sort((a, b) => a[13] - b[13]);
    let inOrder = true;
    for (const row of rows) inOrder = this.apply(s, row) && inOrder;
    const count = this.db.prepare('SELECT count(*) FROM hosts').pluck().get() as number;
    // A deleted row, or a host back in service before hosts that came after it: read it all again.
    if (!inOrder || count !== s.slotOf.size + s.decommissioned.size) return this.fullRead(facts, titles, titlesText);
    this.last.full = false;
    return rows.length;
  }

  /** One changed row into `s`; false when it puts a host in service out of rowid order. */
  private apply(s: Loaded, row: Raw): boolean {
    const agentId = row[0];
    const rowid = row[13];
    if (row[14] > s.seq) s.seq = row[14];
    const slot = s.slotOf.get(agentId);
    if (row[9] !== null) {
      // Decommissioned: out of every denominator.
      if (slot !== undefined) s.columns.clear(slot);
      s.slotOf.delete(agentId);
      s.decommissioned.add(agentId);
      return true;
    }
    s.decommissioned.delete(agentId);
    if (slot !== undefined) {
      s.columns.set(slot, s.read(row));
      return true;
    }
    s.slotOf.set(agentId, s.slots);
    s.columns.set(s.slots++, s.read(row));
    if (rowid < s.maxRowid) return false;
    s.maxRowid = rowid;
    return true;
  }

  private fullRead(facts: HostFacts, titles: [string, string][], titlesText: string): number {
    const s: Loaded = { facts, titles: titlesText, read: partsReader(titlesOf(titles)), columns: new Columns(), slots: 0, slotOf: new Map(), decommissioned: new Set(), seq: 0, maxRowid: 0 };
    let n = 0;
    const rows = this.db
      .prepare(`${RULE_INPUTS_SQL} ORDER BY h.rowid`)
      .raw()
      .iterate({ all: facts === 'all' ? 1 : 0 }) as IterableIterator<Raw>;
    for (const row of rows) {
      this.apply(s, row);
      n++;
    }
    this.state = s;
    this.last.full = true;
    return n;
  }
}

function* inputs(s: Loaded): Generator<HostInput, void, undefined> {
  const c = s.columns;
  for (let slot = 0; slot < s.slots; slot++) if (c.agentId[slot] !== undefined) yield c.input(slot);
}
