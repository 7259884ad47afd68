/**
 * Integration: several ingest collectors behind one address (collector/README.md, "Scale-out").
 * Two ingest collectors take the agents of one unit, as a balancer that keeps each agent on one
 * backend would split them, and forward to ONE evaluating collector. The evaluator holds every
 * report exactly once and its indicators cover the whole fleet, as if one collector had taken
 * it all.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTURE_BIN, TEST_TOKENS, TEST_UNITS, collectorFixture, runNode, startCollectorProcess, type CollectorFixture, type CollectorProcess } from '../../../testing/collector.js';
import { waitFor } from '../../../testing/ports.js';
import { buildFleet } from '../simulate/fleet.js';
import { simulate } from '../simulate/run.js';
import { sqlAll } from '../../../testing/sql.js';

const CHHVN = TEST_UNITS.find((u) => u.id === 'CHHVN')!;
const fleet = buildFleet({ hosts: 60, units: [CHHVN.id], shares: { protected: 0.75, stale: 0, ipv6Ready: 0.3 }, seed: 21, systemsPerUnit: 3 });

interface Node {
  f: CollectorFixture;
  proc?: CollectorProcess;
}
let evaluator: Node;
const ingest: Node[] = [];

const reportIds = (n: Node) => {
  const db = new Database(join(n.f.dir, 'data', 'posture.sqlite'), { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return new Set(sqlAll<{ report_id: string }>(db, 'SELECT report_id FROM reports').map((r) => r.report_id));
  } finally {
    db.close();
  }
};

beforeAll(async () => {
  evaluator = { f: await collectorFixture() };
  evaluator.proc = await startCollectorProcess(evaluator.f);
  for (let i = 0; i < 2; i++) {
    const f = await collectorFixture({ units: [{ id: CHHVN.id, name: CHHVN.name }], upstream: { url: evaluator.f.url, intervalMs: 100, backoffMinMs: 100, backoffMaxMs: 800, batchSize: 25 } });
    const cfg = parse(await readFile(f.configFile, 'utf8')) as { units: { enrollmentSecret?: string }[] };
    cfg.units[0]!.enrollmentSecret = CHHVN.enrollmentSecret;
    await writeFile(f.configFile, stringify(cfg));
    const enrolled = await runNode(POSTURE_BIN, ['-c', f.configFile, 'upstream', 'enroll', '--secret', CHHVN.enrollmentSecret, '--name', `ingest-${i + 1}`]);
    expect(enrolled.stderr).toBe('');
    ingest.push({ f, proc: await startCollectorProcess(f) });
  }
}, 60_000);

afterAll(async () => {
  for (const n of [...ingest, evaluator]) await n?.proc?.stop();
  for (const n of [...ingest, evaluator]) if (n) await rm(n.f.dir, { recursive: true, force: true });
});

describe('two ingest collectors, one evaluator', () => {
  it('the evaluator holds every report once and evaluates the whole fleet', async () => {
    const acked = new Set<string>();
    // Each agent stays on one backend (the balancer hashes on the agent): half the fleet each.
    const halves = [fleet.slice(0, 30), fleet.slice(30)];
    for (const [i, hosts] of halves.entries()) {
      for (let cycle = 0; cycle < 2; cycle++) {
        const s = await simulate({ url: ingest[i]!.f.url, hosts, secrets: new Map([[CHHVN.id, CHHVN.enrollmentSecret]]), rate: 1000, durationSeconds: 30, reports: hosts.length, stateFile: join(ingest[i]!.f.dir, 'creds.json') });
        expect(s.errors).toEqual({});
        s.ackedIds.forEach((id) => acked.add(id));
      }
    }
    expect(acked.size).toBe(120);
    // Each ingest collector holds only its half; the evaluator holds the union, exactly.
    expect(reportIds(ingest[0]!).size + reportIds(ingest[1]!).size).toBe(120);
    await waitFor('the evaluator to hold every acknowledged report', async () => [...acked].every((id) => reportIds(evaluator).has(id)), 30_000, 200);
    expect(reportIds(evaluator)).toEqual(acked);

    const res = await fetch(`${evaluator.f.url}/api/v1/report?format=json&fresh=1&directive=2224-QD-BGTVT`, { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } });
    const ev = (await res.json()) as { indicators: { id: string; units: { scope: string; pass: number; total: number }[] }[] };
    const ep = ev.indicators.find((i) => i.id === 'endpoint_protection')!.units.find((u) => u.scope === CHHVN.id)!;
    expect({ pass: ep.pass, total: ep.total }).toEqual({ pass: fleet.filter((h) => h.protected).length, total: 60 });
  });
});
