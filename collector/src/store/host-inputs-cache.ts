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
 * Kept compact, because it stays resident: a few columns indexed by rowid (no object, no map
 * entry per host), what hosts share in one frozen Profile, the product facts in a
 * ProtectionPool; about 70 bytes per host besides its id, hostname and time, which the engine
 * and the console keep anyway. The HostInputs handed out are made anew as an evaluation
 * iterates and die young.
 */
import type { DB } from './db.js';
import { partsReader, RULE_INPUTS_SQL, titleRows, titlesOf, type Facts, type HostFacts, type HostInput, type HostParts, type Raw } from './host-facts.js';
import { ProtectionPool } from './protection-pool.js';

/** What hosts share, by reference: equal for all the hosts of one unit, role, systems, verdict and facts. */
interface Profile {
  unit: string;
  role: string;
  systems: string[];
  protected: boolean | null;
  protectionReasons: string[];
  facts: Facts;
  ipv6Readiness: string | null;
}

/**
 * Hosts in service by rowid (the order of a full read; a rowid never changes under the
 * upsert): a host's own values, its shared Profile, and where the ProtectionPool keeps its
 * product facts. A rowid not in service is a hole (agentId undefined).
 */
class Columns {
  readonly agentId: (string | undefined)[];
  readonly hostname: string[];
  readonly receivedAt: string[];
  readonly profile: Profile[];
  /** ProtectionPool.put's number. */
  readonly protection: number[];
  readonly pool: ProtectionPool;
  /** Hosts in service. */
  size = 0;
  /** One past the largest rowid set. */
  end = 0;
  private readonly profiles = new Map<string, Profile>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;

  /** Sized for `rows` hosts (a full read knows how many): grown arrays would keep up to half again as much. */
  constructor(rows: number) {
    this.agentId = new Array<string | undefined>(rows);
    this.hostname = new Array<string>(rows);
    this.receivedAt = new Array<string>(rows);
    this.profile = new Array<Profile>(rows);
    this.protection = new Array<number>(rows);
    this.pool = new ProtectionPool(rows);
  }

  set(rowid: number, p: HostParts): void {
    if (this.agentId[rowid] === undefined) this.size++;
    else this.pool.release(this.protection[rowid]!);
    this.agentId[rowid] = p.agentId;
    this.hostname[rowid] = p.hostname;
    this.receivedAt[rowid] = p.receivedAt;
    this.profile[rowid] = this.profileOf(p);
    this.protection[rowid] = this.pool.put(p.protection);
    if (rowid >= this.end) this.end = rowid + 1;
  }

  /** Once most of the pool is facts replaced since: keep only those in use (each host reports about once per interval). */
  compactPool(): void {
    if (!this.pool.wasteful) return;
    const refs: (number | undefined)[] = this.agentId.map((id, rowid) => (id === undefined ? undefined : this.protection[rowid]));
    this.pool.compact(refs);
    refs.forEach((ref, rowid) => {
      if (ref !== undefined) this.protection[rowid] = ref;
    });
  }

  clear(rowid: number): void {
    if (this.agentId[rowid] === undefined) return;
    this.pool.release(this.protection[rowid]!);
    this.agentId[rowid] = undefined;
    this.size--;
  }

  /** The HostInput at `rowid` (key order of store/host-facts.ts inputOf). */
  input(rowid: number): HostInput {
    const p = this.profile[rowid]!;
    const f = p.facts;
    return {
      agentId: this.agentId[rowid]!,
      unit: p.unit,
      hostname: this.hostname[rowid]!,
      role: p.role,
      os: f.os,
      systems: p.systems,
      protected: p.protected,
      protectionReasons: p.protectionReasons,
      protectionReasonCodes: f.protectionCodes,
      protectionError: f.protectionError,
      products: f.products,
      protection: this.pool.get(this.protection[rowid]!),
      ipv6Readiness: p.ipv6Readiness,
      ipv6Reasons: f.ipv6Reasons,
      ipv6ReasonCodes: f.ipv6Codes,
      baseline: f.baseline,
      receivedAt: this.receivedAt[rowid]!,
      decommissionedAt: null,
    };
  }

  /** The one Profile of these shared values (the reader's parts are already one object per text: keyed by identity). */
  private profileOf(p: HostParts): Profile {
    const key = `${p.unit}\0${p.role}\0${this.id(p.systems)}\0${p.protected}\0${this.id(p.protectionReasons)}\0${this.id(p.facts)}\0${p.ipv6Readiness}`;
    let profile = this.profiles.get(key);
    if (!profile) {
      // Bounded as the reader's texts are: past 4096, start again (profiles handed out stay shared).
      if (this.profiles.size >= 4096) this.profiles.clear();
      profile = Object.freeze({ unit: p.unit, role: p.role, systems: p.systems, protected: p.protected, protectionReasons: p.protectionReasons, facts: p.facts, ipv6Readiness: p.ipv6Readiness });
      this.profiles.set(key, profile);
    }
    return profile;
  }

  private id(o: object): number {
    let id = this.ids.get(o);
    if (id === undefined) this.ids.set(o, (id = this.nextId++));
    return id;
  }
}

interface Loaded {
  facts: HostFacts;
  /** baseline_check_titles as read for this load, one string to compare. */
  titles: string;
  read: (row: Raw) => HostParts;
  columns: Columns;
  /** Rowids of decommissioned hosts (so that the table's row count can be accounted for). */
  decommissioned: Set<number>;
  /** The largest change_seq read. */
  seq: number;
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
    if (!s || s.facts !== facts || s.titles !== titlesText) return this.fullRead(facts, titles, titlesText);
    const rows = this.db
      .prepare(`${RULE_INPUTS_SQL} WHERE h.change_seq > @seq`)
      .raw()
      .all({ all: facts === 'all' ? 1 : 0, seq: s.seq }) as Raw[];
    for (const row of rows) this.apply(s, row);
    const count = this.db.prepare('SELECT count(*) FROM hosts').pluck().get() as number;
    // A deleted row leaves no counter behind, and would stay counted: read it all again.
    if (count !== s.columns.size + s.decommissioned.size) return this.fullRead(facts, titles, titlesText);
    s.columns.compactPool();
    this.last.full = false;
    return rows.length;
  }

  /** One changed row into `s`. */
  private apply(s: Loaded, row: Raw): void {
    const rowid = row[13];
    if (row[14] > s.seq) s.seq = row[14];
    if (row[9] !== null) {
      // Decommissioned: out of every denominator.
      s.columns.clear(rowid);
      s.decommissioned.add(rowid);
      return;
    }
    s.decommissioned.delete(rowid);
    s.columns.set(rowid, s.read(row));
  }

  private fullRead(facts: HostFacts, titles: [string, string][], titlesText: string): number {
    const [count, end] = this.db.prepare('SELECT count(*), coalesce(max(rowid), 0) + 1 FROM hosts').raw().get() as [number, number];
    // Rowids are dense unless rows were deleted; sparse ones (never from the upsert) must not size an array by the largest.
    const s: Loaded = { facts, titles: titlesText, read: partsReader(titlesOf(titles)), columns: new Columns(Math.min(end, 2 * count + 1024)), decommissioned: new Set(), seq: 0 };
    let n = 0;
    const rows = this.db
      .prepare(RULE_INPUTS_SQL)
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
  for (let rowid = 0; rowid < c.end; rowid++) if (c.agentId[rowid] !== undefined) yield c.input(rowid);
}
