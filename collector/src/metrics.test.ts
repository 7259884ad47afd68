/**
 * /metrics scraped through the app and parsed: the ingest counters count what happened (by
 * code for refusals), the outbox gauges read the outbox, the evaluation histogram counts
 * evaluations, and after a recorded evaluation every (indicator, scope) has its ratio and every
 * alert of the state machine its state.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AUTH, TEST_TOKENS, TEST_UNITS } from '../../testing/collector.js';
import { sampleReport } from '../../testing/reports.js';
import { build, openCollector } from './app.js';
import { validateConfig } from './config.js';
import type { Collector } from './context.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format (0.0.4): `# TYPE name kind` lines and `name{k="v",...} value` samples. */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\"/g, '"').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { types, samples };
}

let dir: string;
let c: Collector;
let app: FastifyInstance;
const unit = TEST_UNITS[1]!;

const scrape = async () => {
  const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(res.body);
};
const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) => samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).map((s) => s.value);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-metrics-'));
  c = openCollector(validateConfig({ dataDir: join(dir, 'data'), units: TEST_UNITS, auth: TEST_AUTH }, 'test'));
  app = build(c);
});

afterAll(async () => {
  await app.close();
  await c.ingest.close();
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('/metrics', () => {
  it('counts reports accepted, resent and refused (by code), and enrollments (refused by code)', async () => {
    const enroll = (secret: string) => app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { unit: unit.id, secret, hostname: 'h1', machineId: '' } });
    const a = (await enroll(unit.enrollmentSecret)).json<{ agentId: string; credential: string }>();
    expect((await enroll('wrong-secret-0000')).statusCode).toBe(403);
    const post = (payload: unknown) => app.inject({ method: 'POST', url: '/api/v1/reports', payload: payload as object, headers: { authorization: `Bearer ${a.credential}` } });
    const r = sampleReport({ agentId: a.agentId, unit: unit.id, protected: false });
    expect((await post(r)).statusCode).toBe(201);
    expect((await post(r)).statusCode).toBe(200);
    expect((await post({ ...r, reportId: 'not-a-uuid' })).statusCode).toBe(422);
    expect((await post({ ...sampleReport({ agentId: a.agentId, unit: unit.id }), agentId: 'someone-else' })).statusCode).toBe(403);

    const { types, samples } = await scrape();
    expect(value(samples, 'posture_reports_accepted_total')).toEqual([1]);
    expect(value(samples, 'posture_reports_duplicate_total')).toEqual([1]);
    expect(value(samples, 'posture_reports_rejected_total', { code: 'REPORT_INVALID' })).toEqual([1]);
    expect(value(samples, 'posture_reports_rejected_total', { code: 'AGENT_MISMATCH' })).toEqual([1]);
    expect(value(samples, 'posture_enrollments_total')).toEqual([1]);
    expect(value(samples, 'posture_enrollments_rejected_total', { code: 'ENROLL_DENIED' })).toEqual([1]);
    expect(value(samples, 'posture_agents')).toEqual([1]);
    expect(value(samples, 'posture_outbox_points')).toEqual([c.outbox.pointCount()]);
    expect(value(samples, 'posture_outbox_depth')).toEqual([c.outbox.depth()]);
    expect(value(samples, 'posture_ingest_commits_total')).toEqual([c.ingest.stats.commits]);
    // Every report that reached the commit thread (the new one and its resend) waited once.
    expect(types.get('posture_ingest_wait_seconds')).toBe('histogram');
    expect(value(samples, 'posture_ingest_wait_seconds_count')).toEqual([2]);
    expect(value(samples, 'posture_ingest_wait_seconds_bucket', { le: '+Inf' })).toEqual([2]);
    expect(value(samples, 'posture_ingest_wait_seconds_sum')[0]).toBeGreaterThan(0);
    expect(types.get('posture_reports_rejected_total')).toBe('counter');
    expect(types.get('posture_outbox_depth')).toBe('gauge');
    // The collector's own dashboard point takes the same totals.
    expect(c.metrics.ingestTotals()).toEqual({ accepted: 1, duplicate: 1, rejected: 2 });
  });

  it('has the evaluation histogram, the ratio of each indicator per scope and the state of each alert', async () => {
    const before = value((await scrape()).samples, 'posture_evaluation_duration_seconds_count')[0] ?? 0;
    const ev = c.engine.evaluateAndRecord(new Date());
    const { types, samples } = await scrape();
    expect(types.get('posture_evaluation_duration_seconds')).toBe('histogram');
    expect(value(samples, 'posture_evaluation_duration_seconds_count')).toEqual([before + 1]);
    expect(value(samples, 'posture_evaluation_duration_seconds_bucket', { le: '+Inf' })).toEqual([before + 1]);

    const ep = ev.indicators.find((i) => i.id === 'endpoint_protection')!;
    expect(ep.ministry.ratio).toBe(0);
    expect(value(samples, 'posture_indicator_ratio', { indicator: 'endpoint_protection', scope: 'ministry' })).toEqual([0]);
    expect(value(samples, 'posture_indicator_ratio', { indicator: 'endpoint_protection', scope: `unit:${unit.id}` })).toEqual([0]);
    expect(value(samples, 'posture_indicator_target', { indicator: 'endpoint_protection', scope: 'ministry' })).toEqual([ep.target]);
    // A unit with no hosts has nothing to count: no ratio series, not a ratio of 0.
    const empty = ep.units.find((u) => u.ratio === null)!;
    expect(value(samples, 'posture_indicator_ratio', { indicator: 'endpoint_protection', scope: `unit:${empty.scope}` })).toEqual([]);

    const alerts = c.alerts.all();
    expect(alerts.length).toBeGreaterThan(0);
    const series = samples.filter((s) => s.name === 'posture_alert_state').map((s) => `${s.labels.indicator} ${s.labels.scope} ${s.labels.state} ${s.value}`);
    expect(series.sort()).toEqual(alerts.map((a) => `${a.indicator} ${a.scope} ${a.state} 1`).sort());
  });

  it('shows a blocked event loop and GC pauses once the process figures are collected (serve)', async () => {
    c.metrics.collectProcessMetrics();
    c.metrics.collectProcessMetrics(); // a second start of the services registers nothing twice
    await scrape(); // the event-loop figures count from the previous scrape
    // The delay monitor needs one tick after its reset to have a time to measure from.
    await new Promise((r) => setTimeout(r, 20));
    // Hold the event loop for 120 ms, as a synchronous piece of work on the request path would.
    const until = performance.now() + 120;
    while (performance.now() < until);
    await new Promise((r) => setTimeout(r, 20));
    const { types, samples } = await scrape();
    const blocked = value(samples, 'nodejs_eventloop_lag_max_seconds')[0]!;
    expect(blocked).toBeGreaterThanOrEqual(0.1);
    expect(types.get('nodejs_gc_duration_seconds')).toBe('histogram');
    // Each scrape starts the figures afresh: the block is not counted twice.
    const again = (await scrape()).samples;
    expect(value(again, 'nodejs_eventloop_lag_max_seconds')[0]).toBeLessThan(blocked);
  });
});
