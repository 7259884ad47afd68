/** Bad input on the ingest API: each case gets a 4xx naming the problem; nothing is stored. */
import { deflateSync, gzipSync } from 'node:zlib';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { build, openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { TEST_UNITS } from '../../../testing/collector.js';
import { sampleReport } from '../../../testing/reports.js';

let dir: string;
let c: Collector;
let app: FastifyInstance;
let agentA: { agentId: string; credential: string };

const snapshot = () => ({ hosts: c.hosts.all().length, reports: c.reports.count(), outbox: c.outbox.depth() });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-ingest-'));
  c = openCollector(validateConfig({ dataDir: dir, units: TEST_UNITS }, 'test'));
  app = build(c);
  const res = await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { unit: 'TTCNTT', secret: TEST_UNITS[0]!.enrollmentSecret, hostname: 'h1', machineId: '' } });
  expect(res.statusCode).toBe(201);
  agentA = res.json();
});

afterAll(async () => {
  await app.close();
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (payload: unknown, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url: '/api/v1/reports', payload: payload as object, headers: { authorization: `Bearer ${agentA.credential}`, ...headers } });

describe('POST /api/v1/reports', () => {
  it('stores a valid report once and acknowledges a resend without counting it again', async () => {
    const r = sampleReport({ agentId: agentA.agentId, unit: 'TTCNTT' });
    const first = await post(r);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ reportId: r.reportId, stored: true });
    const again = await post(r);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ reportId: r.reportId, stored: false });
    expect(c.reports.count()).toBe(1);
    expect(c.outbox.depth()).toBe(1);
  });

  it('accepts a gzip body', async () => {
    const r = sampleReport({ agentId: agentA.agentId, unit: 'TTCNTT' });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      payload: gzipSync(JSON.stringify(r)),
      headers: { authorization: `Bearer ${agentA.credential}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(res.statusCode).toBe(201);
  });

  const valid = () => sampleReport({ agentId: agentA.agentId, unit: 'TTCNTT' });
  const cases: { name: string; make: () => { body: unknown; headers?: Record<string, string>; raw?: boolean }; status: number; code: string; mentions: RegExp }[] = [
    {
      name: 'missing field',
      make: () => {
        const r = valid() as unknown as Record<string, unknown>;
        delete r.collectedAt;
        return { body: r };
      },
      status: 422,
      code: 'REPORT_INVALID',
      mentions: /collectedAt/,
    },
    {
      name: 'unknown field',
      make: () => ({ body: { ...valid(), extra: 1 } }),
      status: 422,
      code: 'REPORT_INVALID',
      mentions: /unknown field "extra"/,
    },
    {
      name: 'unknown field deep in facts',
      make: () => {
        const r = valid();
        (r.probes.host as { facts: Record<string, unknown> }).facts.evil = 'x';
        return { body: r };
      },
      status: 422,
      code: 'REPORT_INVALID',
      mentions: /\/probes\/host\/facts.*unknown field "evil"/,
    },
    {
      name: 'wrong type',
      make: () => {
        const r = valid();
        (r.probes.host as { facts: Record<string, unknown> }).facts.uptimeSeconds = 'long';
        return { body: r };
      },
      status: 422,
      code: 'REPORT_INVALID',
      mentions: /\/probes\/host\/facts\/uptimeSeconds: must be integer/,
    },
    {
      name: 'oversized string',
      make: () => {
        const r = valid();
        (r.probes.host as { facts: Record<string, unknown> }).facts.hostname = 'h'.repeat(300);
        return { body: r };
      },
      status: 422,
      code: 'REPORT_INVALID',
      mentions: /hostname: longer than 253/,
    },
    {
      name: '10 MB body',
      make: () => ({ body: JSON.stringify({ ...valid(), pad: 'x'.repeat(10 * 1024 * 1024) }), raw: true }),
      status: 413,
      code: 'BODY_TOO_LARGE',
      mentions: /larger than the limit/,
    },
    {
      name: 'not JSON',
      make: () => ({ body: '{"schemaVersion": 1,', raw: true }),
      status: 400,
      code: 'BODY_INVALID_JSON',
      mentions: /not valid JSON/,
    },
    {
      name: 'prototype pollution key',
      make: () => ({ body: JSON.stringify(valid()).replace('{', '{"__proto__":{"admin":true},'), raw: true }),
      status: 400,
      code: 'BODY_INVALID_JSON',
      mentions: /not valid JSON|proto/i,
    },
    {
      name: 'gzip-encoded data that is not gzip',
      make: () => ({ body: Buffer.from('{"not": "gzip"}'), headers: { 'content-encoding': 'gzip' }, raw: true }),
      status: 400,
      code: 'BODY_INVALID_JSON',
      mentions: /not valid gzip data/,
    },
    {
      name: 'a gzip body cut short',
      make: () => {
        const gz = gzipSync(JSON.stringify(valid()));
        return { body: gz.subarray(0, gz.length - 12), headers: { 'content-encoding': 'gzip' }, raw: true };
      },
      status: 400,
      code: 'BODY_INVALID_JSON',
      mentions: /not valid gzip data/,
    },
    {
      name: 'gzip of text that is not JSON',
      make: () => ({ body: gzipSync('{"schemaVersion": 1,'), headers: { 'content-encoding': 'gzip' }, raw: true }),
      status: 400,
      code: 'BODY_INVALID_JSON',
      mentions: /not valid JSON/,
    },
    {
      name: 'a gzip body over the limit once inflated (a gzip bomb)',
      make: () => ({ body: gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20)), headers: { 'content-encoding': 'gzip' }, raw: true }),
      status: 413,
      code: 'BODY_TOO_LARGE',
      mentions: /larger than the limit of \d+ bytes \(limits.bodyBytes\)/,
    },
    {
      name: 'an encoding other than gzip',
      make: () => ({ body: deflateSync(JSON.stringify(valid())), headers: { 'content-encoding': 'deflate' }, raw: true }),
      status: 415,
      code: 'UNSUPPORTED_ENCODING',
      mentions: /Content-Encoding "deflate" is not supported; send gzip or identity/,
    },
    {
      name: 'missing credential',
      make: () => ({ body: valid(), headers: { authorization: '' } }),
      status: 401,
      code: 'AUTH_REQUIRED',
      mentions: /Authorization/,
    },
    {
      name: 'wrong credential',
      make: () => ({ body: valid(), headers: { authorization: 'Bearer pa_not-a-real-credential' } }),
      status: 401,
      code: 'AUTH_INVALID',
      mentions: /unknown agent credential/,
    },
    {
      name: 'body claiming another unit',
      make: () => ({ body: sampleReport({ agentId: agentA.agentId, unit: 'CHHVN' }) }),
      status: 403,
      code: 'UNIT_MISMATCH',
      mentions: /claims unit "CHHVN".*enrolled for unit "TTCNTT"/,
    },
    {
      name: 'body claiming another agent',
      make: () => ({ body: sampleReport({ agentId: 'a-someone-else', unit: 'TTCNTT' }) }),
      status: 403,
      code: 'AGENT_MISMATCH',
      mentions: /claims agent "a-someone-else"/,
    },
    {
      name: 'collected far in the future',
      make: () => ({ body: sampleReport({ agentId: agentA.agentId, unit: 'TTCNTT', collectedAt: new Date(Date.now() + 3 * 86400_000) }) }),
      status: 422,
      code: 'CLOCK_SKEW',
      mentions: /72 h 0 min ahead of the collector's clock .*fix its time synchronisation/,
    },
  ];

  for (const tc of cases) {
    it(`refuses ${tc.name} with ${tc.status} ${tc.code}, storing nothing`, async () => {
      const before = snapshot();
      const { body, headers = {}, raw } = tc.make();
      const h: Record<string, string> = { authorization: `Bearer ${agentA.credential}`, 'content-type': 'application/json', ...headers };
      if (h.authorization === '') delete h.authorization;
      const res = await app.inject({ method: 'POST', url: '/api/v1/reports', payload: raw ? (body as string | Buffer) : JSON.stringify(body), headers: h });
      expect(res.statusCode).toBe(tc.status);
      const err = res.json<{ code: string; message: string; details?: { path: string; message: string }[] }>();
      expect(err.code).toBe(tc.code);
      const text = [err.message, ...(err.details ?? []).map((d) => `${d.path}: ${d.message}`)].join('\n');
      expect(text).toMatch(tc.mentions);
      expect(snapshot()).toEqual(before);
    });
  }
});

describe('idempotency keys', () => {
  it('are pruned only past the clock-skew window, where a resend is refused anyway', async () => {
    const old = sampleReport({ agentId: agentA.agentId, unit: 'TTCNTT', collectedAt: new Date(Date.now() - 2 * 86400_000) });
    const recent = sampleReport({ agentId: agentA.agentId, unit: 'TTCNTT' });
    c.storeReport(old, 'TTCNTT', [], new Date());
    expect((await post(recent)).statusCode).toBe(201);
    const before = c.reports.count();
    expect(c.reports.prune(new Date(Date.now() - (c.config.limits.clockSkewMinutes + 60) * 60_000))).toBe(1);
    expect(c.reports.count()).toBe(before - 1);
    // The recent one is still known: its resend is acknowledged, not stored again.
    expect((await post(recent)).json()).toEqual({ reportId: recent.reportId, stored: false });
    // The pruned one cannot come back: it is outside the clock-skew window.
    expect((await post(old)).json().code).toBe('CLOCK_SKEW');
  });
});

describe('POST /api/v1/enroll', () => {
  it('refuses a wrong secret and an unknown unit', async () => {
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { unit: 'TTCNTT', secret: 'not-the-secret', hostname: 'h', machineId: '' } });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('ENROLL_DENIED');
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { unit: 'NOPE', secret: 'whatever-secret', hostname: 'h', machineId: '' } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toMatch(/unit "NOPE" is not configured/);
  });
});
