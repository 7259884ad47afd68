/**
 * Writes host_rule_facts and baseline_check_titles (read by host-facts.ts). The ingest
 * transaction stores the facts the main thread built from the parsed report
 * (ingest/rule-facts.ts) whenever a report becomes its host's latest state; anything that
 * writes hosts rows itself (seeding tools, a migration that changes the facts' format) rebuilds
 * them from the stored reports with the SQL views of migrations.ts, which define the same facts.
 */
import type { DB } from './db.js';

export class HostRuleFactsStore {
  private readonly putFacts;
  private readonly putTitles;

  constructor(private readonly db: DB) {
    this.putFacts = db.prepare('INSERT INTO host_rule_facts (agent_id, facts) VALUES (?, ?) ON CONFLICT(agent_id) DO UPDATE SET facts = excluded.facts');
    // `WHERE true`: an upsert from a SELECT needs it to parse. `->` writes the title in SQLite's
    // JSON form, as the views do; a title is rewritten only when it changed.
    this.putTitles = db.prepare(
      `INSERT INTO baseline_check_titles (check_id, title) SELECT value ->> 0, value -> 1 FROM json_each(?) WHERE true
       ON CONFLICT(check_id) DO UPDATE SET title = excluded.title WHERE title IS NOT excluded.title`,
    );
  }

  /** A host's facts and its not-passing checks' titles (JSON [[id, title]], '' for none), inside the ingest transaction. */
  put(agentId: string, facts: string, titles: string): void {
    this.putFacts.run(agentId, facts);
    if (titles) this.putTitles.run(titles);
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
