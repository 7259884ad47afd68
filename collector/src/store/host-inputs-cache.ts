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
import { hostInputsInService, partsReader, RULE_INPUTS_SQL, titleRows, titlesOf, type HostFacts, type HostInput, type HostParts, type Raw } from './host-facts.js';
import { Columns } from './host-inputs-columns.js';
import { runSteps, runStepsSliced, type Pauser, type Steps } from './steps.js';

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

/**
 * Rows per read of a refresh: parsing one takes about 20 us at 100,000 hosts, so one read is a
 * few milliseconds, and a sliced refresh yields between reads whenever its slice's time is up.
 */
export const CHUNK_ROWS = 128;

type Statement = ReturnType<DB['prepare']>;

export class HostInputCache {
  private state: Loaded | undefined;
  /** A sliced refresh is under way (its state is not to be touched by another). */
  private busy = false;
  private invalidatedWhileBusy = false;
  private statements: { changed: Statement; after: Statement } | undefined;
  /** What the last refresh did. */
  last: RefreshStats = { full: false, rows: 0, ms: 0 };

  constructor(private readonly db: DB) {}

  /** Forget everything: the next call reads every row again. */
  invalidate(): void {
    this.state = undefined;
    if (this.busy) this.invalidatedWhileBusy = true;
  }

  /**
   * The rule inputs of every host in service, in rowid order: the rows written since the last
   * call are read now and replace (or remove) their hosts' inputs; then each input is made as
   * the caller iterates (so that 100,000 of them are never alive at once: each dies young, once
   * its member is built). An iteration that pauses (a sliced evaluation) sees each host whole,
   * as of when it reaches it. The inputs are the caller's; what they share (facts equal
   * between hosts) is frozen: read it, never change it.
   *
   * All in one read transaction: the changed rows and the row count are of the same snapshot.
   * While a sliced refresh (inServiceSliced) is under way, its state is left alone: the rows are
   * streamed from the table instead, a full read (the engine runs one evaluation at a time, so
   * only a caller beside the engine gets there).
   */
  inService(facts: HostFacts): Iterable<HostInput> {
    if (this.busy) return hostInputsInService(this.db, facts);
    const started = performance.now();
    const rows = this.db.transaction(() => runSteps(this.refresh(facts)))();
    this.last = { full: this.last.full, rows, ms: performance.now() - started };
    return inputs(this.state!);
  }

  /**
   * The same, reading at most CHUNK_ROWS rows at a time and yielding to the event loop between
   * reads whenever `pauser` says (the scheduled evaluation: a full read of 100,000 rows at a
   * restart kept the event loop for about 2 s). Rows written meanwhile are read at the next
   * refresh: a full read sorts by rowid and keeps as its counter the largest change_seq of its
   * first read (so a row rewritten behind it is above it); a refresh of the changed rows reads
   * them in change_seq order, and every write takes a counter above every row's, so a row
   * rewritten meanwhile comes after the last one read. The row count is compared in the same
   * transaction as the last read. `last.ms` is the refresh's wall time, pauses included.
   */
  async inServiceSliced(facts: HostFacts, pauser: Pauser): Promise<Iterable<HostInput>> {
    if (this.busy) throw new Error('a sliced refresh of the rule inputs is already under way: await it (the engine runs one evaluation at a time)');
    this.busy = true;
    try {
      const started = performance.now();
      // Each read in its own read transaction (the last one with the row count).
      const rows = await runStepsSliced(this.refresh(facts), pauser, (step) => this.db.transaction(step)());
      this.last = { full: this.last.full, rows, ms: performance.now() - started };
      const s = this.state!;
      if (this.invalidatedWhileBusy) this.state = undefined;
      return inputs(s);
    } finally {
      this.busy = false;
      this.invalidatedWhileBusy = false;
    }
  }

  private *refresh(facts: HostFacts): Steps<number> {
    const titles = titleRows(this.db);
    const titlesText = JSON.stringify(titles);
    const s = this.state;
    if (!s || s.facts !== facts || s.titles !== titlesText) return yield* this.fullRead(facts, titles, titlesText);
    const all = facts === 'all' ? 1 : 0;
    let n = 0;
    for (;;) {
      const rows = this.reads().changed.all({ all, seq: s.seq }) as Raw[];
      for (const row of rows) this.apply(s, row);
      n += rows.length;
      if (rows.length < CHUNK_ROWS) break;
      yield;
    }
    // In the step of the last read: the count is of the snapshot the rows read reached.
    const count = this.db.prepare('SELECT count(*) FROM hosts').pluck().get() as number;
    // A deleted row leaves no counter behind, and would stay counted: read it all again.
    if (count !== s.columns.size + s.decommissioned.size) return n + (yield* this.fullRead(facts, titles, titlesText));
    s.columns.compactPool();
    this.last.full = false;
    return n;
  }

  /** The reads of a refresh, prepared at the first (the tables exist by then). */
  private reads(): { changed: Statement; after: Statement } {
    return (this.statements ??= {
      changed: this.db.prepare(`${RULE_INPUTS_SQL} WHERE h.change_seq > @seq ORDER BY h.change_seq LIMIT ${CHUNK_ROWS}`).raw(),
      after: this.db.prepare(`${RULE_INPUTS_SQL} WHERE h.rowid > @after ORDER BY h.rowid LIMIT ${CHUNK_ROWS}`).raw(),
    });
  }

  /** One changed row into `s`. */
  private apply(s: Loaded, row: Raw): void {
    if (row[14] > s.seq) s.seq = row[14];
    place(s, row);
  }

  private *fullRead(facts: HostFacts, titles: [string, string][], titlesText: string): Steps<number> {
    const [count, end, seq] = this.db.prepare('SELECT count(*), coalesce(max(rowid), 0) + 1, coalesce(max(change_seq), 0) FROM hosts').raw().get() as [number, number, number];
    // Rowids are dense unless rows were deleted; sparse ones (never from the upsert) must not size an array by the largest.
    // The counter is that of the first read's snapshot, not the largest read: a row rewritten behind the reads is above it.
    const s: Loaded = { facts, titles: titlesText, read: partsReader(titlesOf(titles)), columns: new Columns(Math.min(end, 2 * count + 1024)), decommissioned: new Set(), seq };
    const all = facts === 'all' ? 1 : 0;
    let n = 0;
    // The count scans the table (and at a restart the first rows meet a cold JIT): its own step.
    yield;
    for (let after = 0; ; yield) {
      const rows = this.reads().after.all({ all, after }) as Raw[];
      for (const row of rows) place(s, row);
      n += rows.length;
      if (rows.length < CHUNK_ROWS) break;
      after = rows[rows.length - 1]![13];
    }
    this.state = s;
    this.last.full = true;
    return n;
  }
}

/** One row into `s`: a host in service, or a decommissioned one (out of every denominator). */
function place(s: Loaded, row: Raw): void {
  const rowid = row[13];
  if (row[9] !== null) {
    s.columns.clear(rowid);
    s.decommissioned.add(rowid);
    return;
  }
  s.decommissioned.delete(rowid);
  s.columns.set(rowid, s.read(row));
}

function* inputs(s: Loaded): Generator<HostInput, void, undefined> {
  const c = s.columns;
  for (let rowid = 0; rowid < c.end; rowid++) if (c.agentId[rowid] !== undefined) yield c.input(rowid);
}
