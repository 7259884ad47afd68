/**
 * Integration (real parts): a real influxd (Debian package), the collector as a process, and
 * the real agent collecting this machine. The report must reach the state store, InfluxDB
 * (read back with InfluxQL) and the appendix report under its unit.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cleanupInfluxd, startInfluxd, type Influxd } from '../../testing/influxd.js';
import { AGENT_BIN, POSTURE_BIN, TEST_TOKENS, TEST_UNITS, collectorFixture, runNode, startCollectorProcess, type CollectorFixture, type CollectorProcess } from '../../testing/collector.js';
import { waitFor } from '../../testing/ports.js';

let influx: Influxd;
let fx: CollectorFixture;
let collector: CollectorProcess;
let agentDir: string;

beforeAll(async () => {
  influx = await startInfluxd();
  fx = await collectorFixture({ influx: { url: influx.url, database: 'posture_e2e', flushIntervalMs: 100 } });
  collector = await startCollectorProcess(fx);
  agentDir = await mkdtemp(join(tmpdir(), 'posture-agent-'));
  await writeFile(join(agentDir, 'agent.yaml'), stringify({ collector: { url: fx.url }, unit: 'CHHVN', systems: ['hh-cong-ttdt'], role: 'server', stateDir: join(agentDir, 'state') }));
});

afterAll(async () => {
  await collector?.stop();
  await cleanupInfluxd(influx);
  await rm(agentDir, { recursive: true, force: true });
  await rm(fx.dir, { recursive: true, force: true });
});

describe('end to end: agent -> collector -> InfluxDB -> report', () => {
  it('enrolls, sends a real report of this machine, and it lands everywhere', async () => {
    const cfg = join(agentDir, 'agent.yaml');
    const enroll = await runNode(AGENT_BIN, ['-c', cfg, 'enroll', '--secret', TEST_UNITS[1]!.enrollmentSecret]);
    expect(enroll.stderr).toBe('');
    expect(enroll.code).toBe(0);
    expect(enroll.stdout).toMatch(/enrolled as agent a-[0-9a-f-]+ of unit CHHVN/);
    const credMode = (await stat(join(agentDir, 'state/credential.json'))).mode & 0o777;
    expect(credMode).toBe(0o600);

    const run = await runNode(AGENT_BIN, ['-c', cfg, 'run', '--once']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const reportId = /report ([0-9a-f-]{36}) accepted/.exec(run.stdout)?.[1];
    expect(reportId).toBeDefined();

    // The state store: the report API evaluates over it on request (fresh=1).
    const ev = (await (await fetch(`${fx.url}/api/v1/report?format=json&fresh=1&directive=2224-QD-BGTVT`, { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } })).json()) as {
      indicators: { id: string; ministry: { total: number }; units: { scope: string; total: number }[]; failing: { unit: string; name: string }[] }[];
    };
    const ep = ev.indicators.find((i) => i.id === 'endpoint_protection')!;
    expect(ep.ministry.total).toBe(1);
    expect(ep.units.find((u) => u.scope === 'CHHVN')!.total).toBe(1);
    expect(ep.units.find((u) => u.scope === 'TTCNTT')!.total).toBe(0);
    // The declared system is not in any registry: it counts as unclassified for CHHVN.
    const sc = ev.indicators.find((i) => i.id === 'systems_classified')!;
    expect(sc.failing).toEqual([expect.objectContaining({ name: 'hh-cong-ttdt', unit: 'CHHVN' })]);

    // InfluxDB: the host point, read back with InfluxQL.
    await waitFor('host point in InfluxDB', async () => {
      const r = await influx.query('posture_e2e', `SELECT * FROM host WHERE unit = 'CHHVN'`);
      return Boolean(r.results[0]?.series?.[0]?.values.length);
    });
    const r = await influx.query('posture_e2e', `SELECT "protected", "collect_ms", "agent_version", "hostname", "role" FROM host WHERE unit = 'CHHVN'`);
    const s = r.results[0]!.series![0]!;
    const row = Object.fromEntries(s.columns.map((c, i) => [c, s.values[0]![i]]));
    expect(row.role).toBe('server');
    expect(row.agent_version).toBe('0.1.0');
    expect(typeof row.protected).toBe('boolean');
    expect(row.collect_ms).toBeGreaterThan(0);

    // The appendix report CLI lists the unit with its host.
    const rep = await runNode(POSTURE_BIN, ['-c', fx.configFile, 'report', '--lang', 'en', '--directive', '2224-QD-BGTVT']);
    expect(rep.code).toBe(0);
    expect(rep.stdout).toMatch(/\| Cục Hàng hải Việt Nam \| (0|100)% \(\d\/1\) \| 90% \|/);
    expect(rep.stdout).toMatch(/\| 12 \| Endpoints with a protection solution installed \|/);
  });
});
