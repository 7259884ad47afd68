/**
 * The verdict history in slices (recordSliced, after the scheduled evaluation) writes what the
 * record in one go writes: after a restart it reads every host's last row, a few hundred hosts
 * per read, and finds changed exactly the hosts whose verdict changed. One in slices overtaken by
 * a newer one (in one go, between two of its slices) writes no more: the newer verdicts stay the
 * last rows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type DB } from './db.js';
import { HostVerdictLog, type HostVerdict } from './host-verdicts.js';

let dir: string;
let db: DB;
const HOSTS = 2500;
// Agent ids in another order than their rows: the reads go by agent id.
const fleet: HostVerdict[] = Array.from({ length: HOSTS }, (_, i) => ({ id: `agent-${(i * 7919) % HOSTS}`, protected: i % 5 !== 0, stale: i % 11 === 0, reasons: i % 5 ? [] : [{ code: 'PROTECTION_NO_PRODUCT', params: {} }] }));
const rows = (id?: string) => (id ? db.prepare('SELECT count(*) FROM host_verdict_changes WHERE agent_id = ?').pluck().get(id) : db.prepare('SELECT count(*) FROM host_verdict_changes').pluck().get()) as number;
const pauser = () => {
  const p = { pauses: 0, overdue: () => true, pause: async () => void (p.pauses++, await new Promise((r) => setImmediate(r))) };
  return p;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-verdicts-'));
  db = openDb(dir);
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the verdict history in slices', () => {
  it('after a restart finds changed only the hosts whose verdict changed, reading the last rows in slices', async () => {
    const now = new Date('2026-03-01T00:00:00Z');
    expect(new HostVerdictLog(db).record(fleet, now)).toBe(HOSTS);
    expect(rows()).toBe(HOSTS);

    // A restart: a new log reads every host's last row. Nothing changed: nothing written.
    let p = pauser();
    const restarted = new HostVerdictLog(db);
    expect(await restarted.recordSliced(fleet, new Date(now.getTime() + 60_000), p)).toBe(0);
    expect(p.pauses).toBeGreaterThan(3);
    expect(rows()).toBe(HOSTS);

    // Three hosts change, among them the first and the last agent id (the ends of the reads).
    const sorted = fleet.map((v) => v.id).sort();
    const changedIds = [sorted[0]!, sorted[999]!, sorted[HOSTS - 1]!];
    const next = fleet.map((v) => (changedIds.includes(v.id) ? { ...v, protected: !v.protected, reasons: [] } : v));
    p = pauser();
    expect(await new HostVerdictLog(db).recordSliced(next, new Date(now.getTime() + 120_000), p)).toBe(3);
    for (const id of changedIds) expect(rows(id)).toBe(2);
    expect(rows()).toBe(HOSTS + 3);
    // And the record in one go, after another restart, agrees: nothing more changed.
    expect(new HostVerdictLog(db).record(next, new Date(now.getTime() + 180_000))).toBe(0);
    // A whole fleet changing is written in slices too.
    p = pauser();
    const all = next.map((v) => ({ ...v, stale: !v.stale }));
    expect(await restarted.recordSliced(all, new Date(now.getTime() + 240_000), p)).toBe(HOSTS);
    expect(rows()).toBe(2 * HOSTS + 3);
  });

  it('stops a recording in slices once a newer one started: every host keeps the newer verdict as its last row', async () => {
    const log = new HostVerdictLog(db);
    const t = new Date('2026-04-01T00:00:00Z');
    // Both differ from every host's last row (and from each other): each would write every host.
    const older = fleet.map((v) => ({ ...v, protected: false, stale: false, reasons: [{ code: 'PROTECTION_NO_PRODUCT', params: { evaluation: 'older' } }] }));
    const newer = fleet.map((v) => ({ ...v, protected: false, stale: true, reasons: [{ code: 'PROTECTION_NO_PRODUCT', params: { evaluation: 'newer' } }] }));
    let release: (() => void) | undefined;
    const gate = { overdue: () => true, pause: () => new Promise<void>((r) => (release = r)) };
    const slicing = log.recordSliced(older, t, gate);
    // Paused in its first read of the last rows.
    expect(release).toBeDefined();
    const newerAt = new Date(t.getTime() + 60_000);
    expect(log.record(newer, newerAt)).toBe(HOSTS);
    let done = false;
    void slicing.then(() => (done = true));
    while (!done) {
      release!();
      await new Promise((r) => setImmediate(r));
    }
    expect(await slicing).toBe(0);
    const last = db.prepare('SELECT c.stale, c.reasons, c.at FROM host_verdict_changes c JOIN (SELECT max(id) AS id FROM host_verdict_changes GROUP BY agent_id) l ON c.id = l.id').all() as { stale: number; reasons: string; at: string }[];
    expect(last).toHaveLength(HOSTS);
    expect(last.filter((r) => r.stale !== 1 || !r.reasons.includes('newer') || r.at !== newerAt.toISOString())).toEqual([]);
    // What the log compares against is what was written: the newer fleet again changes nothing, the older one every host.
    expect(log.record(newer, new Date(t.getTime() + 120_000))).toBe(0);
    expect(log.record(older, new Date(t.getTime() + 180_000))).toBe(HOSTS);
  });
});
