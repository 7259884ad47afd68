/**
 * Indicator 11 judged at each system's level, through the real API (enroll, post reports,
 * change the registry, read the report): a host that keeps logs 30 days meets level 2 and not
 * level 3 (its per-level result, not its level-2 `result`, decides), a check the host could not
 * read fails its system with the agent's reason, and the footnote names the failing checks per
 * system in Vietnamese and English. Expectations are written out by hand from the reports below.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaselineCheck } from '@posture/protocol';
import { TEST_AUTH, TEST_TOKENS, TEST_UNITS } from '../../../testing/collector.js';
import { sampleReport } from '../../../testing/reports.js';
import { build, openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import type { JsonReport } from './json.js';

let dir: string;
let c: Collector;
let app: FastifyInstance;
const admin = { authorization: `Bearer ${TEST_TOKENS.admin}` };
const viewer = { authorization: `Bearer ${TEST_TOKENS.viewer}` };

const FIREWALL: BaselineCheck = {
  id: 'firewall.inbound_default_deny',
  title: { vi: 'Tường lửa trên máy chủ bật, mặc định chặn kết nối vào', en: 'Host firewall active with default-deny inbound policy' },
  level: 1,
  result: 'pass',
  evidence: 'nft: input policy drop',
};
/** As the agent reports 30 days of logs with mapping.yaml's minByLevel {2: 30, 3: 90, 4: 180, 5: 365}. */
const RETENTION_30: BaselineCheck = {
  id: 'logging.retention',
  title: { vi: 'Nhật ký hệ thống được lưu đủ thời gian', en: 'System logs kept long enough' },
  level: 2,
  result: 'pass',
  evidence: 'journald: oldest entry 30 days ago',
  value: 30,
  byLevel: [
    { level: 2, result: 'pass', threshold: 30 },
    { level: 3, result: 'fail', threshold: 90 },
    { level: 4, result: 'fail', threshold: 180 },
    { level: 5, result: 'fail', threshold: 365 },
  ],
};
const AUDIT: BaselineCheck = { id: 'logging.audit', title: { vi: 'Ghi nhật ký kiểm toán (audit) được bật', en: 'Audit logging on' }, level: 3, result: 'pass', evidence: 'auditd active' };
const TIME_UNKNOWN: BaselineCheck = {
  id: 'time.synchronized',
  title: { vi: 'Đồng bộ thời gian (NTP) hoạt động', en: 'Clock synchronised (NTP)' },
  level: 2,
  result: 'unknown',
  evidence: 'timedatectl: exit 1',
  reasonCode: { code: 'BASELINE_NOT_READ', params: { what: 'time.synchronized' } },
};

async function hostReporting(unit: string, hostname: string, systems: string[], checks: BaselineCheck[]) {
  const secret = TEST_UNITS.find((u) => u.id === unit)!.enrollmentSecret;
  const enrolled = await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { unit, secret, hostname, machineId: '' } });
  expect(enrolled.statusCode).toBe(201);
  const a = enrolled.json<{ agentId: string; credential: string }>();
  const r = sampleReport({ agentId: a.agentId, unit, hostname, systems, baseline: checks });
  const res = await app.inject({ method: 'POST', url: '/api/v1/reports', payload: r, headers: { authorization: `Bearer ${a.credential}` } });
  expect(res.statusCode, res.body).toBe(201);
}

const system = (id: string, name: string, ownerUnit: string, level: number) => ({ id, name, ownerUnit, level, approval: { number: `1/QĐ-${ownerUnit}`, date: '2025-01-05' }, protectionPlan: { deployed: true, status: 'full' }, tags: [] });

async function putSystem(s: ReturnType<typeof system>) {
  const { id, ...rec } = s;
  const res = await app.inject({ method: 'PUT', url: `/api/v1/systems/${id}`, payload: rec, headers: admin });
  expect([200, 201], res.body).toContain(res.statusCode);
}

const report = async (format: 'json' | 'markdown', lang: 'vi' | 'en' = 'vi') => {
  const res = await app.inject({ method: 'GET', url: `/api/v1/report?directive=2224-QD-BGTVT&format=${format}&lang=${lang}`, headers: viewer });
  expect(res.statusCode, res.body).toBe(200);
  return res;
};
const indicator11 = (r: JsonReport) => r.indicators.find((i) => i.id === 'systems_classified')!;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-baseline-level-'));
  c = openCollector(validateConfig({ dataDir: dir, units: TEST_UNITS, auth: TEST_AUTH }, 'test'));
  app = build(c);
  await putSystem(system('qltb', 'Quản lý tàu biển', 'CHHVN', 2));
  await putSystem(system('thudt', 'Thư điện tử', 'TCDBVN', 2));
  await hostReporting('CHHVN', 'may-a', ['qltb'], [FIREWALL, RETENTION_30, AUDIT]);
  await hostReporting('TCDBVN', 'may-b', ['thudt'], [FIREWALL, TIME_UNKNOWN]);
});

afterAll(async () => {
  await app.close();
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('indicator 11 by the system level', () => {
  it('a level-2 system whose host keeps logs 30 days passes; a check unknown at its host fails its system with the reason', async () => {
    const r = (await report('json')).json<JsonReport>();
    const ind = indicator11(r);
    expect(ind.ministry).toMatchObject({ pass: 1, total: 2 });
    expect(ind.units.find((u) => u.scope === 'CHHVN')).toMatchObject({ pass: 1, total: 1 });
    expect(ind.units.find((u) => u.scope === 'TCDBVN')).toMatchObject({ pass: 0, total: 1 });
    expect(ind.failing.map((f) => f.id)).toEqual(['thudt']);
    // The reason is a code, rendered in the report's language (Vietnamese by default).
    expect(ind.failing[0]!.reasonCodes).toEqual([{ code: 'BASELINE_LEVEL_NOT_MET', params: { level: 2, checks: 1, hosts: 1, reporting: 1 } }]);
    expect(ind.failing[0]!.reasons).toEqual(['Chưa đạt yêu cầu cơ bản của cấp độ 2: 1 kiểm tra chưa đạt hoặc chưa xác định trên 1/1 máy']);
    expect(r.baselineNotMet).toEqual([
      {
        id: 'thudt',
        name: 'Thư điện tử',
        unit: 'TCDBVN',
        level: 2,
        result: 'unknown',
        reportingHosts: 1,
        failingHosts: 1,
        hosts: [{ hostname: 'may-b', checks: [{ id: 'time.synchronized', title: TIME_UNKNOWN.title, result: 'unknown', checkLevel: 2, detail: { code: 'BASELINE_NOT_READ', params: { what: 'time.synchronized' } } }] }],
      },
    ]);
    const vi = (await report('markdown', 'vi')).body;
    expect(vi).toContain('Hệ thống chưa đạt yêu cầu cơ bản theo cấp độ:\n- Hệ thống Thư điện tử (cấp độ 2; 1/1 máy chưa đạt): máy may-b — Đồng bộ thời gian (NTP) hoạt động: chưa xác định (Không đọc được trạng thái (time.synchronized))\n');
    expect(vi).toContain('Tổng cục Đường bộ Việt Nam / Thư điện tử: Chưa đạt yêu cầu cơ bản của cấp độ 2: 1 kiểm tra chưa đạt hoặc chưa xác định trên 1/1 máy');
    expect(vi).not.toContain('Quản lý tàu biển (cấp độ');
  });

  it('the same system at level 3 fails, and the footnote names retention against the level-3 minimum in both languages', async () => {
    await putSystem(system('qltb', 'Quản lý tàu biển', 'CHHVN', 3));
    const r = (await report('json')).json<JsonReport>();
    const ind = indicator11(r);
    expect(ind.ministry).toMatchObject({ pass: 0, total: 2 });
    expect(ind.units.find((u) => u.scope === 'CHHVN')).toMatchObject({ pass: 0, total: 1 });
    expect(r.baselineNotMet!.map((n) => [n.id, n.level, n.result])).toEqual([
      ['qltb', 3, 'fail'],
      ['thudt', 2, 'unknown'],
    ]);
    // Only the level-3 entry of byLevel counts (90 days), not the level-4 or -5 ones; audit (level 3) passes.
    expect(r.baselineNotMet![0]!.hosts).toEqual([
      { hostname: 'may-a', checks: [{ id: 'logging.retention', title: RETENTION_30.title, result: 'fail', checkLevel: 2, detail: { code: 'BASELINE_BELOW_LEVEL_MINIMUM', params: { value: 30, threshold: 90, level: 3 } } }] },
    ]);
    const vi = (await report('markdown', 'vi')).body;
    expect(vi).toContain('- Hệ thống Quản lý tàu biển (cấp độ 3; 1/1 máy chưa đạt): máy may-a — Nhật ký hệ thống được lưu đủ thời gian: 30 < 90 (mức tối thiểu của cấp độ 3)\n');
    const en = (await report('markdown', 'en')).body;
    expect(en).toContain('Systems whose hosts do not meet the baseline of their level:\n- System Quản lý tàu biển (level 3; 1/1 hosts not meeting it): host may-a — System logs kept long enough: 30 < 90 (the minimum at level 3)\n');
    expect(en).toContain('- System Thư điện tử (level 2; 1/1 hosts not meeting it): host may-b — Clock synchronised (NTP): unknown (The state could not be read (time.synchronized))\n');
    const html = (await app.inject({ method: 'GET', url: '/report?directive=2224-QD-BGTVT&lang=vi', headers: viewer })).body;
    expect(html).toContain('<li data-system="qltb">Hệ thống Quản lý tàu biển (cấp độ 3; 1/1 máy chưa đạt): máy may-a — Nhật ký hệ thống được lưu đủ thời gian: 30 &lt; 90 (mức tối thiểu của cấp độ 3)</li>');
  });

  it('lists at most five hosts per system and five checks per host, with counts of the rest', async () => {
    await putSystem(system('big', 'Dịch vụ công', 'TTCNTT', 1));
    // Seven level-1 checks fail on each of six hosts: 5 named + "and 2 more checks", 5 hosts + "and 1 more host".
    const failing = Array.from({ length: 7 }, (_, i): BaselineCheck => ({ id: `check.f${i}`, title: { vi: `Kiểm tra ${i}`, en: `Check ${i}` }, level: 1, result: 'fail', evidence: 'x' }));
    for (let i = 0; i < 6; i++) await hostReporting('TTCNTT', `may-${i}`, ['big'], failing);
    const note = (await report('json')).json<JsonReport>().baselineNotMet!.find((n) => n.id === 'big')!;
    expect(note).toMatchObject({ failingHosts: 6, reportingHosts: 6 });
    expect(note.hosts.map((h) => h.hostname)).toEqual(['may-0', 'may-1', 'may-2', 'may-3', 'may-4']);
    const vi = (await report('markdown', 'vi')).body;
    expect(vi).toContain('- Hệ thống Dịch vụ công (cấp độ 1; 6/6 máy chưa đạt): máy may-0 — Kiểm tra 0; Kiểm tra 1; Kiểm tra 2; Kiểm tra 3; Kiểm tra 4; và 2 kiểm tra khác. máy may-1 — ');
    expect(vi).toContain('. và 1 máy khác\n');
  });
});
