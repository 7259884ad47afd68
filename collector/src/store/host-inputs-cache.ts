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
 */
import type { DB } from './db.js';
import { RULE_INPUTS_SQL, rowReader, titleRows, titlesOf, type HostFacts, type HostInput, type Raw } from './host-facts.js';

interface Loaded {
  facts: HostFacts;
  /** baseline_check_titles as read for this load, one string to compare. */
  titles: string;
  read: (row: Raw) => HostInput;
  /** Hosts in service by agent id, in rowid order (a Map keeps the order keys were first set in). */
  inService: Map<string, HostInput>;
  /** Decommissioned agent ids (so that the table's row count can be accounted for). */
  decommissioned: Set<string>;
  /** The largest change_seq read. */
  seq: number;
  /** The largest rowid in `inService`: a row set anew below it would be out of order. */
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
   * The rule inputs of every host in service now, in rowid order: the rows written since the
   * last call are read and replace (or remove) their hosts' inputs. The array is the caller's;
   * the inputs are shared and frozen where equal between hosts: read them, never change them.
   */
  inService(facts: HostFacts): HostInput[] {
    const started = performance.now();
    // One read transaction: the changed rows and the row count are of the same snapshot.
    const rows = this.db.transaction(() => this.refresh(facts))();
    this.last = { full: this.last.full, rows, ms: performance.now() - started };
    return [...this.state!.inService.values()];
  }

  private refresh(facts: HostFacts): number {
    const titles = titleRows(this.db);
    const titlesText = JSON.stringify(titles);
    const s = this.state;
    if (!s || s.facts !== facts || s.titles !== titlesText) return this.fullRead(facts, titles, titlesText);
    // Sorted here, not by ORDER BY rowid: SQLite would then scan the whole table in rowid order
    // rather than look the few changed rows up in hosts_change_seq.
    const rows = (this.db.prepare(`${RULE_INPUTS_SQL} WHERE h.change_seq > @seq`).raw().all({ all: facts === 'all' ? 1 : 0, seq: s.seq }) as Raw[]).sort((a, b) => a[13] - b[13]);
    let inOrder = true;
    for (const row of rows) inOrder = this.apply(s, row) && inOrder;
    const count = (this.db.prepare('SELECT count(*) FROM hosts').pluck().get() as number) ?? 0;
    // A deleted row, or a host back in service before hosts that came after it: read it all again.
    if (!inOrder || count !== s.inService.size + s.decommissioned.size) return this.fullRead(facts, titles, titlesText);
    this.last.full = false;
    return rows.length;
  }

  /** One changed row into `s`; false when it puts a host in service out of rowid order. */
  private apply(s: Loaded, row: Raw): boolean {
    const agentId = row[0];
    const decommissioned = row[9] !== null;
    const rowid = row[13];
    if (row[14] > s.seq) s.seq = row[14];
    if (decommissioned) {
      s.inService.delete(agentId);
      s.decommissioned.add(agentId);
      return true;
    }
    s.decommissioned.delete(agentId);
    const known = s.inService.has(agentId);
    s.inService.set(agentId, s.read(row));
    if (known) return true;
    if (rowid < s.maxRowid) return false;
    s.maxRowid = rowid;
    return true;
  }

  private fullRead(facts: HostFacts, titles: [string, string][], titlesText: string): number {
    const s: Loaded = { facts, titles: titlesText, read: rowReader(titlesOf(titles)), inService: new Map(), decommissioned: new Set(), seq: 0, maxRowid: 0 };
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
