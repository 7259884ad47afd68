/** One collection cycle: a probe that hangs or throws is reported, the rest of the report goes. */
import { describe, expect, it } from 'vitest';
import { collectReport } from './collect.js';
import { validateConfig } from './config.js';
import type { Probe } from './probe.js';
import { LocalSystem } from './system.js';
import { membershipProbe } from './probes/membership/index.js';

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
