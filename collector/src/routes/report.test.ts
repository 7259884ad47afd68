/**
 * GET /api/v1/report serves the last recorded evaluation (ratios, footnotes, portals) and
 * evaluates anew only with fresh=1; before any recorded evaluation it evaluates on request.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_UNITS } from '../../../testing/collector.js';
import { sampleReport } from '../../../testing/reports.js';
import { build, openCollector } from '../app.js';
import { sha256 } from '../auth/secrets.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { pointsOfReport } from '../influx/points.js';
import type { JsonReport } from '../report/json.js';

const VIEWER = 'pt_viewer-for-report-tests-0123456789abcdefghijklm';
let dir: string;
let c: Collector;
let app: FastifyInstance;

const unit = TEST_UNITS[0]!.id;
function addHost(n: number) {
  const { agentId } = c.agents.enroll(unit, `h${n}`, '');
  const r = sampleReport({ agentId, unit, systems: ['cong-ttdt'] });
  c.storeReport(r, unit, pointsOfReport(r, unit), new Date());
}
// The 2022 directive: the endpoint-protection target is its own (the 2024 one, the default for a report of today, carries it over).
const D2022 = '2224-QD-BGTVT';
const report = async (query = '', directive = D2022) => {
  const res = await app.inject({ method: 'GET', url: `/api/v1/report?format=json&directive=${directive}${query}`, headers: { authorization: `Bearer ${VIEWER}` } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<JsonReport>();
};
const endpointTotal = (r: JsonReport) => r.indicators.find((i) => i.id === 'endpoint_protection')!.ministry.total;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-report-route-'));
  const registryFile = join(dir, 'systems.yaml');
  await writeFile(registryFile, 'systems:\n  - { id: cong-ttdt, name: "Cổng TTĐT", ownerUnit: TTCNTT, level: 3, tags: [portal] }\n');
  c = openCollector(validateConfig({ dataDir: join(dir, 'data'), units: TEST_UNITS, registryFile, staleAfterMinutes: 60, auth: { tokens: [{ name: 'secteam', role: 'viewer', sha256: sha256(VIEWER) }] } }, 'test'));
  app = build(c);
});

afterAll(async () => {
  await app.close();
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('report served from the last evaluation', () => {
  it('evaluates on request while nothing was recorded yet', async () => {
    addHost(1);
    expect(c.engine.last()).toBeUndefined();
    expect(endpointTotal(await report())).toBe(1);
  });

  it('serves the recorded evaluation until the next one; fresh=1 evaluates now', async () => {
    const recorded = c.engine.evaluateAndRecord(new Date());
    addHost(2);
    const served = await report();
    expect(served.evaluatedAt).toBe(recorded.evaluatedAt);
    expect(endpointTotal(served)).toBe(1);
    // The portal footnote comes from the same evaluation: one host serving it then.
    expect(served.portalsNotReady!.find((p) => p.id === 'cong-ttdt')?.hosts).toBe(1);
    const fresh = await report('&fresh=1');
    expect(endpointTotal(fresh)).toBe(2);
    expect(fresh.portalsNotReady!.find((p) => p.id === 'cong-ttdt')?.hosts).toBe(2);
    // A fresh evaluation is not recorded: the served report is still the recorded one.
    expect((await report()).evaluatedAt).toBe(recorded.evaluatedAt);
    c.engine.evaluateAndRecord(new Date(Date.parse(recorded.evaluatedAt) + 1000));
    expect(endpointTotal(await report())).toBe(2);
  });

  it('keeps one rendered body per directive of the same evaluation', async () => {
    const d2022 = await report();
    const d2024 = await report('', '09-CT-TTg-2024');
    expect(d2024.evaluatedAt).toBe(d2022.evaluatedAt);
    expect(d2022.indicators.map((i) => i.id)).toContain('systems_classified');
    expect(d2024.indicators.map((i) => i.id)).not.toContain('systems_classified');
    expect(d2024.indicators.map((i) => i.id)).toContain('systems_level_approved');
    expect((await report()).indicators.map((i) => i.id)).toEqual(d2022.indicators.map((i) => i.id));
  });

  it('keeps per-member verdicts as ids, not the members', () => {
    const kept = c.engine.last()!.verdicts.get('endpoint_protection')!;
    expect(kept.ids.length).toBe(2);
    expect(typeof kept.ids[0]).toBe('string');
    expect([...kept.verdicts]).toHaveLength(2);
  });

  it('refuses a fresh value other than 0 or 1, naming it', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/report?fresh=yes', headers: { authorization: `Bearer ${VIEWER}` } });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ message: string }>().message).toMatch(/"fresh".*use 0, 1/);
  });
});
