/**
 * A page of the host list is read a chunk at a time (the hosts API yields to the event loop
 * between chunks), from one snapshot of the store: reports and decommissionings committed
 * between two chunks change nothing in the page, which is the page of the instant it was asked
 * for (no host twice, none missed, each as it was then).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../context.js';
import { sampleReport } from '../../../testing/reports.js';
import { seedHosts, twoUnitCollector } from '../../../testing/fleet.js';
import { hostPage, type ListedHost } from './actions.js';

let c: Collector;
let close: () => Promise<void>;
const at = new Date(Date.now() - 60_000);
beforeAll(async () => {
  ({ c, close } = await twoUnitCollector('posture-host-page-'));
  seedHosts(c, 'A', 12, 12, at);
  seedHosts(c, 'B', 5, 5, at);
  // Stale: silent for days (the stale filter has no index: it is read a span of hosts at a time).
  seedHosts(c, 'B', 3, 1, new Date(Date.now() - 3 * 86_400_000), 'old');
  seedHosts(c, 'A', 2, 0, new Date(Date.now() - 3 * 86_400_000), 'old');
});
afterAll(() => close());

/** A newer report of `agentId` through the ingest path, with a new hostname or verdict. */
function report(agentId: string, unit: string, o: { hostname: string; protected?: boolean }): void {
  const collectedAt = new Date();
  c.storeReport(sampleReport({ agentId, unit, hostname: o.hostname, protected: o.protected ?? true, role: 'workstation', collectedAt }), unit, [], collectedAt);
}

const seen = (hosts: readonly ListedHost[]) => hosts.map((h) => `${h.id} ${h.hostname} ${h.protected ? 'protected' : 'unprotected'}`);

/** The WAL frames a checkpoint could not copy yet: more than none while a snapshot older than the last write is open. */
function walLeft(): number {
  const [r] = c.db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
  return r!.log - r!.checkpointed;
}

describe('a page of hosts read in chunks', () => {
  it('lists the hosts of the instant it was asked for, whatever is committed between its chunks', async () => {
    const q = { limit: 10, offset: 2 };
    const expected = await hostPage(c, q, new Date(), 1000);
    const before = [...expected.chunks];
    expect(before).toHaveLength(1);
    expect(before[0]).toHaveLength(10);
    const ids = before[0]!.map((h) => h.id);

    const page = await hostPage(c, q, new Date(), 3);
    const chunks: ListedHost[][] = [];
    for (const chunk of page.chunks) {
      chunks.push(chunk);
      if (chunks.length === 1) {
        // Read already: moved to the end of the order (a keyset read of the live table lists it again).
        report(chunk[0]!.id, 'A', { hostname: 'zz-renamed' });
        // Not read yet: moved before the chunk read (a keyset read of the live table misses it),
        // and unprotected now (listed as it was).
        report(ids[7]!, 'A', { hostname: 'a-0-renamed', protected: false });
        // A new host before the page's start (an offset read of the live table shifts by one).
        seedHosts(c, 'A', 1, 1, new Date(), '0-new');
      }
      if (chunks.length === 2) {
        // Decommissioned before its chunk is read: listed all the same, as in service.
        c.hosts.decommission(ids[9]!, 'retired');
        expect(walLeft()).toBeGreaterThan(0);
      }
    }
    expect(chunks.map((ch) => ch.length)).toEqual([3, 3, 3, 1]);
    expect(page.total).toBe(expected.total);
    expect(page.total).toBe(22);
    expect(seen(chunks.flat())).toEqual(seen(before[0]!));
    expect(chunks.flat().every((h) => h.decommissionedAt === null)).toBe(true);
    // The snapshot is released once the page is read: the checkpoint copies the whole WAL again.
    expect(walLeft()).toBe(0);

    // The writes were committed: a page asked for now sees them.
    const after = [...(await hostPage(c, { limit: 100, offset: 0 })).chunks].flat();
    expect(after.map((h) => h.hostname)).toContain('zz-renamed');
    expect(after.find((h) => h.id === ids[7])).toMatchObject({ hostname: 'a-0-renamed', protected: false });
    expect(after.map((h) => h.id)).not.toContain(ids[9]);
    expect(after.map((h) => h.id)).toContain('a-A-0-new0');
  });

  it('is the page of one statement, for every filter, offset, chunk size and span', async () => {
    const now = new Date();
    const cutoff = new Date(now.getTime() - c.config.staleAfterMinutes * 60_000);
    let stale = 0;
    for (const q of [
      { limit: 1000, offset: 0 },
      { limit: 5, offset: 0 },
      { limit: 5, offset: 14 },
      { limit: 0, offset: 0 },
      { limit: 10, offset: 100 },
      { unit: 'B', limit: 1000, offset: 1 },
      { includeDecommissioned: true, limit: 1000, offset: 0 },
      { stale: false, limit: 1000, offset: 3 },
      { stale: false, limit: 4, offset: 6 },
      { stale: true, limit: 1000, offset: 0 },
      { stale: true, limit: 2, offset: 1 },
      { stale: true, limit: 1000, offset: 4 },
      { stale: true, limit: 1000, offset: 5 },
      { stale: true, unit: 'B', limit: 1000, offset: 0 },
      { stale: true, includeDecommissioned: true, limit: 1000, offset: 2 },
    ]) {
      const one = c.hosts.page({
        unit: q.unit,
        ...(q.stale === true ? { staleBefore: cutoff } : q.stale === false ? { freshSince: cutoff } : {}),
        includeDecommissioned: q.includeDecommissioned ?? false,
        limit: q.limit,
        offset: q.offset,
      });
      if (q.stale === true && q.offset === 0 && !q.unit) stale = one.total;
      for (const size of [1, 2, 7, 10_000]) {
        for (const span of [1, 2, 3, 5000]) {
          const page = await hostPage(c, q, now, size, span);
          const chunks = [...page.chunks];
          const what = `${JSON.stringify(q)} in chunks of ${size}, spans of ${span}`;
          expect(
            chunks.every((ch) => ch.length <= size),
            what,
          ).toBe(true);
          expect(page.total, what).toBe(one.total);
          expect(
            chunks.flat().map((h) => h.id),
            what,
          ).toEqual(one.rows.map((r) => r.agent_id));
        }
      }
    }
    expect(stale).toBe(5);
  });

  it('reads every chunk, span and count through an index, sorting nothing', () => {
    const cutoff = new Date(Date.now() - c.config.staleAfterMinutes * 60_000);
    for (const q of [{}, { unit: 'A' }, { includeDecommissioned: true }, { staleBefore: cutoff }, { freshSince: cutoff, unit: 'B' }, { staleBefore: cutoff, includeDecommissioned: true }]) {
      const reader = c.hosts.pageReader({ ...q, limit: 1000, offset: 1 }, 2);
      const prepared = new Set<string>();
      const prepare = reader.db.prepare.bind(reader.db);
      reader.db.prepare = (sql: string) => (prepared.add(sql), prepare(sql));
      try {
        const counting = reader.count();
        while (!counting.next().done);
        while (!reader.done) reader.next(3);
      } finally {
        reader.close();
      }
      expect(prepared.size, JSON.stringify(q)).toBeGreaterThan(1);
      for (const sql of prepared) {
        const plan = (c.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from(sql.matchAll(/\?/g), () => null)) as { detail: string }[]).map((p) => p.detail).join('; ');
        expect(plan, sql).toMatch(/USING (COVERING )?INDEX hosts_(listing|order)/);
        expect(plan, sql).not.toMatch(/TEMP B-TREE/);
      }
    }
  });

  it('releases its snapshot when given up before its end', async () => {
    const page = await hostPage(c, { limit: 1000, offset: 0 }, new Date(), 2);
    for (const chunk of page.chunks) {
      expect(chunk).toHaveLength(2);
      break;
    }
    report('a-B-h0', 'B', { hostname: 'b-h0' });
    expect(walLeft()).toBe(0);
    // close() after the iteration ended is harmless; a page closed before it is read lists nothing more.
    page.close();
    const unread = await hostPage(c, { limit: 1000, offset: 0 });
    unread.close();
    expect([...unread.chunks].flat()).toEqual([]);
  });
});
