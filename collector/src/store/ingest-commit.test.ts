/**
 * The ingest transaction writes a check's title only when it differs from what the table holds
 * (store/host-rule-facts.ts remembers what it committed): a changed title is still written, and
 * titles of a transaction that rolled back are written by the next one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BaselineCheck } from '@posture/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_UNITS } from '../../../testing/collector.js';
import { sampleReport } from '../../../testing/reports.js';
import { sqlAll } from '../../../testing/sql.js';
import { toIngestRow } from '../ingest/rows.js';
import { AgentStore } from './agents.js';
import { openDb, type DB } from './db.js';
import { ForwardOutbox } from './forward-outbox.js';
import { HostStore } from './hosts.js';
import { IngestCommit } from './ingest-commit.js';
import { Outbox } from './outbox.js';
import { ReportStore } from './reports.js';

let dir: string;
let db: DB;
let agents: AgentStore;
let ingest: IngestCommit;
const unit = TEST_UNITS[0]!.id;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-ingest-commit-'));
  db = openDb(dir);
  agents = new AgentStore(db);
  agents.syncUnits(TEST_UNITS);
  ingest = new IngestCommit(db, { reports: new ReportStore(db), hosts: new HostStore(db), outbox: new Outbox(db), forwardOutbox: new ForwardOutbox(db), agents });
});
afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

/** A row of a report from an enrolled agent (or from `agentId`, which nothing enrolled) whose check `updates.automatic` fails with `title`. */
function row(title: BaselineCheck['title'], agentId = agents.enroll(unit, `h-${Math.random()}`, '').agentId) {
  const r = sampleReport({ agentId, unit, baseline: { 'updates.automatic': 'fail' } });
  if (!r.probes.baseline?.ok) throw new Error('sample report shape changed');
  r.probes.baseline.facts.checks.find((k) => k.id === 'updates.automatic')!.title = title;
  return toIngestRow({ report: r, unit, points: [], receivedAt: new Date() });
}

const titleIn = () => sqlAll<{ title: string }>(db, "SELECT title FROM baseline_check_titles WHERE check_id = 'updates.automatic'").map((t) => JSON.parse(t.title) as unknown);

describe('the ingest transaction and check titles', () => {
  it('writes a title again when it changed, and each host sending the known one changes nothing', () => {
    const first = { vi: 'Cập nhật tự động', en: 'Automatic updates' };
    const second = { vi: 'Cập nhật tự động (bản 2)', en: 'Automatic updates (v2)' };
    ingest.commit([row(first), row(first)]);
    expect(titleIn()).toEqual([first]);
    ingest.commit([row(second)]);
    expect(titleIn()).toEqual([second]);
    ingest.commit([row(first)]);
    expect(titleIn()).toEqual([first]);
  });

  it('writes the titles of a transaction that rolled back with the next one that stores them', () => {
    const title = { vi: 'Tiêu đề mới', en: 'A new title' };
    // The second row's agent is not enrolled: the hosts row it writes breaks a foreign key and the batch rolls back.
    const good = row(title);
    expect(() => ingest.commit([good, row(title, 'not-enrolled')])).toThrow(/FOREIGN KEY/);
    expect(titleIn()).toEqual([]);
    ingest.commit([good]);
    expect(titleIn()).toEqual([title]);
  });
});
