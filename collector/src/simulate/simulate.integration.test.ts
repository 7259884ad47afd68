/**
 * Integration: the fleet simulator enrolls each virtual host and sends its reports through the
 * real API of a collector process; the collector's per-unit ratios must equal the ones
 * recomputed here from the same deterministic fleet.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTURE_BIN, runNode, startCollectorProcess, type CollectorProcess } from '../../../testing/collector.js';
import { freePort } from '../../../testing/ports.js';
import { loadConfig } from '../config.js';
import { buildFleet } from './fleet.js';
import { simulate } from './run.js';

let dir: string;
let proc: CollectorProcess;
let url: string;
let viewer: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-sim-'));
  const port = await freePort();
  const init = await runNode(POSTURE_BIN, ['simulate', 'init', '--dir', dir, '--port', String(port), '--units', '6']);
  expect(init.code).toBe(0);
  url = `http://127.0.0.1:${port}`;
  // The report API needs a viewer token: made the way an operator would.
  const token = await runNode(POSTURE_BIN, ['-c', join(dir, 'collector.yaml'), 'tokens', 'create', 'sim-test', '--role', 'viewer']);
  expect(token.code).toBe(0);
  viewer = token.stdout.trim().split('\n').pop()!;
  proc = await startCollectorProcess({ dir, configFile: join(dir, 'collector.yaml'), port, url });
});
afterAll(async () => {
  await proc?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('posture simulate', () => {
  it('sends one report per virtual host, all acknowledged, and the per-unit ratios match the fleet', async () => {
    const config = loadConfig(join(dir, 'collector.yaml'));
    const secrets = new Map(config.units.map((u) => [u.id, u.enrollmentSecret!]));
    const hosts = buildFleet({ hosts: 240, units: [...secrets.keys()], shares: { protected: 0.8, stale: 0.1, ipv6Ready: 0.3 }, seed: 7, systemsPerUnit: 4 });
    const stats = await simulate({ url, hosts, secrets, rate: 2000, durationSeconds: 30, reports: hosts.length });
    expect(stats.enrolled).toBe(240);
    expect(stats.accepted).toBe(240);
    expect(stats.errors).toEqual({});
    expect(new Set(stats.ackedIds).size).toBe(240);

    const ev = (await (await fetch(`${url}/api/v1/report?format=json&fresh=1&directive=2224-QD-BGTVT`, { headers: { authorization: `Bearer ${viewer}` } })).json()) as {
      indicators: { id: string; ministry: { pass: number; total: number }; units: { scope: string; pass: number; total: number }[] }[];
    };
    const ep = ev.indicators.find((i) => i.id === 'endpoint_protection')!;
    // Recompute independently: every host reported once just now, so none is stale yet.
    for (const unit of secrets.keys()) {
      const mine = hosts.filter((h) => h.unit === unit);
      const got = ep.units.find((u) => u.scope === unit)!;
      expect({ unit, pass: got.pass, total: got.total }).toEqual({ unit, pass: mine.filter((h) => h.protected).length, total: mine.length });
    }
    expect(ep.ministry).toMatchObject({ pass: hosts.filter((h) => h.protected).length, total: 240 });
  }, 90_000); // a real collector process and simulator: 24 s alone at load 11 on two cores
});
