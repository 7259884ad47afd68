/**
 * GET /api/v1/hosts answers a page a chunk at a time, a turn of the event loop per chunk, from
 * one snapshot: reports committed while it is answered (here between its first and second
 * chunk) change nothing in the page it answers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AUTH, TEST_TOKENS, TEST_UNITS } from '../../../testing/collector.js';
import { seedHosts } from '../../../testing/fleet.js';
import { sampleReport } from '../../../testing/reports.js';
import { build, openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';

let dir: string;
let c: Collector;
let app: FastifyInstance;
const unit = TEST_UNITS[0]!.id;
const viewer = { authorization: `Bearer ${TEST_TOKENS.viewer}` };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-hosts-api-'));
  c = openCollector(validateConfig({ dataDir: dir, units: TEST_UNITS, auth: TEST_AUTH }, 'test'));
  app = build(c);
  seedHosts(c, unit, 350, 350, new Date(Date.now() - 60_000));
});
afterAll(async () => {
  await app.close();
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

interface Listed {
  id: string;
  hostname: string;
  protected: boolean;
}

describe('GET /api/v1/hosts', () => {
  it('answers the page of the instant it was asked for, in chunks with turns of the event loop between them, whatever is committed meanwhile', async () => {
    const before = c.hosts.page({ limit: 1000, offset: 0 });
    const last = before.rows.at(-1)!;
    // After the page's first chunk is read, commit: the last host renamed to sort first and
    // unprotected, a new host before every other, the second to last decommissioned.
    const pageReader = c.hosts.pageReader.bind(c.hosts);
    let chunksRead = 0;
    c.hosts.pageReader = (q, span) => {
      const reader = pageReader(q, span);
      const next = reader.next.bind(reader);
      reader.next = (size) => {
        const rows = next(size);
        if (++chunksRead === 1) {
          const collectedAt = new Date();
          c.storeReport(sampleReport({ agentId: last.agent_id, unit, hostname: '0-renamed', protected: false, role: 'workstation', collectedAt }), unit, [], collectedAt);
          seedHosts(c, unit, 1, 1, collectedAt, '0-new');
          c.hosts.decommission(before.rows.at(-2)!.agent_id, 'retired');
        }
        return rows;
      };
      return reader;
    };
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    try {
      const res = await app.inject({ method: 'GET', url: '/api/v1/hosts?limit=1000', headers: viewer });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ total: number; hosts: Listed[] }>();
      expect(body.total).toBe(350);
      expect(body.hosts.map((h) => [h.id, h.hostname, h.protected])).toEqual(before.rows.map((r) => [r.agent_id, r.hostname, true]));
    } finally {
      counting = false;
      c.hosts.pageReader = pageReader;
    }
    // 350 hosts are 4 chunks, each made in a turn of its own (and the head in one before them).
    expect(chunksRead).toBeGreaterThanOrEqual(4);
    expect(turns).toBeGreaterThanOrEqual(4);
    // The writes were committed: the next page lists them.
    const now = (await app.inject({ method: 'GET', url: '/api/v1/hosts?limit=1000', headers: viewer })).json<{ total: number; hosts: Listed[] }>();
    expect(now.total).toBe(350);
    expect(now.hosts.map((h) => h.id)).toContain(`a-${unit}-0-new0`);
    expect(now.hosts[0]).toMatchObject({ id: last.agent_id, hostname: '0-renamed', protected: false });
  });
});
