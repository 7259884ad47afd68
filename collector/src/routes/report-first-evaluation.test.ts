/**
 * At start the first evaluation runs in slices (at a restart it reads every host's row while
 * agents reconnect). A report or a console page asked for meanwhile, with nothing recorded yet,
 * waits for it and gets its figures: nothing is evaluated beside it (one set of members in
 * memory at a time). fresh=1 still evaluates now, after the scheduled evaluation under way, in
 * slices too (nothing is evaluated in one go on a request): requests are answered meanwhile, and
 * its report is the one an evaluation in one go makes.
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
import { startServices } from '../compose.js';
import { validateConfig } from '../config.js';
import { consoleData } from '../console/data.js';
import type { Collector } from '../context.js';
import { toIngestRow } from '../ingest/rows.js';
import type { JsonReport } from '../report/json.js';
import { render } from '../report/render.js';
import { buildReport } from '../report/source.js';
import type { EngineDeps } from '../rules/engine.js';

const VIEWER = 'pt_viewer-for-first-evaluation-0123456789abcdefghij';
// Several reads of the rule inputs (128 rows each) and many slices.
const HOSTS = 700;
let dir: string;
let c: Collector;
let app: FastifyInstance;
/** Evaluations in one go (the engine's `members`, not `membersSliced`), and whether a scheduled one was under way at each. */
const onRequest: { besideScheduled: boolean }[] = [];
/** Evaluations in slices (scheduled or on request), by their time, and whether a scheduled one was under way when each read the members. */
const sliced: { at: string; besideScheduled: boolean }[] = [];

const inside = () => c.engine as unknown as { inFlight: Promise<void> | undefined; nextAt: Map<string, number>; deps: EngineDeps; sliceMs: number };
const report = async (query = '') => {
  const res = await app.inject({ method: 'GET', url: `/api/v1/report?format=json${query}`, headers: { authorization: `Bearer ${VIEWER}` } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<JsonReport>();
};
const endpointTotal = (r: JsonReport) => r.indicators.find((i) => i.id === 'endpoint_protection')!.ministry.total;

function store(n: number, at: Date) {
  const unit = TEST_UNITS[n % TEST_UNITS.length]!.id;
  const { agentId } = c.agents.enroll(unit, `h${n}`, '');
  const r = sampleReport({ agentId, unit, protected: n % 4 !== 0, systems: n % 50 === 0 ? ['cong-ttdt'] : [] });
  return toIngestRow({ report: r, unit, points: [], receivedAt: at });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-first-evaluation-'));
  const registryFile = join(dir, 'systems.yaml');
  await writeFile(registryFile, 'systems:\n  - { id: cong-ttdt, name: "Cổng TTĐT", ownerUnit: TTCNTT, level: 3, tags: [portal] }\n');
  c = openCollector(validateConfig({ dataDir: join(dir, 'data'), units: TEST_UNITS, registryFile, staleAfterMinutes: 60, auth: { tokens: [{ name: 'secteam', role: 'viewer', sha256: sha256(VIEWER) }] } }, 'test'));
  const now = new Date();
  c.ingestCommit.commit(Array.from({ length: HOSTS }, (_, n) => store(n, now)));
  // Yield at every check: the fleet is small.
  inside().sliceMs = 0;
  const members = inside().deps.members;
  inside().deps.members = (at) => {
    onRequest.push({ besideScheduled: inside().inFlight !== undefined });
    return members(at);
  };
  const membersSliced = inside().deps.membersSliced!;
  inside().deps.membersSliced = (at, slicer) => {
    // The scheduler sets inFlight once evaluateAndRecordSliced has returned, after this call: only one on request can find it set.
    sliced.push({ at: at.toISOString(), besideScheduled: inside().inFlight !== undefined });
    return membersSliced(at, slicer);
  };
  app = build(c);
});

afterAll(async () => {
  await app.close();
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the first evaluation at start, in slices', () => {
  it('serves a report and a console page asked for meanwhile from it, evaluating nothing beside it; fresh=1 evaluates after the one under way', async () => {
    const services = startServices(c);
    try {
      // Under way, not done inside start().
      expect(c.engine.last()).toBeUndefined();
      expect(inside().inFlight).toBeDefined();
      const asked = report();
      const page = consoleData(c)
        .settled()
        .then(() => consoleData(c).evaluation());
      const served = await asked;
      const view = await page;
      expect(onRequest).toEqual([]);
      const recorded = c.engine.last()!;
      expect(served.evaluatedAt).toBe(recorded.evaluatedAt);
      expect(view.ev.evaluatedAt).toBe(recorded.evaluatedAt);
      expect(c.indicatorResults.lastAtOrBefore(new Date()).last).toBe(recorded.evaluatedAt);
      expect(endpointTotal(served)).toBe(HOSTS);
      expect(c.engine.lastSlices).toBeGreaterThan(5);
      // Its figures are those of an evaluation in one go of the same state.
      const inOne = c.engine.evaluateNowWithMembers(new Date(recorded.evaluatedAt));
      expect(recorded.indicators).toEqual(inOne.ev.indicators);
      for (const [id, v] of recorded.verdicts) expect([...v.verdicts], id).toEqual([...inOne.members.verdicts.get(id)!]);
      onRequest.length = 0;

      // The next scheduled one (every group due by hand), and a host that reports once it has read the rows.
      inside().nextAt.clear();
      for (let waited = 0; inside().inFlight === undefined && waited < 10_000; waited += 2) await new Promise((r) => setTimeout(r, 2));
      expect(inside().inFlight).toBeDefined();
      c.ingestCommit.commit([store(HOSTS, new Date())]);
      const fresh = await report('&fresh=1');
      expect(onRequest).toEqual([]);
      expect(sliced.filter((x) => x.at === fresh.evaluatedAt)).toEqual([{ at: fresh.evaluatedAt, besideScheduled: false }]);
      expect(endpointTotal(fresh)).toBe(HOSTS + 1);
      expect(fresh.evaluatedAt > c.engine.last()!.evaluatedAt).toBe(true);
      // The scheduled one read the rows before the new host's: it counts it at the next evaluation.
      expect(endpointTotal(await report())).toBe(HOSTS);
    } finally {
      await services.stopEvaluation();
      await services.stopDelivery();
    }
  });

  it('answers fresh=1 with the report an evaluation in one go makes of the same time, and answers requests that arrive meanwhile first', async () => {
    let freshDone = false;
    const asked = report('&fresh=1').then((r) => ((freshDone = true), r));
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(freshDone).toBe(false);
    const fresh = await asked;
    expect(onRequest).toEqual([]);
    const inOne = JSON.parse((await render(buildReport(c, { fresh: true }, new Date(fresh.evaluatedAt)), 'json', 'vi')).body as string) as JsonReport;
    expect(onRequest).toHaveLength(1);
    expect(fresh).toEqual(inOne);
    expect(endpointTotal(fresh)).toBe(HOSTS + 1);
  });
});
