/**
 * One page of the host list (the rows, count and order of HostStore.page) read a chunk at a
 * time from one snapshot of the store (snapshot.ts), for the hosts API, which yields to the
 * event loop between chunks: reports committed meanwhile change nothing in the page.
 *
 * No statement reads more than SPAN rows of the listing's order, whatever the filter: each
 * chunk starts after the last row of the one before (the order is an index's: no chunk sorts
 * or skips the rows before it), and a filter on what no index holds (the stale flag: when the
 * host last reported) is counted and read a span of the order at a time, so a page of the few
 * stale hosts of 100,000 is not one scan of all of them (0.2 s) for its count and one more for
 * its rows.
 */
import type { DB } from './db.js';
import { COLS, toHost, type HostRow, type RawHost } from './hosts.js';
import type { StoreSnapshot } from './snapshot.js';

/** Which hosts a page lists, and where it starts (HostStore.page, HostPageReader). */
export interface HostPageQuery {
  unit?: string | undefined;
  staleBefore?: Date | undefined;
  freshSince?: Date | undefined;
  includeDecommissioned?: boolean;
  limit: number;
  offset: number;
}

/** The order of a page: unique (agent ids are), and an index's (hosts_listing, or hosts_order with decommissioned hosts). */
export const PAGE_ORDER = 'unit, hostname, agent_id';

/** Rows of the order one statement reads at most when the filter has no index: ~5 ms. */
const SPAN = 5000;

interface Filter {
  /** Every clause. */
  where: string[];
  w: string;
  args: string[];
  /** The clauses an index serves (decommissioned, unit) and theirs args: the listing's order without the stale flag. */
  indexed: string[];
  indexedArgs: string[];
}

export function pageFilter(q: HostPageQuery): Filter {
  const where: string[] = [];
  const args: string[] = [];
  if (!q.includeDecommissioned) where.push('decommissioned_at IS NULL');
  const add = (clause: string, arg: string) => {
    where.push(clause);
    args.push(arg);
  };
  if (q.unit) add('unit = ?', q.unit);
  const indexed = [...where];
  const indexedArgs = [...args];
  if (q.staleBefore) add('received_at < ?', q.staleBefore.toISOString());
  if (q.freshSince) add('received_at >= ?', q.freshSince.toISOString());
  return { where, w: where.length ? `WHERE ${where.join(' AND ')}` : '', args, indexed, indexedArgs };
}

type Key = [unit: string, hostname: string, agentId: string];
const keyOf = (r: HostRow): Key => [r.unit, r.hostname, r.agent_id];
const and = (clauses: string[]) => (clauses.length ? `WHERE ${clauses.join(' AND ')}` : '');

/**
 * The page, read with next(). The snapshot is `db` (read the rows' other facts there too, for
 * the same instant) until close(): call it once the page is read, or given up. A page whose
 * filter has no index is counted with count() (a span at a time) before its rows are read.
 */
export class HostPageReader {
  private readonly f: Filter;
  private readonly spanned: boolean;
  private counted: number | undefined;
  private left: number;
  /** Matching rows still to skip before the page's first (its offset), when spanned. */
  private skip: number;
  /** The last row of the order read (or skipped) so far; null before the first. */
  private cursor: Key | null = null;
  /** Where the current span ends (inclusive), when spanned; undefined: none yet; null: the order's end. */
  private spanEnd: Key | null | undefined;

  constructor(
    private readonly snapshot: StoreSnapshot,
    q: HostPageQuery,
    /** Rows of the order a statement reads at most (tests make it small). */
    private readonly span = SPAN,
  ) {
    this.f = pageFilter(q);
    this.spanned = this.f.where.length > this.f.indexed.length;
    this.left = q.limit;
    this.skip = q.offset;
    if (!this.spanned) this.counted = (this.db.prepare(`SELECT count(*) AS n FROM hosts ${this.f.w}`).get(...this.f.args) as { n: number }).n;
  }

  /** The snapshot's connection, while the page is being read. */
  get db(): DB {
    return this.snapshot.db;
  }

  /** The hosts matching the filter (the page's `total`), counted at once or, for a filter without an index, by count(). */
  get total(): number {
    if (this.counted === undefined) throw new Error('HostPageReader: count() the page before reading its total');
    return this.counted;
  }

  /** Count the hosts matching the filter a span of the order at a time, a step per span (run them with a yield between). */
  *count(): Generator<void, number, undefined> {
    if (this.counted !== undefined) return this.counted;
    const db = this.db;
    const { where, args } = this.f;
    const countIn = (from: Key | null, to: Key | null) =>
      (db.prepare(`SELECT count(*) AS n FROM hosts ${and([...where, ...(from ? [`(${PAGE_ORDER}) > (?, ?, ?)`] : []), ...(to ? [`(${PAGE_ORDER}) <= (?, ?, ?)`] : [])])}`).get(...args, ...(from ?? []), ...(to ?? [])) as { n: number }).n;
    let n = 0;
    let from: Key | null = null;
    for (;;) {
      const to = this.spanEndAfter(from);
      n += countIn(from, to);
      if (!to) break;
      from = to;
      yield;
    }
    this.counted = n;
    return n;
  }

  /** Whether the page is read to its end (or closed). */
  get done(): boolean {
    return this.left <= 0 || !this.snapshot.open;
  }

  /**
   * The page's next `size` rows at most, until `done`. Fewer, even none, before the end, for a
   * filter without an index: no call reads more than one span of the order.
   */
  next(size: number): HostRow[] {
    const n = Math.min(size, this.left);
    if (n <= 0 || !this.snapshot.open) return [];
    const rows = this.spanned ? this.nextInSpan(n) : this.nextIndexed(n);
    this.left -= rows.length;
    return rows;
  }

  close(): void {
    this.snapshot.close();
  }

  private nextIndexed(n: number): HostRow[] {
    const { where, args } = this.f;
    const rows = (
      this.cursor
        ? this.db.prepare(`SELECT ${COLS} FROM hosts ${and([...where, `(${PAGE_ORDER}) > (?, ?, ?)`])} ORDER BY ${PAGE_ORDER} LIMIT ?`).all(...args, ...this.cursor, n)
        : this.db.prepare(`SELECT ${COLS} FROM hosts ${this.f.w} ORDER BY ${PAGE_ORDER} LIMIT ? OFFSET ?`).all(...args, n, this.skip)
    ) as RawHost[];
    // Fewer than asked: the hosts matching the filter end here.
    if (rows.length < n) this.left = rows.length;
    const out = rows.map(toHost);
    if (out.length) this.cursor = keyOf(out.at(-1)!);
    return out;
  }

  /** Up to `n` matching rows after the cursor within the current span (the next one once it is read). */
  private nextInSpan(n: number): HostRow[] {
    const { where, args } = this.f;
    if (this.spanEnd === undefined) this.spanEnd = this.spanEndAfter(this.cursor);
    const end = this.spanEnd;
    const clauses = [...where, ...(this.cursor ? [`(${PAGE_ORDER}) > (?, ?, ?)`] : []), ...(end ? [`(${PAGE_ORDER}) <= (?, ?, ?)`] : [])];
    const bounds = [...args, ...(this.cursor ?? []), ...(end ?? [])];
    const nextSpan = (out: HostRow[]) => {
      if (!end) return this.ended(out);
      this.cursor = end;
      this.spanEnd = undefined;
      return out;
    };
    if (this.skip > 0) {
      // The page's offset: skip whole spans by their count, then rows within one.
      const inSpan = (this.db.prepare(`SELECT count(*) AS n FROM hosts ${and(clauses)}`).get(...bounds) as { n: number }).n;
      if (inSpan <= this.skip) {
        this.skip -= inSpan;
        return nextSpan([]);
      }
    }
    const rows = (this.db.prepare(`SELECT ${COLS} FROM hosts ${and(clauses)} ORDER BY ${PAGE_ORDER} LIMIT ? OFFSET ?`).all(...bounds, n, this.skip) as RawHost[]).map(toHost);
    this.skip = 0;
    if (rows.length) this.cursor = keyOf(rows.at(-1)!);
    // The span holds no more: go on after it.
    return rows.length < n ? nextSpan(rows) : rows;
  }

  /** The matching rows end with `out`. */
  private ended(out: HostRow[]): HostRow[] {
    this.left = out.length;
    return out;
  }

  /** The key `span` rows of the order (indexed clauses only: a covering index's walk) after `from`; null when fewer are left. */
  private spanEndAfter(from: Key | null): Key | null {
    const { indexed, indexedArgs } = this.f;
    const r = this.db
      .prepare(`SELECT ${PAGE_ORDER} FROM hosts ${and([...indexed, ...(from ? [`(${PAGE_ORDER}) > (?, ?, ?)`] : [])])} ORDER BY ${PAGE_ORDER} LIMIT 1 OFFSET ?`)
      .raw()
      .get(...indexedArgs, ...(from ?? []), this.span - 1) as Key | undefined;
    return r ?? null;
  }
}
