/**
 * The durable outbox of InfluxDB points: rows leave it only after InfluxDB acknowledged them.
 * It is bounded by points (influx.outboxMaxPoints): the ingest route asks `hasRoomFor` before
 * accepting, so a long InfluxDB outage turns into 503s that agents spool and resend, never into
 * acknowledged reports whose points are dropped.
 */
import type { DB } from './db.js';
import type { Point } from '../influx/points.js';

export class Outbox {
  private readonly ins;
  /** Points in the outbox, kept in memory so the ingest path never counts rows. */
  private points = 0;

  constructor(
    private readonly db: DB,
    readonly maxPoints = Number.MAX_SAFE_INTEGER,
  ) {
    this.ins = db.prepare('INSERT INTO outbox (points, n, created_at) VALUES (?, ?, ?)');
    this.recount();
  }

  private recount(): void {
    this.points = (this.db.prepare('SELECT coalesce(sum(n), 0) AS n FROM outbox').get() as { n: number }).n;
  }

  /** Run `fn` (which may call addInTransaction); if it throws, the in-memory count is redone. */
  tracked<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      this.recount();
      throw e;
    }
  }

  /** Insert a row; the caller's transaction makes it atomic with the rest. */
  addInTransaction(points: Point[], at = new Date()): void {
    if (!points.length) return;
    this.ins.run(JSON.stringify(points), points.length, at.toISOString());
    this.points += points.length;
  }

  add(points: Point[]): void {
    this.tracked(() => this.addInTransaction(points));
  }

  hasRoomFor(n: number): boolean {
    return this.points + n <= this.maxPoints;
  }

  /** Oldest rows first, up to about `maxPoints` points (at least one row). */
  peek(maxPoints: number): { ids: number[]; points: Point[] } {
    const rows = this.db.prepare('SELECT id, points FROM outbox ORDER BY id LIMIT ?').iterate(Math.max(1, maxPoints)) as Iterable<{ id: number; points: string }>;
    const ids: number[] = [];
    const points: Point[] = [];
    for (const r of rows) {
      const p = JSON.parse(r.points) as Point[];
      if (ids.length && points.length + p.length > maxPoints) break;
      ids.push(r.id);
      for (const x of p) points.push(x);
    }
    return { ids, points };
  }

  /** Remove rows written to InfluxDB. */
  remove(ids: number[]): void {
    if (!ids.length) return;
    const del = this.db.prepare('DELETE FROM outbox WHERE id = ? RETURNING n');
    this.tracked(() =>
      this.db.transaction(() => {
        for (const id of ids) this.points -= (del.get(id) as { n: number } | undefined)?.n ?? 0;
      })(),
    );
  }

  peekId(id: number): Point[] | undefined {
    const r = this.db.prepare('SELECT points FROM outbox WHERE id = ?').get(id) as { points: string } | undefined;
    return r && (JSON.parse(r.points) as Point[]);
  }

  /** Move a row InfluxDB refused to outbox_rejected, with the reason, for an operator to look at. */
  setAside(id: number, reason: string): void {
    this.tracked(() =>
      this.db.transaction(() => {
        this.db.prepare('INSERT INTO outbox_rejected (id, points, created_at, reason) SELECT id, points, created_at, ? FROM outbox WHERE id = ?').run(reason, id);
        this.db.prepare('DELETE FROM outbox WHERE id = ?').run(id);
      })(),
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
