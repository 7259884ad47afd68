/**
 * Integration: stop (SIGTERM) and kill (SIGKILL) the collector process; agents, host state and
 * the outbox survive, and every acknowledged report is in the store.
 */
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_UNITS, collectorFixture, startCollectorProcess, type CollectorFixture } from '../../testing/collector.js';
import { sampleReport } from '../../testing/reports.js';
import { openCollector } from './app.js';
import { loadConfig } from './config.js';
import { sqlAll } from '../../testing/sql.js';

let fx: CollectorFixture;

beforeAll(async () => {
  // An InfluxDB URL where nothing listens: points must wait in the outbox.
  fx = await collectorFixture({ influx: { url: 'http://127.0.0.1:9', database: 'posture', flushIntervalMs: 100 } });
});
afterAll(async () => {
  await rm(fx.dir, { recursive: true, force: true });
});

async function enroll(unit = 'TTCNTT') {
  const res = await fetch(`${fx.url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ unit, secret: TEST_UNITS.find((u) => u.id === unit)!.enrollmentSecret, hostname: 'h', machineId: '' }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { agentId: string; credential: string };
}

async function send(a: { agentId: string; credential: string }, unit = 'TTCNTT') {
  const r = sampleReport({ agentId: a.agentId, unit });
  const body = JSON.stringify(r);
  const res = await fetch(`${fx.url}/api/v1/reports`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${a.credential}` }, body });
  return { id: r.reportId, status: res.status, body };
}

describe('collector restart', () => {
  it('keeps agents, host state and outbox across SIGTERM and SIGKILL', async () => {
    let proc = await startCollectorProcess(fx);
    const a = await enroll();
    const acked: string[] = [];
    const bodies: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await send(a);
      expect(s.status).toBe(201);
      acked.push(s.id);
      bodies.push(s.body);
    }
    expect(await proc.stop()).toBe(0);

    proc = await startCollectorProcess(fx);
    // The credential still works after a restart, and a resend of an old report is not counted twice.
    const again = await fetch(`${fx.url}/api/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${a.credential}` },
      body: bodies[0],
    });
    expect(again.status).toBe(200);
    // Under load, then SIGKILL: every acknowledged report must be in the store.
    const inflight = await Promise.all(Array.from({ length: 40 }, () => send(a).catch(() => ({ id: '', status: 0, body: '' }))));
    for (const s of inflight) if (s.status === 201) acked.push(s.id);
    await proc.kill();

    const c = openCollector(loadConfig(fx.configFile));
    try {
      expect(c.agents.count()).toBe(1);
      const ids = new Set(sqlAll<{ report_id: string }>(c.db, 'SELECT report_id FROM reports').map((r) => r.report_id));
      for (const id of acked) expect(ids.has(id)).toBe(true);
      expect(ids.size).toBe(acked.length);
      expect(c.hosts.get(a.agentId)?.unit).toBe('TTCNTT');
      // InfluxDB was never reachable: each stored report's points are still in the outbox.
      expect(c.outbox.depth()).toBeGreaterThanOrEqual(acked.length);
    } finally {
      c.db.close();
    }
  });

  it('answers a report still arriving at SIGTERM on a keep-alive connection, then exits although the client keeps the connection open', async () => {
    const proc = await startCollectorProcess(fx);
    const a = await enroll();
    const body = Buffer.from(JSON.stringify(sampleReport({ agentId: a.agentId, unit: 'TTCNTT' })));
    const { port } = new URL(fx.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    // Headers and half the body before the signal, the rest after: the request is in flight when the server closes.
    socket.write(`POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${a.credential}\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n`);
    socket.write(body.subarray(0, body.length >> 1));
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    const exited = proc.stop();
    await new Promise((r) => setTimeout(r, 500));
    socket.write(body.subarray(body.length >> 1));
    // The client never closes its side; the server must (fastify's keep-alive timeout is 72 s).
    expect(await exited).toBe(0);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(answer).toMatch(/^HTTP\/1\.1 201 /);
    socket.destroy();
  }, 60_000);
});
