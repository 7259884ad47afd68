/**
 * The ministry's protection policy, through the real HTTP API (app.inject): agents post their
 * facts, the collector judges them at evaluation time with its own policy, whatever the
 * agents' configs said. The collector's clock is moved with fake Date only (timers stay real),
 * so "evaluation a day later" is the same code path as a real day later.
 *
 * Hand-computed expectations are in the comments next to each figure.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ProtectionProduct, Report } from '@posture/protocol';
import { build, openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { TEST_AUTH, TEST_TOKENS, TEST_UNITS } from '../../../testing/collector.js';
import { sampleReport } from '../../../testing/reports.js';

const H = 3_600_000;
const T0 = Date.parse('2026-11-20T02:00:00.000Z');

let dir: string;
let c: Collector;
let app: FastifyInstance;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-policy-'));
  // The ministry's policy: 7 days, vendor flags without a date NOT accepted (stricter than the
  // default), the stale window 3 days (larger than the silences below).
  c = openCollector(validateConfig({ dataDir: dir, units: TEST_UNITS, auth: TEST_AUTH, staleAfterMinutes: 3 * 24 * 60, limits: { enrollPerMinute: 100_000 }, protection: { maxSignatureAgeHours: 168, acceptVendorUpToDateFlag: false } }, 'test'));
  app = build(c);
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await app.close();
  await c.ingest.close();
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

/** Move the collector's clock (Date only; timers stay real). */
const at = (ms: number) => {
  if (!vi.isFakeTimers()) vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(ms);
};

async function enroll(unit: string): Promise<{ agentId: string; credential: string }> {
  const u = TEST_UNITS.find((x) => x.id === unit)!;
  const res = await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { unit, secret: u.enrollmentSecret, hostname: `h${++n}`, machineId: '' } });
  expect(res.statusCode).toBe(201);
  return res.json();
}

const clamav = (o: Partial<ProtectionProduct>): ProtectionProduct => ({
  id: 'clamav',
  name: 'ClamAV',
  vendor: 'Cisco Talos',
  version: '1.4.6',
  installed: true,
  running: true,
  realTime: true,
  signatureVersion: 'daily 27093',
  signatureDate: null,
  signatureAgeHours: null,
  antiMalware: true,
  protects: true,
  evidence: ['clamd answers PING'],
  unknown: [],
  ...o,
});

/** A report whose protection facts are `products`, with the agent's own verdict `agentProtected` under its limit. */
function report(agentId: string, unit: string, collectedMs: number, products: ProtectionProduct[], agentProtected: boolean, agentLimitHours = 168): Report {
  const r = sampleReport({ agentId, unit, role: 'workstation', collectedAt: new Date(collectedMs) });
  if (!r.probes.protection?.ok) throw new Error('sample report without protection facts');
  r.probes.protection.facts = { products, protected: agentProtected, reasons: [agentProtected ? 'protected by the agent config' : 'not protected by the agent config'], maxSignatureAgeHours: agentLimitHours };
  return r;
}

async function post(agent: { credential: string }, r: Report) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/reports', payload: r, headers: { authorization: `Bearer ${agent.credential}` } });
  expect(res.statusCode, res.body).toBe(201);
}

const viewer = { authorization: `Bearer ${TEST_TOKENS.viewer}` };
async function hostView(agentId: string) {
  const res = await app.inject({ method: 'GET', url: `/api/v1/hosts/${agentId}`, headers: viewer });
  expect(res.statusCode).toBe(200);
  return res.json<{
    protected: boolean | null;
    evaluation: {
      protected: boolean;
      stale: boolean;
      reasons: string[];
      reasonCodes: { code: string; params?: Record<string, unknown> }[];
      agentVerdict: { protected: boolean | null; limitHours: number | null } | null;
      protection: { products: { key: string; protects: boolean; signatureAgeHours: number | null }[] };
    };
  }>();
}
async function indicator(unit: string, id = 'endpoint_protection') {
  const res = await app.inject({ method: 'GET', url: '/api/v1/report?format=json&directive=2224-QD-BGTVT', headers: viewer });
  expect(res.statusCode).toBe(200);
  const ind = res.json<{ indicators: { id: string; units: { scope: string; pass: number; total: number; ratio: number | null; met: boolean | null }[] }[] }>().indicators.find((i) => i.id === id)!;
  return ind.units.find((u) => u.scope === unit)!;
}

describe('protection judged at evaluation time, with the ministry policy', () => {
  it('a host with 6-day-old signatures, silent since, stops counting once they pass 7 days (stale window 3 days)', async () => {
    at(T0);
    const a = await enroll('TTCNTT');
    // Signatures dated 6 days (144 h) before the report, which is collected at T0.
    await post(a, report(a.agentId, 'TTCNTT', T0, [clamav({ signatureDate: new Date(T0 - 144 * H).toISOString(), signatureAgeHours: 144 })], true));
    at(T0 + 23 * H); // 167 h old: inside the limit
    let v = await hostView(a.agentId);
    expect(v.evaluation).toMatchObject({ stale: false, protected: true });
    expect(v.evaluation.protection.products[0]).toMatchObject({ key: 'clamav', protects: true, signatureAgeHours: 167 });
    at(T0 + 25 * H); // 169 h old, past 168; still not stale (25 h < 72 h)
    v = await hostView(a.agentId);
    expect(v.evaluation).toMatchObject({ stale: false, protected: false });
    expect(v.evaluation.reasonCodes).toContainEqual({ code: 'POLICY_SIGNATURES_OLD', params: { product: 'ClamAV', ageHours: 169, limitHours: 168 } });
    // The agent said protected: shown beside, never counted.
    expect(v.protected).toBe(true);
    expect(v.evaluation.agentVerdict).toEqual({ protected: true, limitHours: 168, reasons: ['protected by the agent config'] });
    expect(await indicator('TTCNTT')).toMatchObject({ pass: 0, total: 1 });
  });

  it('an age without a date keeps ageing from the collection instant', async () => {
    at(T0);
    const a = await enroll('TCDBVN');
    // 100 h old at T0, no date: 100 + 69 = 169 h at T0 + 69 h.
    await post(a, report(a.agentId, 'TCDBVN', T0, [clamav({ signatureAgeHours: 100 })], true));
    at(T0 + 67 * H);
    expect((await hostView(a.agentId)).evaluation.protected).toBe(true);
    at(T0 + 69 * H);
    const v = await hostView(a.agentId);
    expect(v.evaluation.protected).toBe(false);
    expect(v.evaluation.reasonCodes).toContainEqual({ code: 'POLICY_SIGNATURES_OLD', params: { product: 'ClamAV', ageHours: 169, limitHours: 168 } });
  });
});

describe('agents whose own verdict the ministry does not share', () => {
  it('an agent whose config accepts 10-year-old signatures, and one that sends protected: true with no products: both not protected', async () => {
    const now = Date.now();
    at(now);
    const lax = await enroll('CHHVN');
    const empty = await enroll('CHHVN');
    // 10 years of signatures, the agent's limit 87,600 h: it says protected.
    await post(lax, report(lax.agentId, 'CHHVN', now, [clamav({ signatureDate: new Date(now - 87_600 * H).toISOString(), signatureAgeHours: 87_600 })], true, 87_600));
    await post(empty, report(empty.agentId, 'CHHVN', now, [], true));
    const vl = await hostView(lax.agentId);
    expect(vl.protected).toBe(true);
    expect(vl.evaluation.protected).toBe(false);
    expect(vl.evaluation.reasonCodes.map((r) => r.code)).toEqual(['POLICY_SIGNATURES_OLD', 'POLICY_AGENT_DISAGREES']);
    expect(vl.evaluation.agentVerdict).toMatchObject({ protected: true, limitHours: 87_600 });
    const ve = await hostView(empty.agentId);
    expect(ve.evaluation.protected).toBe(false);
    expect(ve.evaluation.reasonCodes.map((r) => r.code)).toEqual(['POLICY_NO_PRODUCT', 'POLICY_AGENT_DISAGREES']);
    expect(await indicator('CHHVN')).toMatchObject({ pass: 0, total: 2, ratio: 0 });
  });
});

describe('the indicator of a fleet whose agents disagree with the ministry policy', () => {
  it('counts 5 of 10 where the agents claim 9 of 10, and the report states the policy in force', async () => {
    const now = Date.now();
    at(now);
    const fleet: [string, ProtectionProduct[], boolean, number][] = [
      // 4 honest agents: 5 h old signatures. Collector: protected. (4)
      ...Array.from({ length: 4 }, (): [string, ProtectionProduct[], boolean, number] => ['honest', [clamav({ signatureDate: new Date(now - 5 * H).toISOString(), signatureAgeHours: 5 })], true, 168]),
      // 2 agents with a 720 h limit and 300 h old signatures: they say protected; not under 168 h.
      ...Array.from({ length: 2 }, (): [string, ProtectionProduct[], boolean, number] => ['lax', [clamav({ signatureDate: new Date(now - 300 * H).toISOString(), signatureAgeHours: 300 })], true, 720]),
      // A Wazuh agent that its agent calls anti-malware: never protection.
      ['wazuh', [clamav({ id: 'wazuh', name: 'Wazuh agent', vendor: 'Wazuh', signatureDate: null, signatureAgeHours: null, signatureless: true })], true, 168],
      // A product that claims to be signatureless but is not an EDR of the policy: age unknown.
      ['fake-edr', [clamav({ id: 'kesl', name: 'Kaspersky', signatureless: true })], true, 168],
      // Security Center flag only, the policy does not accept flags without a date.
      ['flag', [clamav({ id: 'bkav', name: 'Bkav', signatureUpToDate: true })], true, 168],
      // A strict agent (24 h) with 48 h old signatures says NOT protected; under 168 h it is. (+1)
      ['strict', [clamav({ signatureDate: new Date(now - 48 * H).toISOString(), signatureAgeHours: 48 })], false, 24],
    ];
    const ids: string[] = [];
    for (const [, products, agentSays, limit] of fleet) {
      const a = await enroll('TTCNTT');
      ids.push(a.agentId);
      await post(a, report(a.agentId, 'TTCNTT', now, products, agentSays, limit));
    }
    // TTCNTT also holds the host of the first test (signatures past 7 days): 5 of 11.
    expect(await indicator('TTCNTT')).toMatchObject({ pass: 5, total: 11 });
    const codes = async (i: number) => (await hostView(ids[i]!)).evaluation.reasonCodes.map((r) => r.code);
    expect(await codes(4)).toEqual(['POLICY_SIGNATURES_OLD', 'POLICY_AGENT_DISAGREES']);
    expect(await codes(6)).toEqual(['POLICY_NOT_PROTECTION', 'POLICY_SIGNATURE_AGE_UNKNOWN', 'POLICY_AGENT_DISAGREES']);
    expect(await codes(7)).toEqual(['POLICY_SIGNATURE_AGE_UNKNOWN', 'POLICY_AGENT_DISAGREES']);
    expect(await codes(8)).toEqual(['POLICY_VENDOR_FLAG_NOT_ACCEPTED', 'POLICY_AGENT_DISAGREES']);
    const strict = await hostView(ids[9]!);
    expect(strict.evaluation).toMatchObject({ protected: true, agentVerdict: { protected: false, limitHours: 24 } });

    const md = await app.inject({ method: 'GET', url: '/api/v1/report?format=markdown&lang=vi&directive=2224-QD-BGTVT', headers: viewer });
    expect(md.body).toContain('giới hạn tuổi mẫu nhận diện: 7 ngày (168 giờ)');
    expect(md.body).toContain('chấp nhận cờ "cập nhật" của hãng khi không có ngày: không');
    expect(md.body).toContain('không tính là bảo vệ: wazuh, ossec');
    const html = await app.inject({ method: 'GET', url: '/api/v1/report?format=html&lang=en&directive=2224-QD-BGTVT', headers: viewer });
    expect(html.body).toContain('signature age limit: 7 days (168 h)');
  });
});
