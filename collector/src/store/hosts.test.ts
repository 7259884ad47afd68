/**
 * The host list is paged in SQL in the order of an index (unit, hostname, agent id), not by
 * sorting the hosts table (whose rows hold whole reports) for every page.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { seedHosts } from '../../../testing/fleet.js';

let dir: string;
let c: Collector;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-hosts-'));
  c = openCollector(
    validateConfig(
      {
        dataDir: dir,
        units: [
          { id: 'B', name: 'Cục B' },
          { id: 'A', name: 'Cục A' },
        ],
      },
      'test',
    ),
  );
  const at = new Date();
  seedHosts(c, 'B', 5, 5, at);
  seedHosts(c, 'A', 7, 7, at);
  c.hosts.decommission('a-A-h3', 'retired');
});
afterAll(async () => {
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('host list pages', () => {
  it('come in unit, hostname, agent id order, with the count of every page, decommissioned hosts only on request', () => {
    const all = c.hosts.page({ limit: 100, offset: 0 });
    expect(all.total).toBe(11);
    const names = all.rows.map((r) => `${r.unit}/${r.hostname}`);
    expect(names).toEqual([...names].sort());
    expect(names[0]).toBe('A/a-h0');
    expect(all.rows.map((r) => r.agent_id)).not.toContain('a-A-h3');
    const second = c.hosts.page({ limit: 4, offset: 4 });
    expect(second).toMatchObject({ total: 11 });
    expect(second.rows.map((r) => r.agent_id)).toEqual(all.rows.slice(4, 8).map((r) => r.agent_id));
    expect(c.hosts.page({ unit: 'B', limit: 100, offset: 0 }).rows.map((r) => r.unit)).toEqual(['B', 'B', 'B', 'B', 'B']);
    expect(c.hosts.page({ includeDecommissioned: true, limit: 100, offset: 0 }).total).toBe(12);
  });

  it('are read through the listing index, without sorting the table', () => {
    // The statements page() itself prepares, explained.
    const prepared: string[] = [];
    const prepare = c.db.prepare.bind(c.db);
    const spy = (sql: string) => (prepared.push(sql), prepare(sql));
    c.db.prepare = spy as typeof c.db.prepare;
    try {
      c.hosts.page({ limit: 10, offset: 10 });
      c.hosts.page({ unit: 'A', limit: 10, offset: 0 });
    } finally {
      c.db.prepare = prepare;
    }
    expect(prepared).toHaveLength(4);
    for (const sql of prepared) {
      const plan = (c.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from(sql.matchAll(/\?/g), (_, i) => (i === 0 && sql.includes('unit = ?') ? 'A' : 10))) as { detail: string }[]).map((p) => p.detail).join('; ');
      expect(plan, sql).toMatch(/USING (COVERING )?INDEX hosts_listing/);
      expect(plan, sql).not.toMatch(/TEMP B-TREE/);
    }
  });
});
