/** The spool on a real directory: order, limits and the dropped count, set-aside, crash leftovers. */
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '@posture/protocol';
import { sampleReport } from '../../testing/reports.js';
import type { SendResult } from './sender.js';
import { backoffMs, Spool, type SpoolLimits } from './spool.js';

const LIMITS: SpoolLimits = { maxReports: 100, maxBytes: 10 * 1024 * 1024, backoffMinMs: 1000, backoffMaxMs: 60_000, keepRejected: 2 };
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-spool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const report = () => sampleReport({ agentId: 'a-1', unit: 'TTCNTT' });
const ok: SendResult = { kind: 'success', status: 201, body: {} };

describe('spool', () => {
  it('drains oldest first, across a reopen, and keeps numbering after the newest', async () => {
    const s1 = await Spool.open(dir, LIMITS);
    const ids = [report(), report(), report()].map((r) => r.reportId);
    for (const id of ids) await s1.enqueue({ ...report(), reportId: id });
    const s2 = await Spool.open(dir, LIMITS);
    const extra = report();
    await s2.enqueue(extra);
    const seen: string[] = [];
    const r = await s2.drain(async (rep) => (seen.push(rep.reportId), ok));
    expect(r).toEqual({ kind: 'empty', sent: 4, rejected: 0 });
    expect(seen).toEqual([...ids, extra.reportId]);
    expect(await s2.depth()).toBe(0);
    expect((await Spool.readState(dir)).lastSuccessAt).not.toBeNull();
  });

  it('sends a report queued while a drain ends: a drain asked for then goes over the queue once more', async () => {
    const s = await Spool.open(dir, LIMITS);
    const first = report();
    await s.enqueue(first);
    const late = report();
    let late2: Promise<unknown> | undefined;
    // The moment between the drain's last listing (empty) and its answer: a cycle queues its report and asks for a drain.
    const spied = s as unknown as { names: () => Promise<string[]> };
    const names = spied.names.bind(s);
    spied.names = async () => {
      const listed = await names();
      if (!listed.length && !late2) {
        await s.enqueue(late);
        late2 = s.drain(async (rep) => (seen.push(rep.reportId), ok));
      }
      return listed;
    };
    const seen: string[] = [];
    const r = await s.drain(async (rep) => (seen.push(rep.reportId), ok));
    expect(seen).toEqual([first.reportId, late.reportId]);
    expect(r).toEqual({ kind: 'empty', sent: 2, rejected: 0 });
    expect(await late2).toEqual(r);
    expect(await s.depth()).toBe(0);
  });

  it('drops the oldest beyond maxReports and maxBytes, counts them, and never the newest', async () => {
    const s = await Spool.open(dir, { ...LIMITS, maxReports: 3 });
    const all: Report[] = Array.from({ length: 5 }, report);
    for (const r of all) await s.enqueue(r);
    expect(await s.depth()).toBe(3);
    expect(s.stats.dropped).toBe(2);
    const seen: string[] = [];
    await s.drain(async (rep) => (seen.push(rep.reportId), ok));
    expect(seen).toEqual(all.slice(2).map((r) => r.reportId));

    s.setLimits({ ...LIMITS, maxBytes: 64 * 1024 });
    const big = report();
    (big.probes.host as { ok: true; facts: { ips: string[] } }).facts.ips = Array.from({ length: 256 }, (_, i) => `2001:db8::${i.toString(16)}:${'f'.repeat(30)}`);
    for (let i = 0; i < 8; i++) await s.enqueue({ ...big, reportId: report().reportId });
    const depth = await s.depth();
    expect(depth).toBeGreaterThan(0);
    expect(depth).toBeLessThan(8);
    expect(s.stats.dropped).toBe(2 + 8 - depth);
    // The count survives a restart, for report.agent.dropped.
    expect((await Spool.readState(dir)).dropped).toBe(s.stats.dropped);
  });

  it('sets a rejected report aside with the reason, goes on with the next, keeps only keepRejected', async () => {
    const s = await Spool.open(dir, LIMITS);
    const rs = Array.from({ length: 4 }, report);
    for (const r of rs) await s.enqueue(r);
    const bad = new Set([rs[0]!.reportId, rs[1]!.reportId, rs[2]!.reportId]);
    const sent: string[] = [];
    const r = await s.drain(async (rep) => {
      if (bad.has(rep.reportId)) return { kind: 'rejected', status: 422, code: 'REPORT_INVALID', message: '/probes/host/facts/ips: must NOT have more than 256 items' };
      sent.push(rep.reportId);
      return ok;
    });
    expect(r).toEqual({ kind: 'empty', sent: 1, rejected: 3 });
    expect(sent).toEqual([rs[3]!.reportId]);
    const kept = await s.rejectedReasons();
    expect(kept).toHaveLength(2);
    expect(kept[1]!.reason).toBe('422 REPORT_INVALID: /probes/host/facts/ips: must NOT have more than 256 items');
    expect(kept[1]!.file).toContain(rs[2]!.reportId);
    expect(s.stats.rejected).toBe(3);
    expect(s.stats.lastError?.message).toMatch(/rejected by the collector \(422 REPORT_INVALID\)/);
  });

  it('stops at a retryable failure, keeps the report, and honours Retry-After', async () => {
    const s = await Spool.open(dir, LIMITS);
    const [a, b] = [report(), report()];
    await s.enqueue(a);
    await s.enqueue(b);
    let calls = 0;
    const r = await s.drain(async () => (calls++, { kind: 'retryable', status: 503, message: 'HTTP 503', retryAfterMs: 7000 }));
    expect(r).toMatchObject({ kind: 'backoff', sent: 0, afterMs: 7000 });
    expect(calls).toBe(1);
    expect(await s.depth()).toBe(2);
    expect(s.waitMs()).toBeGreaterThan(6000);
    const state = await Spool.readState(dir);
    expect(state.failures).toBe(1);
    expect(state.lastError?.message).toBe('HTTP 503');
    const after = await s.drain(async () => ok);
    expect(after).toEqual({ kind: 'empty', sent: 2, rejected: 0 });
    expect(s.waitMs()).toBe(0);
  });

  it('backoff doubles per failure with jitter, within [min/2, max]', () => {
    const lim = { backoffMinMs: 1000, backoffMaxMs: 30_000 };
    expect(backoffMs(1, lim, null, () => 0)).toBe(500);
    expect(backoffMs(1, lim, null, () => 1)).toBe(1000);
    expect(backoffMs(3, lim, null, () => 1)).toBe(4000);
    expect(backoffMs(30, lim, null, () => 1)).toBe(30_000);
    expect(backoffMs(3, lim, 120_000, () => 1)).toBe(30_000); // Retry-After capped at max
    const spread = new Set(Array.from({ length: 50 }, () => backoffMs(4, lim, null)));
    expect(spread.size).toBeGreaterThan(10);
  });

  it('removes old half-written files of a crash, never queues them, and sets aside a corrupt queued file', async () => {
    const s = await Spool.open(dir, LIMITS);
    const good = report();
    await s.enqueue(good);
    const half = join(s.dir, 'tmp', 'half.json.1234');
    await writeFile(half, '{"schemaVersion":1,"repo');
    const old = new Date(Date.now() - 120_000);
    await utimes(half, old, old);
    // A write in progress by another agent process right now is left alone.
    await writeFile(join(s.dir, 'tmp', 'fresh.json.5678'), '{"schemaVersion":1');
    await writeFile(join(s.dir, 'queue', `0000000000000000-${report().reportId}.json`), '{"trunc');
    const s2 = await Spool.open(dir, LIMITS);
    expect(await readdir(join(s2.dir, 'tmp'))).toEqual(['fresh.json.5678']);
    const seen: string[] = [];
    const r = await s2.drain(async (rep) => (seen.push(rep.reportId), ok));
    expect(seen).toEqual([good.reportId]);
    expect(r.rejected).toBe(1);
    const [aside] = await s2.rejectedReasons();
    expect(aside!.reason).toMatch(/unreadable spool file/);
    expect(JSON.parse(await readFile(aside!.file, 'utf8')).report).toBeNull();
  });
});
