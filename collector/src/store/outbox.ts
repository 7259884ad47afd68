/**
 * The durable outbox of InfluxDB points, kept as ready-to-send line protocol (one row per
 * report or evaluation, one point per line): rows leave it only after InfluxDB acknowledged
 * them. It is bounded by points (influx.outboxMaxPoints): the ingest route asks `hasRoomFor`
 * before accepting, so a long InfluxDB outage turns into 503s that agents spool and resend,
 * never into acknowledged reports whose points are dropped.
 */
import type { DB } from './db.js';

export interface OutboxBatch {
  ids: number[];
  /** Line protocol, one point per line. */
  body: string;
  /** Points in `body`. */
  points: number;
  /** Rows were left for a next batch (this one is full): true after an outage, false while it keeps up. */
  more: boolean;
}

export class Outbox {
  private readonly ins;
  private readonly del;
  private readonly oldest;
  /** Points in the outbox, kept in memory so the ingest path never counts rows. */
  private points = 0;
  /** Added by the commit thread (ingest/commit-thread.ts), which writes through its own connection. */
  addedElsewhere(n: number): void {
    this.points += n;
  }

  constructor(
    private readonly db: DB,
    readonly maxPoints = Number.MAX_SAFE_INTEGER,
  ) {
    this.ins = db.prepare('INSERT INTO outbox (points, n, created_at) VALUES (?, ?, ?)');
    this.del = db.prepare('DELETE FROM outbox WHERE id = ? RETURNING n');
    this.oldest = db.prepare('SELECT id, points, n FROM outbox ORDER BY id LIMIT ?');
    this.recount();
  }

  /** Count again from the table (after changes made through another connection). */
  resync(): void {
    this.recount();
  }

  private recount(): void {
    this.points = (this.db.prepare('SELECT coalesce(sum(n), 0) AS n FROM outbox').get() as { n: number }).n;
  }

  /** Run `fn` (which may call addLinesInTransaction); if it throws, the in-memory count is redone. */
  tracked<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      this.recount();
      throw e;
    }
  }

  /**
   * Insert a row of `n` points of line protocol (made by influx/line.ts); the caller's
   * transaction makes it atomic with the rest.
   */
  addLinesInTransaction(lines: string, n: number, at: string): void {
    if (!n) return;
    this.ins.run(lines, n, at);
    this.points += n;
  }

  /** The same on its own (one statement, its own implicit transaction). */
  add(lines: string, n: number, at = new Date()): void {
    this.tracked(() => this.addLinesInTransaction(lines, n, at.toISOString()));
  }

  hasRoomFor(n: number): boolean {
    return this.points + n <= this.maxPoints;
  }

  /**
   * Oldest rows first, up to about `maxPoints` points (at least one row). `decode` turns a
   * stored row into line protocol (rows written by the walking skeleton hold JSON points; the
   * InfluxDB writer converts them).
   */
  peek(maxPoints: number, decode: (row: string) => string = (r) => r): OutboxBatch {
    const limit = Math.max(1, maxPoints);
    const rows = this.oldest.iterate(limit) as Iterable<{ id: number; points: string; n: number }>;
    const ids: number[] = [];
    const parts: string[] = [];
    let points = 0;
    let more = false;
    for (const r of rows) {
      if (ids.length && points + r.n > maxPoints) {
        more = true;
        break;
      }
      ids.push(r.id);
      parts.push(decode(r.points));
      points += r.n;
    }
    // Every row holds a point at least, so `limit` rows read may have left some unread.
    return { ids, body: parts.join('\n'), points, more: more || ids.length === limit };
  }

  /** Remove rows written to InfluxDB. */
  remove(ids: number[]): void {
    if (!ids.length) return;
    this.tracked(() =>
      this.db
        .transaction(() => {
          for (const id of ids) this.points -= (this.del.get(id) as { n: number } | undefined)?.n ?? 0;
        })
        .immediate(),
    );
  }

  /**
   * Remove a whole peeked batch with one statement: peek returns the lowest ids in order and new
   * rows only get higher ids, so the range holds exactly the batch (minus rows set aside).
   */
  removeBatch(b: OutboxBatch): void {
    if (!b.ids.length) return;
    const n = this.db.prepare('DELETE FROM outbox WHERE id BETWEEN ? AND ?').run(b.ids[0], b.ids[b.ids.length - 1]).changes;
    if (n === b.ids.length) this.points -= b.points;
    else this.recount();
  }

  /**
   * Delete rows `from`..`to` that InfluxDB acknowledged, inside the caller's transaction (the
   * commit thread's); returns how many went. The points count of the connection that peeked
   * them is kept by its owner (removeBatch's caller), not here.
   */
  removeRange(from: number, to: number): number {
    return this.db.prepare('DELETE FROM outbox WHERE id BETWEEN ? AND ?').run(from, to).changes;
  }

  /** One row as stored (decode as for peek). */
  peekId(id: number, decode: (row: string) => string = (r) => r): string | undefined {
    const r = this.db.prepare('SELECT points FROM outbox WHERE id = ?').get(id) as { points: string } | undefined;
    return r && decode(r.points);
  }

  /** Move a row InfluxDB refused to outbox_rejected, with the reason, for an operator to look at. */
  setAside(id: number, reason: string): void {
    this.tracked(() =>
      this.db
        .transaction(() => {
          this.db.prepare('INSERT INTO outbox_rejected (id, points, created_at, reason) SELECT id, points, created_at, ? FROM outbox WHERE id = ?').run(reason, id);
          this.db.prepare('DELETE FROM outbox WHERE id = ?').run(id);
        })
        .immediate(),
    );
    this.recount();
  }

  /** Rows waiting. */
  depth(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  }

  /** Points waiting. */
  pointCount(): number {
    return this.points;
  }
}
