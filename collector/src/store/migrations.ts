/**
 * The store's schema as an append-only list of migrations: store `user_version` N has run the
 * first N. Never edit or reorder a step that has shipped; add one at the end (a later step may
 * restate a view or trigger an earlier one made).
 */
import type { DB } from './db.js';
import { migrateToInstants } from './migrate-instants.js';

/** SQL, or a step that needs code (parsing every stored timestamp once, in JS). */
export const MIGRATIONS: (string | ((db: DB) => void))[] = [
  `
  CREATE TABLE units (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_hash TEXT
  );
  CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    unit TEXT NOT NULL REFERENCES units(id),
    credential_hash TEXT NOT NULL UNIQUE,
    hostname TEXT NOT NULL,
    machine_id TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE TABLE reports (
    report_id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    collected_at TEXT NOT NULL,
    received_at TEXT NOT NULL
  );
  CREATE TABLE hosts (
    agent_id TEXT PRIMARY KEY REFERENCES agents(id),
    unit TEXT NOT NULL,
    hostname TEXT NOT NULL,
    role TEXT NOT NULL,
    systems TEXT NOT NULL,          -- JSON array of system ids
    protected INTEGER,              -- 1/0, NULL when the protection probe failed
    protection_reasons TEXT NOT NULL, -- JSON array
    ipv6_readiness TEXT,
    last_report_id TEXT NOT NULL,
    collected_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    decommissioned_at TEXT,
    report TEXT NOT NULL            -- the latest full report, JSON
  );
  CREATE INDEX hosts_unit ON hosts(unit);
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    points TEXT NOT NULL,           -- JSON array of IPoint
    created_at TEXT NOT NULL
  );
  CREATE TABLE outbox_rejected (
    id INTEGER PRIMARY KEY,
    points TEXT NOT NULL,
    created_at TEXT NOT NULL,
    reason TEXT NOT NULL
  );
  CREATE TABLE systems (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    owner_unit TEXT NOT NULL,
    level INTEGER,
    approval_number TEXT,
    approval_date TEXT,
    plan_deployed INTEGER NOT NULL DEFAULT 0,
    plan_date TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    legal_basis TEXT
  );
  CREATE TABLE indicator_results (
    evaluated_at TEXT NOT NULL,
    indicator TEXT NOT NULL,
    scope TEXT NOT NULL,            -- 'ministry' | 'unit:<id>' | 'system:<id>'
    pass INTEGER NOT NULL,
    total INTEGER NOT NULL,
    target REAL NOT NULL,
    PRIMARY KEY (indicator, scope, evaluated_at)
  );
  `,
  // Rules and alerts: alert state per (indicator, scope), and the queue of alert
  // notifications for the webhook and e-mail sinks, retried with backoff.
  `
  CREATE TABLE alert_state (
    indicator TEXT NOT NULL,
    scope TEXT NOT NULL,            -- 'ministry' | 'unit:<id>' | 'system:<id>'
    state TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
    labels TEXT NOT NULL,           -- JSON object
    annotations TEXT NOT NULL,      -- JSON object
    value REAL,
    pass INTEGER NOT NULL,
    total INTEGER NOT NULL,
    target REAL NOT NULL,
    active_at TEXT NOT NULL,
    fired_at TEXT,
    resolved_at TEXT,
    last_eval_at TEXT NOT NULL,
    PRIMARY KEY (indicator, scope)
  );
  CREATE TABLE alert_notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sink TEXT NOT NULL,             -- 'webhook' | 'email'
    payload TEXT NOT NULL,          -- JSON AlertNotice
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,       -- ms since the epoch
    last_error TEXT,
    failed_at TEXT                  -- set when retries are exhausted; kept for inspection
  );
  CREATE INDEX alert_notifications_due ON alert_notifications(failed_at, next_at);
  -- The few report facts rules read that have no column in hosts, kept compact by triggers
  -- when a host's report is stored, so evaluation never re-parses 100,000 full reports.
  CREATE TABLE host_rule_facts (
    agent_id TEXT PRIMARY KEY,
    facts TEXT NOT NULL              -- JSON [os family, [product ids], [ipv6 reasons], [[check id, level, result, ...]] | null] (see host-facts.ts)
  );
  CREATE VIEW host_rule_facts_of AS SELECT h.agent_id AS agent_id, json_array(
      json_extract(h.report, '$.probes.host.facts.os.family'),
      (SELECT json_group_array(json_extract(p.value, '$.id')) FROM json_each(h.report, '$.probes.protection.facts.products') p),
      json_extract(h.report, '$.probes.ipv6.facts.reasons'),
      CASE WHEN json_extract(h.report, '$.probes.baseline.ok') THEN
        (SELECT json_group_array(json_array(json_extract(c.value, '$.id'), json_extract(c.value, '$.level'), json_extract(c.value, '$.result')))
         FROM json_each(h.report, '$.probes.baseline.facts.checks') c)
      END) AS facts
    FROM hosts h;
  -- Upserts, not INSERT OR REPLACE: a trigger's conflict clause yields to the outer
  -- statement's, and the ingest's own upsert would make REPLACE abort.
  CREATE TRIGGER host_rule_facts_ins AFTER INSERT ON hosts BEGIN
    INSERT INTO host_rule_facts SELECT * FROM host_rule_facts_of WHERE agent_id = NEW.agent_id
      ON CONFLICT(agent_id) DO UPDATE SET facts = excluded.facts;
  END;
  CREATE TRIGGER host_rule_facts_upd AFTER UPDATE OF report ON hosts BEGIN
    INSERT INTO host_rule_facts SELECT * FROM host_rule_facts_of WHERE agent_id = NEW.agent_id
      ON CONFLICT(agent_id) DO UPDATE SET facts = excluded.facts;
  END;
  CREATE TRIGGER host_rule_facts_del AFTER DELETE ON hosts BEGIN
    DELETE FROM host_rule_facts WHERE agent_id = OLD.agent_id;
  END;
  INSERT INTO host_rule_facts SELECT * FROM host_rule_facts_of;
  `,
  // The report --at looks up the last evaluation at or before a time across all indicators.
  `CREATE INDEX indicator_results_at ON indicator_results(evaluated_at);`,
  // Access control: scrypt enrollment secrets with expiry, API tokens, audit log, outbox point counts,
  // richer registry records (kept whole as JSON), host decommissioning.
  `
  ALTER TABLE units ADD COLUMN secret_expires_at TEXT;
  ALTER TABLE units ADD COLUMN secret_set_at TEXT;
  ALTER TABLE units ADD COLUMN secret_source TEXT;      -- 'config' | 'cli'
  -- The skeleton's unsalted sha256 hashes are dropped; serve re-hashes the config's secrets.
  UPDATE units SET secret_hash = NULL;
  CREATE TABLE api_tokens (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    token_hash TEXT NOT NULL UNIQUE,  -- sha256 hex of a 256-bit random token
    source TEXT NOT NULL,             -- 'config' | 'cli'
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
  );
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,              -- 'cli:<user>' or 'token:<name>'
    action TEXT NOT NULL,             -- e.g. host.decommission, agent.revoke, unit.secret.rotate
    subject TEXT NOT NULL,
    detail TEXT NOT NULL              -- JSON
  );
  -- From here on outbox.points holds InfluxDB line protocol (one point per line); rows of
  -- JSON points written before are converted when sent.
  ALTER TABLE outbox ADD COLUMN n INTEGER NOT NULL DEFAULT 1;  -- points in the row
  ALTER TABLE systems ADD COLUMN record TEXT;                  -- the full registry record, JSON
  ALTER TABLE systems ADD COLUMN source TEXT NOT NULL DEFAULT 'file';  -- 'file' (registryFile) | 'api'
  CREATE INDEX reports_collected ON reports(collected_at);
  ALTER TABLE hosts ADD COLUMN decommission_reason TEXT;
  CREATE INDEX agents_unit ON agents(unit);
  `,
  // Federation. On a unit's collector: the forward outbox, filled in the transaction
  // that stores a report, emptied as the ministry's collector acknowledges; items the ministry
  // refused for good are kept aside for inspection. On the ministry's: relay credentials (one
  // unit each) and, per agent, the relay unit that created it (relayed agents have no usable
  // credential).
  `
  CREATE TABLE forward_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id TEXT NOT NULL,
    report TEXT NOT NULL,             -- the report JSON as stored
    created_at TEXT NOT NULL
  );
  CREATE TABLE forward_refused (
    id INTEGER PRIMARY KEY,
    report_id TEXT NOT NULL,
    report TEXT NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    refused_at TEXT NOT NULL
  );
  CREATE TABLE relays (
    id TEXT PRIMARY KEY,
    unit TEXT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    credential_hash TEXT NOT NULL UNIQUE,
    enrolled_at TEXT NOT NULL,
    revoked_at TEXT
  );
  ALTER TABLE agents ADD COLUMN via_relay TEXT;  -- the relay id that first posted this agent's report
  `,
  // Instants and per-agent idempotency: see migrate-instants.ts.
  migrateToInstants,
  // Baseline checks judged at the system's level: host_rule_facts also keeps each check's
  // per-level results ([[level, result, threshold]]), its measured value and, for an unknown
  // result, the agent's reason code (a failure's code is the check id's; its value is kept).
  // Titles, the same on every host, are kept once per check in baseline_check_titles (the
  // title the last host that did not pass it sent), not 100,000 times.
  `
  DROP TRIGGER host_rule_facts_ins;
  DROP TRIGGER host_rule_facts_upd;
  DROP VIEW host_rule_facts_of;
  CREATE VIEW host_rule_facts_of AS SELECT h.agent_id AS agent_id, json_array(
      json_extract(h.report, '$.probes.host.facts.os.family'),
      (SELECT json_group_array(json_extract(p.value, '$.id')) FROM json_each(h.report, '$.probes.protection.facts.products') p),
      json_extract(h.report, '$.probes.ipv6.facts.reasons'),
      CASE WHEN json_extract(h.report, '$.probes.baseline.ok') THEN
        -- [id, level, result] for most checks; the longer form only where there is more to keep.
        (SELECT json_group_array(CASE
            WHEN json_type(c.value, '$.byLevel') IS NULL AND json_type(c.value, '$.value') IS NULL AND json_extract(c.value, '$.result') <> 'unknown'
              THEN json_array(json_extract(c.value, '$.id'), json_extract(c.value, '$.level'), json_extract(c.value, '$.result'))
            ELSE json_array(
              json_extract(c.value, '$.id'), json_extract(c.value, '$.level'), json_extract(c.value, '$.result'),
              CASE WHEN json_type(c.value, '$.byLevel') = 'array' THEN
                json((SELECT json_group_array(json_array(json_extract(b.value, '$.level'), json_extract(b.value, '$.result'), json_extract(b.value, '$.threshold')))
                      FROM json_each(c.value, '$.byLevel') b))
              END,
              json_extract(c.value, '$.value'),
              CASE WHEN json_extract(c.value, '$.result') = 'unknown' THEN json_extract(c.value, '$.reasonCode') END)
            END)
         FROM json_each(h.report, '$.probes.baseline.facts.checks') c)
      END) AS facts
    FROM hosts h;
  CREATE TABLE baseline_check_titles (
    check_id TEXT PRIMARY KEY,
    title TEXT NOT NULL              -- JSON {vi, en}
  );
  CREATE VIEW baseline_titles_of AS SELECT h.agent_id AS agent_id, json_extract(c.value, '$.id') AS check_id, json_extract(c.value, '$.title') AS title
    FROM hosts h, json_each(h.report, '$.probes.baseline.facts.checks') c
    WHERE json_extract(h.report, '$.probes.baseline.ok')
      AND (json_extract(c.value, '$.result') <> 'pass'
           OR EXISTS (SELECT 1 FROM json_each(c.value, '$.byLevel') b WHERE json_extract(b.value, '$.result') <> 'pass'));
  CREATE TRIGGER host_rule_facts_ins AFTER INSERT ON hosts BEGIN
    INSERT INTO host_rule_facts SELECT * FROM host_rule_facts_of WHERE agent_id = NEW.agent_id
      ON CONFLICT(agent_id) DO UPDATE SET facts = excluded.facts;
    INSERT INTO baseline_check_titles SELECT check_id, title FROM baseline_titles_of WHERE agent_id = NEW.agent_id AND title IS NOT NULL
      ON CONFLICT(check_id) DO UPDATE SET title = excluded.title WHERE title IS NOT excluded.title;
  END;
  CREATE TRIGGER host_rule_facts_upd AFTER UPDATE OF report ON hosts BEGIN
    INSERT INTO host_rule_facts SELECT * FROM host_rule_facts_of WHERE agent_id = NEW.agent_id
      ON CONFLICT(agent_id) DO UPDATE SET facts = excluded.facts;
    INSERT INTO baseline_check_titles SELECT check_id, title FROM baseline_titles_of WHERE agent_id = NEW.agent_id AND title IS NOT NULL
      ON CONFLICT(check_id) DO UPDATE SET title = excluded.title WHERE title IS NOT excluded.title;
  END;
  INSERT INTO host_rule_facts SELECT * FROM host_rule_facts_of WHERE true
    ON CONFLICT(agent_id) DO UPDATE SET facts = excluded.facts;
  INSERT INTO baseline_check_titles SELECT check_id, title FROM baseline_titles_of WHERE title IS NOT NULL
    ON CONFLICT(check_id) DO UPDATE SET title = excluded.title;
  `,
  // Reasons as codes: host_rule_facts also keeps the agent's protection reason codes, when the
  // protection probe failed its error code (the report says why a host is unknown), and the
  // IPv6 probe's reason codes, after the four facts of the migration before; a baseline check's
  // tuple keeps the agent's reason code whatever the result (the longer form), not only for an
  // unknown result. The view and its triggers are recreated with both sides' facts.
  `
  DROP TRIGGER host_rule_facts_ins;
  DROP TRIGGER host_rule_facts_upd;
  DROP VIEW host_rule_facts_of;
  CREATE VIEW host_rule_facts_of AS SELECT h.agent_id AS agent_id, json_array(
      json_extract(h.report, '$.probes.host.facts.os.family'),
      (SELECT json_group_array(json_extract(p.value, '$.id')) FROM json_each(h.report, '$.probes.protection.facts.products') p),
      json_extract(h.report, '$.probes.ipv6.facts.reasons'),
      CASE WHEN json_extract(h.report, '$.probes.baseline.ok') THEN
        -- [id, level, result] for most checks; the longer form only where there is more to keep.
        (SELECT json_group_array(CASE
            WHEN json_type(c.value, '$.byLevel') IS NULL AND json_type(c.value, '$.value') IS NULL AND json_type(c.value, '$.reasonCode') IS NULL
              THEN json_array(json_extract(c.value, '$.id'), json_extract(c.value, '$.level'), json_extract(c.value, '$.result'))
            ELSE json_array(
              json_extract(c.value, '$.id'), json_extract(c.value, '$.level'), json_extract(c.value, '$.result'),
              CASE WHEN json_type(c.value, '$.byLevel') = 'array' THEN
                json((SELECT json_group_array(json_array(json_extract(b.value, '$.level'), json_extract(b.value, '$.result'), json_extract(b.value, '$.threshold')))
                      FROM json_each(c.value, '$.byLevel') b))
              END,
              json_extract(c.value, '$.value'),
              json_extract(c.value, '$.reasonCode'))
            END)
         FROM json_each(h.report, '$.probes.baseline.facts.checks') c)
      END,
      json_extract(h.report, '$.probes.protection.facts.reasonCodes'),
      json_extract(h.report, '$.probes.protection.error.code'),
      json_extract(h.report, '$.probes.ipv6.facts.reasonCodes')) AS facts
    FROM hosts h;
  CREATE TRIGGER host_rule_facts_ins AFTER INSERT ON hosts BEGIN
    INSERT INTO host_rule_facts SELECT * FROM host_rule_facts_of WHERE agent_id = NEW.agent_id
      ON CONFLICT(agent_id) DO UPDATE SET facts = excluded.facts;
    INSERT INTO baseline_check_titles SELECT check_id, title FROM baseline_titles_of WHERE agent_id = NEW.agent_id AND title IS NOT NULL
      ON CONFLICT(check_id) DO UPDATE SET title = excluded.title WHERE title IS NOT excluded.title;
  END;
  CREATE TRIGGER host_rule_facts_upd AFTER UPDATE OF report ON hosts BEGIN
    INSERT INTO host_rule_facts SELECT * FROM host_rule_facts_of WHERE agent_id = NEW.agent_id
      ON CONFLICT(agent_id) DO UPDATE SET facts = excluded.facts;
    INSERT INTO baseline_check_titles SELECT check_id, title FROM baseline_titles_of WHERE agent_id = NEW.agent_id AND title IS NOT NULL
      ON CONFLICT(check_id) DO UPDATE SET title = excluded.title WHERE title IS NOT excluded.title;
  END;
  INSERT INTO host_rule_facts SELECT * FROM host_rule_facts_of WHERE true
    ON CONFLICT(agent_id) DO UPDATE SET facts = excluded.facts;
  `,
  // Speed, the same facts: each view parses the report once (jsonb) and reads every check and
  // product from its binary value (jsonb_each), where the text views parsed each check's JSON
  // again for every json_extract. The triggers ran on every stored report in the commit
  // thread: its CPU per report went from 1.1 ms to 0.4 ms with 62 baseline checks (a real
  // agent's) and from 0.2 to 0.12 ms with the benches' 8 (bench/ingest-commit.mjs).
  // store/rule-facts-views.integration.test.ts checks that both forms give the same text. A
  // later change to the facts restates these views in this form: jsonb(report) once in the
  // FROM, jsonb_each for every json_each.
  `
  DROP TRIGGER host_rule_facts_ins;
  DROP TRIGGER host_rule_facts_upd;
  DROP VIEW host_rule_facts_of;
  DROP VIEW baseline_titles_of;
  CREATE VIEW host_rule_facts_of AS SELECT h.agent_id AS agent_id, json_array(
      json_extract(h.report, '$.probes.host.facts.os.family'),
      (SELECT json_group_array(json_extract(p.value, '$.id')) FROM jsonb_each(h.report, '$.probes.protection.facts.products') p),
      json_extract(h.report, '$.probes.ipv6.facts.reasons'),
      CASE WHEN json_extract(h.report, '$.probes.baseline.ok') THEN
        -- [id, level, result] for most checks; the longer form only where there is more to keep.
        (SELECT json_group_array(CASE
            WHEN json_type(c.value, '$.byLevel') IS NULL AND json_type(c.value, '$.value') IS NULL AND json_type(c.value, '$.reasonCode') IS NULL
              THEN json_array(json_extract(c.value, '$.id'), json_extract(c.value, '$.level'), json_extract(c.value, '$.result'))
            ELSE json_array(
              json_extract(c.value, '$.id'), json_extract(c.value, '$.level'), json_extract(c.value, '$.result'),
              CASE WHEN json_type(c.value, '$.byLevel') = 'array' THEN
                json((SELECT json_group_array(json_array(json_extract(b.value, '$.level'), json_extract(b.value, '$.result'), json_extract(b.value, '$.threshold')))
                      FROM jsonb_each(c.value, '$.byLevel') b))
              END,
              json_extract(c.value, '$.value'),
              json_extract(c.value, '$.reasonCode'))
            END)
         FROM jsonb_each(h.report, '$.probes.baseline.facts.checks') c)
      END,
      json_extract(h.report, '$.probes.protection.facts.reasonCodes'),
      json_extract(h.report, '$.probes.protection.error.code'),
      json_extract(h.report, '$.probes.ipv6.facts.reasonCodes')) AS facts
    FROM (SELECT agent_id, jsonb(report) AS report FROM hosts) h;
  CREATE VIEW baseline_titles_of AS SELECT h.agent_id AS agent_id, json_extract(c.value, '$.id') AS check_id, json_extract(c.value, '$.title') AS title
    FROM (SELECT agent_id, jsonb(report) AS report FROM hosts) h, jsonb_each(h.report, '$.probes.baseline.facts.checks') c
    WHERE json_extract(h.report, '$.probes.baseline.ok')
      AND (json_extract(c.value, '$.result') <> 'pass'
           OR EXISTS (SELECT 1 FROM jsonb_each(c.value, '$.byLevel') b WHERE json_extract(b.value, '$.result') <> 'pass'));
  CREATE TRIGGER host_rule_facts_ins AFTER INSERT ON hosts BEGIN
    INSERT INTO host_rule_facts SELECT * FROM host_rule_facts_of WHERE agent_id = NEW.agent_id
      ON CONFLICT(agent_id) DO UPDATE SET facts = excluded.facts;
    INSERT INTO baseline_check_titles SELECT check_id, title FROM baseline_titles_of WHERE agent_id = NEW.agent_id AND title IS NOT NULL
      ON CONFLICT(check_id) DO UPDATE SET title = excluded.title WHERE title IS NOT excluded.title;
  END;
  CREATE TRIGGER host_rule_facts_upd AFTER UPDATE OF report ON hosts BEGIN
    INSERT INTO host_rule_facts SELECT * FROM host_rule_facts_of WHERE agent_id = NEW.agent_id
      ON CONFLICT(agent_id) DO UPDATE SET facts = excluded.facts;
    INSERT INTO baseline_check_titles SELECT check_id, title FROM baseline_titles_of WHERE agent_id = NEW.agent_id AND title IS NOT NULL
      ON CONFLICT(check_id) DO UPDATE SET title = excluded.title WHERE title IS NOT excluded.title;
  END;
  `,
  // The host list pages in index order: without it each page (and its count) read the whole
  // hosts table, reports included, and sorted it (1.2 s a page at 100,000 hosts; 0.25 s with).
  `CREATE INDEX hosts_listing ON hosts(decommissioned_at, unit, hostname, agent_id);
  `,
  // The rule inputs of every host in service are kept in memory between evaluations
  // (store/host-inputs-cache.ts) and refreshed from the rows changed since the last one:
  // every write of a host's row (the ingest upsert, decommissioning) sets change_seq to one
  // more than the largest in the table, so that within SQLite's single writer it grows in
  // commit order and "change_seq > last seen" finds, through the index, exactly the rows
  // written since. Rows stored before start at 0: the first evaluation reads every row.
  `
  ALTER TABLE hosts ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX hosts_change_seq ON hosts(change_seq);
  `,
  // The ingest writes host_rule_facts and baseline_check_titles itself, from the report the main
  // thread has already parsed (ingest/rule-facts.ts, store/host-rule-facts.ts); the triggers
  // parsed every stored report again in the commit thread, whose CPU per report is now half with
  // a real agent's 62 checks and two thirds with the benches' 8 (bench/ingest-commit.mjs). Rows
  // they wrote stay as they are (the same facts). The views stay: they define the facts in SQL,
  // rebuild them for hosts rows written without the ingest (HostRuleFactsStore.rebuildFromReports),
  // and are what store/rule-facts-views.integration.test.ts checks the JavaScript form against.
  // The delete trigger stays.
  `
  DROP TRIGGER host_rule_facts_ins;
  DROP TRIGGER host_rule_facts_upd;
  `,
  // Each host's latest full report moves out of the hosts row into host_reports: a 2-4 KB row
  // is a whole 4 KB page, so every read of the hosts table (the evaluation's full read after a
  // start, host lists, counts) went through 112,000 pages at 100,000 hosts instead of 12,500,
  // and the rule inputs' full read took 0.95-1.0 s of SQLite instead of 0.45-0.5 s. The report
  // is read only for one host (`posture hosts show`) and by the views, restated here on the new
  // table (same facts, same form).
  `
  DROP VIEW host_rule_facts_of;
  DROP VIEW baseline_titles_of;
  CREATE TABLE host_reports (
    agent_id TEXT PRIMARY KEY REFERENCES hosts(agent_id) ON DELETE CASCADE,
    report TEXT NOT NULL            -- the host's latest full report, JSON as received
  );
  INSERT INTO host_reports (agent_id, report) SELECT agent_id, report FROM hosts;
  ALTER TABLE hosts DROP COLUMN report;
  CREATE VIEW host_rule_facts_of AS SELECT h.agent_id AS agent_id, json_array(
      json_extract(h.report, '$.probes.host.facts.os.family'),
      (SELECT json_group_array(json_extract(p.value, '$.id')) FROM jsonb_each(h.report, '$.probes.protection.facts.products') p),
      json_extract(h.report, '$.probes.ipv6.facts.reasons'),
      CASE WHEN json_extract(h.report, '$.probes.baseline.ok') THEN
        -- [id, level, result] for most checks; the longer form only where there is more to keep.
        (SELECT json_group_array(CASE
            WHEN json_type(c.value, '$.byLevel') IS NULL AND json_type(c.value, '$.value') IS NULL AND json_type(c.value, '$.reasonCode') IS NULL
              THEN json_array(json_extract(c.value, '$.id'), json_extract(c.value, '$.level'), json_extract(c.value, '$.result'))
            ELSE json_array(
              json_extract(c.value, '$.id'), json_extract(c.value, '$.level'), json_extract(c.value, '$.result'),
              CASE WHEN json_type(c.value, '$.byLevel') = 'array' THEN
                json((SELECT json_group_array(json_array(json_extract(b.value, '$.level'), json_extract(b.value, '$.result'), json_extract(b.value, '$.threshold')))
                      FROM jsonb_each(c.value, '$.byLevel') b))
              END,
              json_extract(c.value, '$.value'),
              json_extract(c.value, '$.reasonCode'))
            END)
         FROM jsonb_each(h.report, '$.probes.baseline.facts.checks') c)
      END,
      json_extract(h.report, '$.probes.protection.facts.reasonCodes'),
      json_extract(h.report, '$.probes.protection.error.code'),
      json_extract(h.report, '$.probes.ipv6.facts.reasonCodes')) AS facts
    FROM (SELECT agent_id, jsonb(report) AS report FROM host_reports) h;
  CREATE VIEW baseline_titles_of AS SELECT h.agent_id AS agent_id, json_extract(c.value, '$.id') AS check_id, json_extract(c.value, '$.title') AS title
    FROM (SELECT agent_id, jsonb(report) AS report FROM host_reports) h, jsonb_each(h.report, '$.probes.baseline.facts.checks') c
    WHERE json_extract(h.report, '$.probes.baseline.ok')
      AND (json_extract(c.value, '$.result') <> 'pass'
           OR EXISTS (SELECT 1 FROM jsonb_each(c.value, '$.byLevel') b WHERE json_extract(b.value, '$.result') <> 'pass'));
  `,
  // Lists read a chunk at a time (store/snapshot.ts) continue after the last row of the chunk
  // before: each order needs an index, or every chunk sorts the whole table again. The two
  // replace the indexes on unit alone (a prefix of theirs: no more indexes for a write to keep).
  // The hostname index serves the lookup of a host by hostname (GET /api/v1/hosts/:id), a
  // scan of every row before (0.1 s at 100,000 hosts).
  `
  DROP INDEX hosts_unit;
  CREATE INDEX hosts_order ON hosts(unit, hostname, agent_id);
  CREATE INDEX hosts_hostname ON hosts(hostname);
  DROP INDEX agents_unit;
  CREATE INDEX agents_listing ON agents(unit, hostname, id);
  `,
];
