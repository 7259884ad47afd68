/**
 * One mapping, two readers: the real agent (`posture-agent collect --once --json` on this
 * machine, as it is) reports its baseline checks, and the collector's judgement of a system at
 * each level 1-5 served by that host must name exactly the checks the agent's own per-level
 * profile (`profiles()` in the agent's baseline probe) lists as failing or unknown at that level.
 * The agent does not care what this machine passes; the two sides must agree on every level.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaselineCheck, Report } from '@posture/protocol';
import { AGENT_BIN, ROOT, TEST_AUTH, TEST_TOKENS, TEST_UNITS, runNode } from '../../../testing/collector.js';
import { build, openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { MAX_CHECKS_PER_HOST } from './baseline-footnotes.js';
import type { JsonReport } from './json.js';

/**
 * The agent's own per-level profile, loaded by path: collector sources import nothing of the
 * agent's, and the import-cycle check of collector/src (madge) stays about the collector.
 */
type Profiles = (checks: readonly BaselineCheck[]) => { level: number; failed: string[]; unknown: string[] }[];
const agentProfiles = async (): Promise<Profiles> => ((await import(join(ROOT, 'agent/src/probes/baseline/profile.ts'))) as { profiles: Profiles }).profiles;

let dir: string;
let c: Collector;
let app: FastifyInstance;
let checks: BaselineCheck[];
let hostname: string;
const LEVELS = [1, 2, 3, 4, 5];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-baseline-agent-'));
  const agentConfig = join(dir, 'agent.yaml');
  await writeFile(agentConfig, `unit: TTCNTT\nrole: server\nstateDir: ${join(dir, 'agent-state')}\nsystems: [${LEVELS.map((l) => `lvl${l}`).join(', ')}]\n`);
  const run = await runNode(AGENT_BIN, ['-c', agentConfig, 'collect', '--once', '--json'], {}, 120_000);
  expect(run.code, run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as Report;
  const baseline = report.probes.baseline;
  if (!baseline?.ok) throw new Error(`the agent's baseline probe failed on this machine: ${JSON.stringify(baseline)}`);
  checks = baseline.facts.checks;
  hostname = report.probes.host.ok ? report.probes.host.facts.hostname : 'unknown';

  c = openCollector(validateConfig({ dataDir: join(dir, 'collector'), units: TEST_UNITS, auth: TEST_AUTH }, 'test'));
  app = build(c);
  const admin = { authorization: `Bearer ${TEST_TOKENS.admin}` };
  for (const level of LEVELS) {
    const put = await app.inject({
      method: 'PUT',
      url: `/api/v1/systems/lvl${level}`,
      headers: admin,
      payload: { name: `Cấp ${level}`, ownerUnit: 'TTCNTT', level, approval: { number: `${level}/QĐ`, date: '2025-01-01' }, protectionPlan: { deployed: true, status: 'full' }, tags: [] },
    });
    expect([200, 201], put.body).toContain(put.statusCode);
  }
  const enrolled = await app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { unit: 'TTCNTT', secret: TEST_UNITS[0]!.enrollmentSecret, hostname, machineId: '' } });
  const a = enrolled.json<{ agentId: string; credential: string }>();
  const posted = await app.inject({ method: 'POST', url: '/api/v1/reports', payload: { ...report, agentId: a.agentId }, headers: { authorization: `Bearer ${a.credential}` } });
  expect(posted.statusCode, posted.body).toBe(201);
}, 180_000);

afterAll(async () => {
  await app?.close();
  c?.db.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the collector judges each level as the agent's profile does", () => {
  it('names, per level, exactly the checks the agent lists as failing or unknown there', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/report?directive=2224-QD-BGTVT&format=json', headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } });
    expect(res.statusCode).toBe(200);
    const r = res.json<JsonReport>();
    const agentSide = (await agentProfiles())(checks);
    const failingSystems = new Set(r.indicators.find((i) => i.id === 'systems_classified')!.failing.map((f) => f.id));
    for (const level of LEVELS) {
      const p = agentSide.find((x) => x.level === level)!;
      const expected = [...p.failed, ...p.unknown].sort();
      const note = r.baselineNotMet!.find((n) => n.id === `lvl${level}`);
      // The footnote lists at most MAX_CHECKS_PER_HOST per host when rendered; the JSON keeps them all.
      const named = (note?.hosts[0]?.checks ?? []).map((x) => x.id).sort();
      expect(named, `level ${level}`).toEqual(expected);
      expect(failingSystems.has(`lvl${level}`), `level ${level}`).toBe(expected.length > 0);
      if (note) expect(note).toMatchObject({ level, reportingHosts: 1, failingHosts: 1, result: p.failed.length ? 'fail' : 'unknown' });
    }
    // The rendered footnote is bounded: a level with more shortfalls than the bound says how many more.
    const md = (await app.inject({ method: 'GET', url: '/api/v1/report?directive=2224-QD-BGTVT&format=markdown&lang=vi', headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } })).body;
    for (const level of LEVELS) {
      const p = agentSide.find((x) => x.level === level)!;
      const n = p.failed.length + p.unknown.length;
      if (n > MAX_CHECKS_PER_HOST) expect(md).toContain(`Hệ thống Cấp ${level} (cấp độ ${level}; 1/1 máy chưa đạt): máy ${hostname} — `);
      if (n > MAX_CHECKS_PER_HOST) expect(md).toMatch(new RegExp(`Cấp ${level} \\(cấp độ ${level};[^\\n]*và ${n - MAX_CHECKS_PER_HOST} kiểm tra khác`));
    }
  });
});
