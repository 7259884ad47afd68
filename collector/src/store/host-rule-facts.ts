/**
 * Writes host_rule_facts and baseline_check_titles (read by host-facts.ts). The ingest
 * transaction stores the facts the main thread built from the parsed report
 * (ingest/rule-facts.ts) whenever a report becomes its host's latest state; anything that
 * writes hosts rows itself (seeding tools, a migration that changes the facts' format) rebuilds
 * them from the stored reports with the SQL views of migrations.ts, which define the same facts.
 */
import type { DB } from './db.js';

/** A check's title as the JSON pair `[id, title]` that baseline_check_titles is written from. */
export interface TitlePart {
  id: string;
  json: string;
}

/** Titles remembered as written, at most (past it, titles not remembered are written every time). */
const MAX_WRITTEN = 4096;

export class HostRuleFactsStore {
  private readonly putFacts;
  private readonly putTitles;
  /**
   * The title pair this connection last committed per check id. Every host sends the same
   * titles: upserting them again for each report (json_each and a lookup per title) was ~13 µs
   * of the commit thread's ~90 µs of SQLite per report. Only this store writes the table while
   * the collector runs (rebuildFromReports writes what the stored reports say, the same pairs).
   */
  private readonly written = new Map<string, string>();
  /** Written in the transaction under way: remembered once it commits, forgotten if it rolls back (settle()). */
  private pending: TitlePart[] = [];

  constructor(private readonly db: DB) {
    this.putFacts = db.prepare('INSERT INTO host_rule_facts (agent_id, facts) VALUES (?, ?) ON CONFLICT(agent_id) DO UPDATE SET facts = excluded.facts');
    // `WHERE true`: an upsert from a SELECT needs it to parse. `->` writes the title in SQLite's
    // JSON form, as the views do; a title is rewritten only when it changed.
    this.putTitles = db.prepare(
      `INSERT INTO baseline_check_titles (check_id, title) SELECT value ->> 0, value -> 1 FROM json_each(?) WHERE true
       ON CONFLICT(check_id) DO UPDATE SET title = excluded.title WHERE title IS NOT excluded.title`,
    );
  }

  /** A host's facts and its not-passing checks' titles, inside the ingest transaction: titles already in the table are not written again. */
  put(agentId: string, facts: string, titles: readonly TitlePart[]): void {
    this.putFacts.run(agentId, facts);
    let changed: TitlePart[] | undefined;
    for (const t of titles) if (this.written.get(t.id) !== t.json) (changed ??= []).push(t);
    if (!changed) return;
    this.putTitles.run(`[${changed.map((t) => t.json).join(',')}]`);
    this.pending.push(...changed);
  }

  /** The transaction that put() wrote in committed (true) or rolled back (false). */
  settle(committed: boolean): void {
    if (committed) for (const t of this.pending) if (this.written.has(t.id) || this.written.size < MAX_WRITTEN) this.written.set(t.id, t.json);
    this.pending = [];
  }

  /** Rebuild the facts and titles of every host from its stored report, with the SQL views. */
  rebuildFromReports(): void {
    this.db
      .transaction(() => {
        this.db.exec(`
        INSERT INTO host_rule_facts SELECT * FROM host_rule_facts_of WHERE true ON CONFLICT(agent_id) DO UPDATE SET facts = excluded.facts;
        INSERT INTO baseline_check_titles SELECT check_id, title FROM baseline_titles_of WHERE title IS NOT NULL
          ON CONFLICT(check_id) DO UPDATE SET title = excluded.title WHERE title IS NOT excluded.title;`);
      })
      .immediate();
  }
}
