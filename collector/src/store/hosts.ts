/** The latest state of each host (one row per agent in hosts; its latest full report in host_reports, kept on disk). */
import type { Report } from '@posture/protocol';
import type { DB } from './db.js';
import type { TitlePart } from './host-rule-facts.js';
import { StoreSnapshot } from './snapshot.js';
import { HostPageReader, PAGE_ORDER, pageFilter, type HostPageQuery } from './host-page.js';

export type { HostPageQuery } from './host-page.js';
export { HostPageReader } from './host-page.js';

export interface HostRow {
  agent_id: string;
  unit: string;
  hostname: string;
  role: string;
  systems: string[];
  protected: boolean | null;
  protection_reasons: string[];
  ipv6_readiness: string | null;
  collected_at: string;
  /** The collection instant, epoch ms: the order of a host's reports. */
  collected_ms: number;
  received_at: string;
  decommissioned_at: string | null;
}

export type RawHost = Omit<HostRow, 'systems' | 'protected' | 'protection_reasons'> & { systems: string; protected: number | null; protection_reasons: string };

export const toHost = (r: RawHost): HostRow => ({
  ...r,
  systems: JSON.parse(r.systems) as string[],
  protected: r.protected === null ? null : r.protected === 1,
  protection_reasons: JSON.parse(r.protection_reasons) as string[],
});

/** One accepted report flattened to what the ingest statements take: strings and numbers, and its check titles (made by ingest/rows.ts on the commit thread). */
export interface IngestRow {
  report_id: string;
  agent_id: string;
  unit: string;
  hostname: string;
  role: string;
  systems: string;
  protected: number | null;
  reasons: string;
  ipv6: string | null;
  collected_at: string;
  collected_ms: number;
  received_at: string;
  report: string;
  /** sha256 of the report JSON: a resent id with other content is a conflict, not a duplicate. */
  content_hash: string;
  /** The product facts the protection policy judges at evaluation time (policy/protection.ts), JSON. */
  protection_facts: string;
  /** host_rule_facts.facts of this report, and the titles of its checks that do not pass (ingest/rule-facts.ts). */
  rule_facts: string;
  check_titles: readonly TitlePart[];
  /** The report's points as line protocol, and how many. */
  lines: string;
  n: number;
  /**
   * Sent with the agent's own credential: the commit refuses the row if the agent was revoked
   * meanwhile (the guard's credential cache, store/agents.ts, cannot see a revocation made by
   * the CLI's process; the transaction can).
   */
  by_agent_credential: boolean;
}

// The host's latest full report (2-4 KB) is in host_reports, read for one host at a time
// (`posture hosts show`): kept in the hosts row, it made each row a page of its own.
export const COLS = 'agent_id, unit, hostname, role, systems, protected, protection_reasons, ipv6_readiness, collected_at, collected_ms, received_at, decommissioned_at';

/**
 * Every write of a host's row sets change_seq to this (migrations.ts): the evaluation's cache of
 * rule inputs (host-inputs-cache.ts) re-reads only the rows changed since it last looked.
 */
const NEXT_SEQ = '(SELECT coalesce(max(change_seq), 0) + 1 FROM hosts)';

export class HostStore {
  private readonly upsertHost;
  private readonly putReport;

  constructor(private readonly db: DB) {
    // The host's state follows its newest report by collection INSTANT (epoch ms, never the
    // text: "+07:00" and "Z" do not sort as time); an older one (a spool draining) is history:
    // stored and sent to InfluxDB, but it never replaces a newer state.
    this.upsertHost = db.prepare(`
      INSERT INTO hosts (agent_id, unit, hostname, role, systems, protected, protection_reasons, ipv6_readiness,
                         last_report_id, collected_at, collected_ms, received_at, protection_facts, change_seq)
      VALUES (@agent_id, @unit, @hostname, @role, @systems, @protected, @reasons, @ipv6, @report_id, @collected_at, @collected_ms, @received_at, @protection_facts, ${NEXT_SEQ})
      ON CONFLICT(agent_id) DO UPDATE SET
        unit = excluded.unit, hostname = excluded.hostname, role = excluded.role, systems = excluded.systems,
        protected = excluded.protected, protection_reasons = excluded.protection_reasons,
        ipv6_readiness = excluded.ipv6_readiness, last_report_id = excluded.last_report_id,
        collected_at = excluded.collected_at, collected_ms = excluded.collected_ms, received_at = excluded.received_at,
        protection_facts = excluded.protection_facts, change_seq = ${NEXT_SEQ}
      WHERE excluded.collected_ms >= hosts.collected_ms`);
    this.putReport = db.prepare('INSERT INTO host_reports (agent_id, report) VALUES (?, ?) ON CONFLICT(agent_id) DO UPDATE SET report = excluded.report');
  }

  /**
   * The host's latest state from a newly stored report (inside the ingest transaction); false
   * when the host already has a newer report (this one is history: the state stays).
   */
  upsertLatest(row: IngestRow): boolean {
    if (this.upsertHost.run(row).changes !== 1) return false;
    this.putReport.run(row.agent_id, row.report);
    return true;
  }

  all(opts: { includeDecommissioned?: boolean } = {}): HostRow[] {
    const where = opts.includeDecommissioned ? '' : 'WHERE decommissioned_at IS NULL';
    return (this.db.prepare(`SELECT ${COLS} FROM hosts ${where} ORDER BY unit, hostname`).all() as RawHost[]).map(toHost);
  }

  /** One page of hosts, filtered in SQL (lists of 100,000 hosts never materialise at once). */
  page(q: HostPageQuery): { total: number; rows: HostRow[] } {
    const { w, args } = pageFilter(q);
    const total = (this.db.prepare(`SELECT count(*) AS n FROM hosts ${w}`).get(...args) as { n: number }).n;
    const rows = (this.db.prepare(`SELECT ${COLS} FROM hosts ${w} ORDER BY ${PAGE_ORDER} LIMIT ? OFFSET ?`).all(...args, q.limit, q.offset) as RawHost[]).map(toHost);
    return { total, rows };
  }

  /** One page of hosts to be read a chunk at a time, from a snapshot of the store taken now (HostPageReader). */
  pageReader(q: HostPageQuery, span?: number): HostPageReader {
    const snapshot = new StoreSnapshot(this.db);
    try {
      return new HostPageReader(snapshot, q, span);
    } catch (e) {
      snapshot.close();
      throw e;
    }
  }

  /**
   * The units and declared systems of the hosts in service, in the order a read of the whole
   * table gives (rowid: the order of loadHostInputs), `size` hosts a chunk from one snapshot of
   * the store (snapshot.ts), for a caller that yields to the event loop between chunks. Hosts
   * that declare no system are left out. close() once read, or given up.
   */
  declaredSystems(size = 2000): { chunks: Iterable<{ unit: string; systems: string[] }[]>; close: () => void } {
    const snapshot = new StoreSnapshot(this.db);
    function* chunks(): Generator<{ unit: string; systems: string[] }[], void, undefined> {
      try {
        // Every row of a rowid range (the filter in JS): a chunk costs the same whatever it holds.
        const statement = snapshot.db.prepare('SELECT rowid, unit, systems, decommissioned_at IS NOT NULL FROM hosts WHERE rowid > ? ORDER BY rowid LIMIT ?').raw();
        let after = Number.MIN_SAFE_INTEGER;
        while (snapshot.open) {
          const rows = statement.all(after, size) as [number, string, string, number][];
          const out: { unit: string; systems: string[] }[] = [];
          for (const [, unit, systems, decommissioned] of rows) if (!decommissioned && systems !== '[]') out.push({ unit, systems: JSON.parse(systems) as string[] });
          yield out;
          if (rows.length < size) return;
          after = rows.at(-1)![0];
        }
      } finally {
        snapshot.close();
      }
    }
    return { chunks: { [Symbol.iterator]: chunks }, close: () => snapshot.close() };
  }

  /** Hosts silent since before `cutoff` (not decommissioned): they count as not protected. */
  stale(cutoff: Date): HostRow[] {
    return (this.db.prepare(`SELECT ${COLS} FROM hosts WHERE decommissioned_at IS NULL AND received_at < ? ORDER BY unit, hostname`).all(cutoff.toISOString()) as RawHost[]).map(toHost);
  }

  get(agentId: string): HostRow | undefined {
    const r = this.db.prepare(`SELECT ${COLS} FROM hosts WHERE agent_id = ?`).get(agentId) as RawHost | undefined;
    return r && toHost(r);
  }

  /** Hosts whose agent id or hostname is `key` (hostnames repeat across units). */
  find(key: string): HostRow[] {
    return (this.db.prepare(`SELECT ${COLS} FROM hosts WHERE agent_id = ? OR hostname = ? ORDER BY unit`).all(key, key) as RawHost[]).map(toHost);
  }

  /** Take a host out of every denominator; false when it is unknown or already decommissioned. */
  decommission(agentId: string, reason: string, now = new Date()): boolean {
    return this.db.prepare(`UPDATE hosts SET decommissioned_at = ?, decommission_reason = ?, change_seq = ${NEXT_SEQ} WHERE agent_id = ? AND decommissioned_at IS NULL`).run(now.toISOString(), reason, agentId).changes === 1;
  }

  latestReport(agentId: string): Report | undefined {
    const r = this.db.prepare('SELECT report FROM host_reports WHERE agent_id = ?').get(agentId) as { report: string } | undefined;
    return r && (JSON.parse(r.report) as Report);
  }
}
