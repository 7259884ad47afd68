/**
 * alert_notifications: the queue of alert notices for the webhook and e-mail sinks. A notice is
 * queued in the transaction that changed the alert's state, so a crash cannot lose one; the
 * dispatcher (alerts/dispatcher.ts) delivers and retries.
 */
import type { DB } from './db.js';

export interface NotificationRow {
  id: number;
  sink: string;
  /** The notice, JSON. */
  payload: string;
  attempts: number;
}

export class NotificationStore {
  private readonly ins;

  constructor(private readonly db: DB) {
    this.ins = db.prepare('INSERT INTO alert_notifications (sink, payload, created_at, next_at) VALUES (?, ?, ?, ?)');
  }

  /** Queue one notice for each sink. */
  enqueue(sinks: readonly string[], payload: string, now: Date): void {
    for (const s of sinks) this.ins.run(s, payload, now.toISOString(), now.getTime());
  }

  /** Notices due at `nowMs` (ms since the epoch), oldest first. */
  due(nowMs: number, limit = 500): NotificationRow[] {
    return this.db.prepare('SELECT id, sink, payload, attempts FROM alert_notifications WHERE failed_at IS NULL AND next_at <= ? ORDER BY id LIMIT ?').all(nowMs, limit) as NotificationRow[];
  }

  delivered(id: number): void {
    this.db.prepare('DELETE FROM alert_notifications WHERE id = ?').run(id);
  }

  /** Retries exhausted or not retryable: kept with failed_at for inspection. */
  failed(id: number, attempts: number, error: string, now = new Date()): void {
    this.db.prepare('UPDATE alert_notifications SET attempts = ?, last_error = ?, failed_at = ? WHERE id = ?').run(attempts, error, now.toISOString(), id);
  }

  retryAt(id: number, attempts: number, error: string, nextAtMs: number): void {
    this.db.prepare('UPDATE alert_notifications SET attempts = ?, last_error = ?, next_at = ? WHERE id = ?').run(attempts, error, nextAtMs, id);
  }

  /** Notices waiting (not given up). */
  depth(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM alert_notifications WHERE failed_at IS NULL').get() as { n: number }).n;
  }
}
