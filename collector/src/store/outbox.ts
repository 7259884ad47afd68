/** The durable outbox of InfluxDB points: rows leave it only after InfluxDB acknowledged them. */
import type { DB } from './db.js';
import type { Point } from '../influx/points.js';

export class Outbox {
  constructor(private readonly db: DB) {}

  add(points: Point[]): void {
    if (points.length) this.db.prepare('INSERT INTO outbox (points, created_at) VALUES (?, ?)').run(JSON.stringify(points), new Date().toISOString());
  }

  /** Oldest rows first, up to about `maxPoints` points (at least one row). */
  peek(maxPoints: number): { ids: number[]; points: Point[] } {
    const rows = this.db.prepare('SELECT id, points FROM outbox ORDER BY id LIMIT ?').iterate(10_000) as Iterable<{ id: number; points: string }>;
    const ids: number[] = [];
    const points: Point[] = [];
    for (const r of rows) {
      const p = JSON.parse(r.points) as Point[];
      if (ids.length && points.length + p.length > maxPoints) break;
      ids.push(r.id);
      points.push(...p);
    }
    return { ids, points };
  }

  remove(ids: number[]): void {
    const del = this.db.prepare('DELETE FROM outbox WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) del.run(id);
    })();
  }

  peekId(id: number): Point[] | undefined {
    const r = this.db.prepare('SELECT points FROM outbox WHERE id = ?').get(id) as { points: string } | undefined;
    return r && (JSON.parse(r.points) as Point[]);
  }

  /** Move a row InfluxDB refused to outbox_rejected, with the reason, for an operator to look at. */
  setAside(id: number, reason: string): void {
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO outbox_rejected (id, points, created_at, reason) SELECT id, points, created_at, ? FROM outbox WHERE id = ?').run(reason, id);
      this.db.prepare('DELETE FROM outbox WHERE id = ?').run(id);
    })();
  }

  depth(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  }
}
