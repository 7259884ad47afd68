/**
 * Store migration: timestamps as instants, idempotency per agent, product facts for the
 * collector's protection policy. A store written by an earlier version keeps working: every
 * stored row is converted here, once, in the migration's transaction.
 *
 * - `reports` is keyed by (agent_id, report_id), not report_id alone (two agents may use the
 *   same id; both reports are stored), with `collected_ms` (epoch ms) and `content_hash` (NULL
 *   for keys stored before: a resend of one of those counts as a duplicate, as it did).
 * - `hosts.collected_ms`: the state follows the newest collection instant, compared as numbers.
 * - `hosts.protection_facts`: the product facts of the latest report (policy/protection.ts),
 *   extracted from the stored report JSON.
 */
import type { Report } from '@posture/protocol';
import type { DB } from './db.js';
import { protectionFactsOf } from '../policy/protection.js';

/** Epoch ms of a stored timestamp; 0 (oldest) for text that names no instant, so any real report wins. */
const instant = (iso: string): number => {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : 0;
};

export function migrateToInstants(db: DB): void {
  db.function('posture_instant_ms', { deterministic: true }, (iso: unknown) => instant(String(iso)));
  db.exec(`
    CREATE TABLE reports_by_agent (
      agent_id TEXT NOT NULL,
      report_id TEXT NOT NULL,
      collected_at TEXT NOT NULL,     -- as the agent wrote it (evidence)
      collected_ms INTEGER NOT NULL,  -- the instant, epoch ms
      received_at TEXT NOT NULL,
      content_hash TEXT,              -- sha256 (base64) of the report JSON; NULL for keys stored before it was kept
      PRIMARY KEY (agent_id, report_id)
    );
    INSERT INTO reports_by_agent (agent_id, report_id, collected_at, collected_ms, received_at)
      SELECT agent_id, report_id, collected_at, posture_instant_ms(collected_at), received_at FROM reports;
    DROP TABLE reports;
    ALTER TABLE reports_by_agent RENAME TO reports;
    CREATE INDEX reports_collected_ms ON reports(collected_ms);
    ALTER TABLE hosts ADD COLUMN collected_ms INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE hosts ADD COLUMN protection_facts TEXT;
    UPDATE hosts SET collected_ms = posture_instant_ms(collected_at);
  `);
  const rows = db.prepare('SELECT agent_id, report, collected_ms FROM hosts').all() as { agent_id: string; report: string; collected_ms: number }[];
  const set = db.prepare('UPDATE hosts SET protection_facts = ? WHERE agent_id = ?');
  for (const r of rows) {
    let facts: string | null = null;
    try {
      facts = JSON.stringify(protectionFactsOf(JSON.parse(r.report) as Report, r.collected_ms));
    } catch {
      // A stored report the current schema cannot read: no facts, judged as unknown.
    }
    set.run(facts, r.agent_id);
  }
}
