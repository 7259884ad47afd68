/** One collection cycle: a probe that hangs or throws is reported, the rest of the report goes; probes share the cycle's reads. */
import { describe, expect, it } from 'vitest';
import { collectReport } from './collect.js';
import { validateConfig } from './config.js';
import type { Probe } from './probe.js';
import { LocalSystem } from './system.js';
import { membershipProbe } from './probes/membership/index.js';
import { allProbes } from './probes/all.js';
import { FixtureSystem } from '../../testing/fixture-system.js';

describe('a cycle with a broken probe', () => {
  it('times out a hanging probe, records a throwing one, and still reports the others', async () => {
    const config = validateConfig({ unit: 'TTCNTT', role: 'server', probes: { timeoutMs: 150 } }, 'test');
    const hang: Probe<'host'> = { name: 'host', description: 'hangs', timeoutMs: 10_000, collect: () => new Promise(() => undefined) };
    const boom: Probe<'ipv6'> = { name: 'ipv6', description: 'throws', timeoutMs: 10_000, collect: async () => Promise.reject(new Error('cannot read /proc/net/if_inet6')) };
    const t = performance.now();
    const r = await collectReport({ system: new LocalSystem(), config, agentId: 'a-1', probes: [hang, boom, membershipProbe], health: { spoolDepth: 3, dropped: 2 } });
    expect(performance.now() - t).toBeLessThan(2000);
    expect(r.probes.host).toMatchObject({ ok: false, error: { code: 'PROBE_TIMEOUT', message: 'probe host did not finish within 150 ms' } });
    expect(r.probes.ipv6).toMatchObject({ ok: false, error: { code: 'PROBE_FAILED', message: 'cannot read /proc/net/if_inet6' } });
    expect(r.probes.membership).toMatchObject({ ok: true, facts: { unit: 'TTCNTT' } });
    expect(r.agent).toMatchObject({ spoolDepth: 3, dropped: 2 });
  });
});

describe('reads shared by the probes of a cycle', () => {
  /** A fixture machine that counts its walks of /proc. */
  class CountingSystem extends FixtureSystem {
    procWalks = 0;
    override readDir(path: string) {
      if (path === '/proc') this.procWalks++;
      return super.readDir(path);
    }
  }
  const fixture = { running: [{ comm: 'clamd' }, { comm: 'rsyslogd' }] };

  it('walks the process table once per cycle for protection and baseline, and afresh each cycle', async () => {
    const config = validateConfig({ unit: 'TTCNTT', role: 'server' }, 'test');
    const system = new CountingSystem(fixture);
    const r = await collectReport({ system, config, agentId: 'a-1', probes: allProbes });
    expect(system.procWalks).toBe(1);
    // Both probes saw the processes of that one walk.
    expect(r.probes.protection).toMatchObject({ ok: true, facts: { products: [expect.objectContaining({ id: 'clamav', evidence: expect.arrayContaining(['process clamd running (pid 1000)']) as unknown })] } });
    const logging = r.probes.baseline?.ok ? r.probes.baseline.facts.checks.find((c) => c.id === 'logging.system') : undefined;
    expect(logging).toMatchObject({ result: 'pass', evidence: expect.stringMatching(/rsyslogd/) as unknown });
    await collectReport({ system, config, agentId: 'a-1', probes: allProbes });
    expect(system.procWalks).toBe(2);
  });
});
