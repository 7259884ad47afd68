/**
 * First use (real agent run): `posture-agent collect --once` on a machine with no config file
 * collects with the defaults and prints the report, so a sysadmin sees what the agent finds
 * before writing a config or enrolling. Nothing is sent and nothing is written. A config file
 * that exists but is broken is still refused (only a missing file means defaults).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '@posture/protocol';
import { AGENT_BIN, runNode } from '../../testing/collector.js';

let dir = '';
beforeAll(async () => {
  if (!existsSync(join(AGENT_BIN, '../../dist/cli.js'))) throw new Error('agent/dist missing: run `npx tsc -b protocol agent` first');
  dir = await mkdtemp(join(tmpdir(), 'posture-first-use-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('collect --once without a config file', () => {
  it('collects with the defaults, prints the report, says why, and writes nothing', async () => {
    const absent = join(dir, 'etc', 'agent.yaml');
    const stateBefore = existsSync('/var/lib/posture-agent');
    const r = await runNode(AGENT_BIN, ['-c', absent, 'collect', '--once', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`no config file at ${absent}: collecting with the defaults`);
    expect(r.stderr).toContain('nothing is sent');
    const report = JSON.parse(r.stdout) as Report;
    expect(report.agentId).toBe('not-enrolled');
    expect(report.probes.host).toMatchObject({ ok: true });
    expect(report.probes.protection).toMatchObject({ ok: true, facts: { maxSignatureAgeHours: 168 } });
    expect(report.probes.ipv6).toMatchObject({ ok: true });
    expect(report.probes.membership).toMatchObject({ ok: true, facts: { unit: 'not-configured' } });
    expect(await readdir(dir)).toEqual([]);
    expect(existsSync('/var/lib/posture-agent')).toBe(stateBefore);
  });

  it('the same through POSTURE_AGENT_CONFIG, in the human-readable summary', async () => {
    const r = await runNode(AGENT_BIN, ['collect', '--once'], { POSTURE_AGENT_CONFIG: join(dir, 'none.yaml') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/protection/);
  });

  it('a config file that exists but is broken is refused, naming the key', async () => {
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'unit: TTCNTT\nprotektion: {}\n');
    const r = await runNode(AGENT_BIN, ['-c', broken, 'collect', '--once']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown key "protektion"/);
  });
});
