/**
 * Request logging at info: a stored report writes no line, a refused one writes one line with
 * its code, route and sender, at most a few lines per kind of refusal in a period, and the
 * period's summary counts every request; at debug every request has its line.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { build, openCollector } from './app.js';
import { validateConfig } from './config.js';
import type { Collector } from './context.js';
import { TEST_UNITS } from '../../testing/collector.js';
import { sampleReport } from '../../testing/reports.js';

let dir: string;
let c: Collector;
let lines: Record<string, unknown>[];
let app: FastifyInstance;
let agent: { agentId: string; credential: string };

async function start(level: string): Promise<void> {
  lines = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  app = build(c, { loggerInstance: pino({ level }, sink) });
  await app.ready();
  agent = c.agents.enroll('TTCNTT', `h-${level}`, '');
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-request-log-'));
  c = openCollector(validateConfig({ dataDir: dir, units: TEST_UNITS }, 'test'));
});
afterEach(async () => {
  await app.close();
  await c.ingest.close();
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (body: unknown, credential = agent.credential) => app.inject({ method: 'POST', url: '/api/v1/reports', payload: body as object, headers: { authorization: `Bearer ${credential}` } });
const messages = () => lines.map((l) => l.msg);

describe('request log', () => {
  it('at info: no line per stored report, one per refusal (a few per kind), and a summary of the period', async () => {
    await start('info');
    for (let i = 0; i < 3; i++) expect((await post(sampleReport({ agentId: agent.agentId, unit: 'TTCNTT' }))).statusCode).toBe(201);
    expect(messages()).toEqual([]);
    const bad = { ...sampleReport({ agentId: agent.agentId, unit: 'TTCNTT' }), collectedAt: 'yesterday' };
    for (let i = 0; i < 8; i++) expect((await post(bad)).statusCode).toBe(422);
    const refused = lines.filter((l) => l.msg === 'request refused');
    expect(refused).toHaveLength(5);
    expect(refused[0]).toMatchObject({ level: 30, method: 'POST', url: '/api/v1/reports', status: 422, code: 'REPORT_INVALID', actor: `agent:${agent.agentId}` });
    expect((await app.inject({ method: 'GET', url: '/api/v1/hosts?unit=secret-in-query' })).statusCode).toBe(401);
    expect(lines.filter((l) => l.msg === 'request refused').at(-1)).toMatchObject({ status: 401, code: 'AUTH_REQUIRED', url: '/api/v1/hosts' });
    expect(JSON.stringify(lines)).not.toContain('secret-in-query');
    expect((await post(sampleReport({ agentId: agent.agentId, unit: 'TTCNTT' }), 'pa_unknown')).statusCode).toBe(401);
    expect(lines.filter((l) => l.msg === 'request refused').at(-1)).toMatchObject({ status: 401, code: 'AUTH_INVALID', actor: 'anonymous' });

    await app.close();
    const summary = lines.find((l) => l.msg === 'requests');
    expect(summary).toMatchObject({ requests: 13, byStatus: { 201: 3, 422: 8, 401: 2 }, refused: { '422 REPORT_INVALID': 8, '401 AUTH_REQUIRED': 1, '401 AUTH_INVALID': 1 }, refusalsNotLogged: 3 });
  });

  it('at debug: one line per request', async () => {
    await start('debug');
    expect((await post(sampleReport({ agentId: agent.agentId, unit: 'TTCNTT' }))).statusCode).toBe(201);
    expect(lines.filter((l) => l.msg === 'request')).toEqual([expect.objectContaining({ level: 20, url: '/api/v1/reports', status: 201, actor: `agent:${agent.agentId}` })]);
  });
});
