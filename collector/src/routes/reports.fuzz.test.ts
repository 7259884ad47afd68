/**
 * 10,000 structure-aware mutations of valid reports (the fleet simulator's): each is either
 * stored exactly as sent or refused with a 4xx naming a field; never a 5xx, never a crash, and
 * the store counts exactly the accepted ones.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { build, openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { buildFleet, prng, reportOf } from '../simulate/fleet.js';
import { TEST_UNITS } from '../../../testing/collector.js';
import { recordReliability } from '../../../testing/reliability.js';
import { sqlAll } from '../../../testing/sql.js';

let dir: string;
let c: Collector;
let app: FastifyInstance;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-fuzz-'));
  c = openCollector(validateConfig({ dataDir: dir, units: TEST_UNITS, limits: { enrollPerMinute: 100_000 } }, 'test'));
  app = build(c);
});
afterAll(async () => {
  await app.close();
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

type J = unknown;
const HOSTILE: J[] = [
  '',
  'x'.repeat(5000),
  'a\u0000b',
  'Tổng cục ĐBVN "quoted", comma=equals\\back\nnewline',
  '\ud800',
  '__proto__',
  -1,
  1e308,
  -0,
  3.5,
  2 ** 53 + 1,
  true,
  null,
  [],
  {},
  { __proto__: { polluted: true } },
  { constructor: { prototype: { polluted: true } } },
  Array.from({ length: 600 }, (_, i) => i),
  JSON.parse('{"a":'.repeat(200) + '1' + '}'.repeat(200)) as J,
];

/** A fresh copy of a hostile value, so mutations never share (or loop through) one object. */
const pick = (rnd: () => number): J => structuredClone(HOSTILE[Math.floor(rnd() * HOSTILE.length)]);

/** Every path to a value inside a JSON document. */
function paths(v: J, p: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(p);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...p, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...p, k], out);
  return out;
}

function mutate(doc: Record<string, J>, rnd: () => number): Record<string, J> {
  const all = paths(doc).filter((p) => p.length > 0);
  const path = all[Math.floor(rnd() * all.length)]!;
  let parent: Record<string | number, J> = doc;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, J>;
  const key = path[path.length - 1]!;
  const op = Math.floor(rnd() * 5);
  if (op === 0) delete parent[key];
  else if (op === 1) parent[key] = pick(rnd);
  else if (op === 2 && parent[key] && typeof parent[key] === 'object' && !Array.isArray(parent[key])) (parent[key] as Record<string, J>)[['extra', '__proto__', 'constructor', 'x y'][Math.floor(rnd() * 4)]!] = 1;
  else if (op === 3 && typeof parent[key] === 'string') parent[key] = `${parent[key]}${HOSTILE[3] as string}`;
  else if (op === 4 && typeof parent[key] === 'number') parent[key] = String(parent[key]);
  else parent[key] = pick(rnd);
  return doc;
}

describe('fuzzed reports', () => {
  it('10,000 mutations: stored exactly or refused with a 4xx naming the field, never a 5xx', async () => {
    const rnd = prng(42);
    const units = TEST_UNITS.map((u) => u.id);
    const fleet = buildFleet({ hosts: 50, units, shares: { protected: 0.8, stale: 0, ipv6Ready: 0.3 }, seed: 3, systemsPerUnit: 2 });
    const agents = [];
    for (const h of fleet) {
      const secret = TEST_UNITS.find((u) => u.id === h.unit)!.enrollmentSecret;
      const res = await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { unit: h.unit, secret, hostname: h.hostname, machineId: '' } });
      agents.push({ host: h, ...res.json<{ agentId: string; credential: string }>() });
    }
    const statuses: Record<number, number> = {};
    const accepted: { id: string; body: string }[] = [];
    for (let i = 0; i < 10_000; i++) {
      const a = agents[i % agents.length]!;
      const doc = reportOf(a.host, a.agentId, new Date(), i) as unknown as Record<string, J>;
      const mutations = 1 + Math.floor(rnd() * 3);
      for (let m = 0; m < mutations; m++) mutate(doc, rnd);
      const body = JSON.stringify(doc);
      const res = await app.inject({ method: 'POST', url: '/api/v1/reports', payload: body, headers: { 'content-type': 'application/json', authorization: `Bearer ${a.credential}` } });
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      expect(res.statusCode, body.slice(0, 300)).toBeLessThan(500);
      if (res.statusCode === 201) accepted.push({ id: String(doc.reportId), body });
      else if (res.statusCode >= 400) {
        const err = res.json<{ code: string; message: string }>();
        expect(err.code).toMatch(/^[A-Z_]+$/);
        expect(err.message.length).toBeGreaterThan(5);
      }
    }
    // Both outcomes occur, so the fuzzer really exercises acceptance and refusal.
    expect(accepted.length).toBeGreaterThan(100);
    expect(10_000 - accepted.length).toBeGreaterThan(1000);
    expect(c.reports.count()).toBe(new Set(accepted.map((a) => a.id)).size);
    const ids = new Set(accepted.map((a) => a.id));
    const storedIds = new Set(sqlAll<{ report_id: string }>(c.db, 'SELECT report_id FROM reports').map((r) => r.report_id));
    recordReliability({
      fault: '10,000 fuzzed reports (structure-aware mutations)',
      sent: 10_000,
      acknowledged: accepted.length,
      stored: storedIds.size,
      lost: [...ids].filter((id) => !storedIds.has(id)).length,
      duplicated: accepted.length - ids.size + (c.reports.count() - storedIds.size),
      note: `refused with a coded 4xx: ${10_000 - accepted.length}; 5xx: ${Object.entries(statuses)
        .filter(([s]) => Number(s) >= 500)
        .reduce((n, [, k]) => n + k, 0)}`,
    });
    // An accepted report is stored exactly as sent (the latest per host).
    const last = new Map<string, string>();
    for (const a of accepted) last.set((JSON.parse(a.body) as { agentId: string }).agentId, a.body);
    for (const [agentId, body] of last) {
      const stored = c.hosts.latestReport(agentId);
      if (stored && stored.reportId === (JSON.parse(body) as { reportId: string }).reportId) expect(stored).toEqual(JSON.parse(body));
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
  }, 120_000);
});
