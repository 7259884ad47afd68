/**
 * The commit thread: batches share a transaction, a resend inside one batch is stored once,
 * and a thread that dies fails only what it held: the next report starts a new thread.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_UNITS } from '../../../testing/collector.js';
import { sampleReport } from '../../../testing/reports.js';
import { openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import type { AcceptedReport } from './rows.js';

let dir: string;
let c: Collector;
let agentId: string;
/** A report as the route hands it over; with `reportId`, that id (and `collectMs` to make its content differ). */
const row = (reportId?: string, collectMs?: number): AcceptedReport => {
  const r = sampleReport({ agentId, unit: 'TTCNTT' });
  if (reportId) r.reportId = reportId;
  if (collectMs !== undefined) r.agent.collectMs = collectMs;
  return { json: JSON.stringify(r), reportId: r.reportId, agentId, unit: 'TTCNTT', unitName: undefined, receivedAt: new Date().toISOString(), collectedMs: Date.parse(r.collectedAt), byAgentCredential: true };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-batcher-'));
  c = openCollector(validateConfig({ dataDir: dir, units: TEST_UNITS }, 'test'));
  agentId = c.agents.enroll('TTCNTT', 'h', '').agentId;
});

afterAll(async () => {
  await c.ingest.close();
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('IngestBatcher', () => {
  it('commits what queued together in one transaction; a resend is a duplicate, the id reused for other content a conflict', async () => {
    const commits = c.ingest.stats.commits;
    const first = row();
    const other = row(first.reportId, JSON.parse(first.json).agent.collectMs + 1);
    const results = await Promise.all([c.ingest.submit(first), ...Array.from({ length: 20 }, () => c.ingest.submit(row())), c.ingest.submit({ ...first }), c.ingest.submit(other)]);
    expect(results.filter((r) => r === 'stored')).toHaveLength(21);
    expect(results.slice(-2)).toEqual(['duplicate', 'conflict']);
    // The first report goes alone (nothing waits behind an idle thread); the rest share a commit.
    expect(c.ingest.stats.commits - commits).toBeLessThanOrEqual(3);
    expect(c.reports.count()).toBe(21);
    expect(c.outbox.pointCount()).toBe(42);
  });

  it('fails only the reports a dead thread held, then starts a new thread', async () => {
    const worker = (c.ingest as unknown as { worker: Worker }).worker;
    const before = c.reports.count();
    // Enough reports that the thread, killed at once, still holds some (a single one may be
    // committed and answered before the kill lands).
    const outcomes = await (async () => {
      const pending = Array.from({ length: 200 }, () =>
        c.ingest.submit(row()).then(
          (o) => o,
          (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
        ),
      );
      await worker.terminate();
      return Promise.all(pending);
    })();
    const failed = outcomes.filter((o): o is Error => o instanceof Error);
    expect(failed.length).toBeGreaterThan(0);
    for (const e of failed) expect(e.message).toMatch(/commit thread exited/);
    // Every report answered "stored" is in the store (a failed one may be too: its agent resends it, and the resend is a duplicate).
    const stored = outcomes.filter((o) => o === 'stored').length;
    expect(stored + failed.length).toBe(200);
    expect(c.reports.count() - before).toBeGreaterThanOrEqual(stored);
    expect(await c.ingest.submit(row())).toBe('stored');
  });
});

describe('IngestBatcher beside writes of the main thread', () => {
  it('stores every report while the main thread commits its own transactions meanwhile (the commit waits for the lock, never fails)', async () => {
    let writing = true;
    let written = 0;
    // The main thread's own writes (as the evaluation's recording and the outbox do), as often as it can.
    const writer = (async () => {
      while (writing) {
        c.atomically(() => {
          c.db.prepare('SELECT count(*) FROM outbox').get();
          c.outbox.add('m,t=x v=1 1', 1);
        });
        written++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const outcomes = await Promise.all(Array.from({ length: 400 }, () => c.ingest.submit(row())));
    writing = false;
    await writer;
    expect(written).toBeGreaterThan(10);
    expect(outcomes.filter((o) => o !== 'stored')).toEqual([]);
  });
});
