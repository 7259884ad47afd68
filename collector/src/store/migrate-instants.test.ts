/**
 * A store written by the version before instants and per-agent idempotency keeps working:
 * its report ids, host states (with "+07:00" and "Z" texts) and latest reports are converted
 * once when the current version opens it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentStore } from './agents.js';
import { BEFORE_INSTANTS, openDb, SCHEMA_VERSION, type DB } from './db.js';
import { ForwardOutbox } from './forward-outbox.js';
import { HostStore } from './hosts.js';
import { IngestCommit } from './ingest-commit.js';
import { Outbox } from './outbox.js';
import { ReportStore } from './reports.js';
import { toIngestRow } from '../ingest/rows.js';
import { sampleReport } from '../../../testing/reports.js';
import type { ProtectionFacts } from '../policy/protection.js';

const H = 3_600_000;
let dir: string;
let db: DB;
const T = Date.parse('2026-11-30T10:00:00.000Z');
const vn = (ms: number) => new Date(ms + 7 * H).toISOString().replace('Z', '+07:00');
const old = sampleReport({ agentId: 'a-old', unit: 'TTCNTT', hostname: 'old-state', collectedAt: new Date(T) });
old.collectedAt = vn(T); // "2026-11-30T17:00:00.000+07:00"

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-migrate-'));
  // A store of the version before instants, and rows as it wrote them.
  const before = openDb(dir, BEFORE_INSTANTS);
  before.prepare("INSERT INTO units (id, name) VALUES ('TTCNTT', 'TT')").run();
  for (const id of ['a-old', 'a-other']) before.prepare("INSERT INTO agents (id, unit, credential_hash, hostname, machine_id, enrolled_at) VALUES (?, 'TTCNTT', ?, 'h', '', '2026-11-01T00:00:00Z')").run(id, `hash-${id}`);
  before.prepare('INSERT INTO reports (report_id, agent_id, collected_at, received_at) VALUES (?, ?, ?, ?)').run(old.reportId, 'a-old', old.collectedAt, new Date(T).toISOString());
  before
    .prepare(
      `INSERT INTO hosts (agent_id, unit, hostname, role, systems, protected, protection_reasons, ipv6_readiness, last_report_id, collected_at, received_at, report) VALUES ('a-old', 'TTCNTT', 'old-state', 'server', '[]', 1, '[]', NULL, ?, ?, ?, ?)`,
    )
    .run(old.reportId, old.collectedAt, new Date(T).toISOString(), JSON.stringify(old));
  before.close();
  db = openDb(dir);
});

afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('migration to instants', () => {
  it('converts report ids and host states, and extracts the product facts of the stored report', () => {
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT agent_id, report_id, collected_ms, content_hash FROM reports').all()).toEqual([{ agent_id: 'a-old', report_id: old.reportId, collected_ms: T, content_hash: null }]);
    const host = db.prepare("SELECT collected_ms, protection_facts FROM hosts WHERE agent_id = 'a-old'").get() as { collected_ms: number; protection_facts: string };
    expect(host.collected_ms).toBe(T);
    const facts = JSON.parse(host.protection_facts) as ProtectionFacts;
    // sampleReport's ClamAV: signatures dated 5 h before collection.
    expect(facts).toMatchObject({ collectedMs: T, failure: null, agentProtected: true, agentLimitHours: 168 });
    expect(facts.products).toEqual([expect.objectContaining({ key: 'clamav', signatureMs: T - 5 * H, signatureAgeHours: 5 })]);
  });

  it('then ingests as the current version: newest instant wins over the old "+07:00" text; ids are per agent; old keys stay duplicates', () => {
    const hosts = new HostStore(db);
    const reports = new ReportStore(db);
    const commit = new IngestCommit(db, { reports, hosts, outbox: new Outbox(db), forwardOutbox: new ForwardOutbox(db), agents: new AgentStore(db) });
    const ingest = (r: typeof old, at: Date) => commit.commit([toIngestRow({ report: r, unit: 'TTCNTT', points: [], receivedAt: at })]).stored[0];
    // One hour OLDER than the stored state, but "2026-11-30T09:00:00.000Z" vs "...T17:00:00.000+07:00" as text.
    const older = sampleReport({ agentId: 'a-old', unit: 'TTCNTT', hostname: 'older', collectedAt: new Date(T - H) });
    expect(ingest(older, new Date(T))).toBe(true);
    expect(hosts.get('a-old')!.hostname).toBe('old-state');
    const newer = sampleReport({ agentId: 'a-old', unit: 'TTCNTT', hostname: 'newer', collectedAt: new Date(T + H) });
    expect(ingest(newer, new Date(T + H))).toBe(true);
    expect(hosts.get('a-old')!.hostname).toBe('newer');
    // The old key has no content hash: a resend of its id is a duplicate, as it was before.
    expect(commit.commit([rowOf(old, 'a-old')]).outcomes).toEqual(['duplicate']);
    // Another agent may use the same id.
    const other = { ...sampleReport({ agentId: 'a-other', unit: 'TTCNTT', collectedAt: new Date(T) }), reportId: old.reportId };
    expect(ingest(other, new Date(T))).toBe(true);
    expect(reports.prune(new Date(T - H / 2))).toBe(1); // only `older` was collected before T - 30 min
  });
});

function rowOf(r: typeof old, agentId: string) {
  return {
    report_id: r.reportId,
    agent_id: agentId,
    unit: 'TTCNTT',
    hostname: 'x',
    role: 'server',
    systems: '[]',
    protected: 1,
    reasons: '[]',
    ipv6: null,
    collected_at: r.collectedAt,
    collected_ms: Date.parse(r.collectedAt),
    received_at: new Date(T).toISOString(),
    report: JSON.stringify(r),
    content_hash: 'something-else',
    protection_facts: '{}',
    rule_facts: '[]',
    check_titles: [],
    lines: '',
    n: 0,
    by_agent_credential: false,
  };
}
