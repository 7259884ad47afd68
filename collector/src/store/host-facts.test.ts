/**
 * The facts rules read come from the stored report through the real ingest path: OS family,
 * product ids, IPv6 reasons and baseline checks (kept compact by the host_rule_facts
 * triggers), refreshed by a newer report, and null baseline when the probe failed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '@posture/protocol';
import { openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { seedHosts } from '../../../testing/fleet.js';
import { sampleReport } from '../../../testing/reports.js';
import { loadHostInputs } from './host-facts.js';
import { compile, isProblem, readsHostDetail } from '../rules/cel.js';

let dir: string;
let c: Collector;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-facts-'));
  c = openCollector(validateConfig({ dataDir: dir, units: [{ id: 'A', name: 'Cục A' }] }, 'test'));
});
afterAll(async () => {
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

/** Passes at level 2 (30 days), fails at 3: its title is kept although `result` is pass. */
const RETENTION = {
  id: 'logging.retention',
  title: { vi: 'Nhật ký lưu đủ', en: 'Logs kept' },
  level: 2,
  result: 'pass' as const,
  evidence: 'journald: 30 days',
  value: 30,
  byLevel: [
    { level: 2, result: 'pass' as const, threshold: 30 },
    { level: 3, result: 'fail' as const, threshold: 90 },
  ],
};

const withProbes = (r: Report, baselineOk: boolean): Report => ({
  ...r,
  probes: {
    ...r.probes,
    ipv6: {
      ok: true,
      durationMs: 1,
      facts: {
        enabled: true,
        disabledBy: null,
        addresses: [],
        defaultRoute: false,
        dns: { resolvers: [], ipv6ResolverReachable: null },
        services: [],
        listeners: [],
        outbound: null,
        readiness: 'address',
        reasons: ['no IPv6 default route'],
        unknown: [],
      },
    },
    baseline: baselineOk
      ? {
          ok: true,
          durationMs: 1,
          facts: {
            checks: [
              { id: 'firewall.active', title: { vi: 'Tường lửa', en: 'Firewall' }, level: 1, result: 'fail', evidence: 'nft list ruleset: empty', reasonCode: { code: 'BASELINE_FAIL_FIREWALL_ACTIVE', params: { check: 'firewall.active' } } },
              { id: 'time.synchronized', title: { vi: 'Đồng bộ', en: 'Synced' }, level: 2, result: 'unknown', evidence: 'timedatectl: exit 1', reasonCode: { code: 'BASELINE_NOT_READ', params: { what: 'time.synchronized' } } },
              { id: 'ssh.root_login', title: { vi: 'SSH root', en: 'SSH root' }, level: 1, result: 'pass', evidence: 'sshd -T: permitrootlogin no' },
              RETENTION,
            ],
          },
        }
      : { ok: false, durationMs: 1, error: { code: 'PROBE_TIMEOUT', message: 'baseline timed out after 10000 ms' } },
  },
});

describe('loadHostInputs', () => {
  it('reads the facts of the latest stored report, and follows a newer one', () => {
    seedHosts(c, 'A', 1, 1, new Date('2026-01-01T00:00:00Z'));
    const agentId = 'a-A-h0';
    const first = withProbes(sampleReport({ agentId, unit: 'A', collectedAt: new Date('2026-01-01T00:05:00Z') }), true);
    expect(c.storeReport(first, 'A', [], new Date('2026-01-01T00:05:00Z'))).toBe(true);
    expect(loadHostInputs(c.db)).toEqual([
      expect.objectContaining({
        agentId,
        os: 'linux',
        products: ['clamav'],
        ipv6Readiness: 'address',
        ipv6Reasons: ['no IPv6 default route'],
        baseline: [
          // A check that does not pass at every level gets its title; a passing one does not.
          // The agent's reason code comes through whatever the result; a check without one has none.
          { id: 'firewall.active', level: 1, result: 'fail', title: { vi: 'Tường lửa', en: 'Firewall' }, reasonCode: { code: 'BASELINE_FAIL_FIREWALL_ACTIVE', params: { check: 'firewall.active' } } },
          { id: 'time.synchronized', level: 2, result: 'unknown', title: { vi: 'Đồng bộ', en: 'Synced' }, reasonCode: { code: 'BASELINE_NOT_READ', params: { what: 'time.synchronized' } } },
          { id: 'ssh.root_login', level: 1, result: 'pass' },
          { id: 'logging.retention', level: 2, result: 'pass', value: 30, byLevel: RETENTION.byLevel, title: RETENTION.title },
        ],
        protectionReasonCodes: [{ code: 'PROTECTION_PRODUCT_PROTECTS', params: { product: 'ClamAV' } }],
        protectionError: null,
      }),
    ]);
    const second = withProbes(sampleReport({ agentId, unit: 'A', collectedAt: new Date('2026-01-01T00:10:00Z') }), false);
    expect(c.storeReport(second, 'A', [], new Date('2026-01-01T00:10:00Z'))).toBe(true);
    expect(loadHostInputs(c.db)[0]).toMatchObject({ baseline: null, receivedAt: '2026-01-01T00:10:00.000Z' });
    // A failed protection probe: why the host is unknown is its error code.
    const third = { ...sampleReport({ agentId, unit: 'A', collectedAt: new Date('2026-01-01T00:15:00Z') }) };
    third.probes = { ...third.probes, protection: { ok: false, durationMs: 1, error: { code: 'PROBE_TIMEOUT', message: 'protection timed out' } } };
    expect(c.storeReport(third, 'A', [], new Date('2026-01-01T00:15:00Z'))).toBe(true);
    expect(loadHostInputs(c.db)[0]).toMatchObject({ protected: null, protectionReasonCodes: [], protectionError: 'PROBE_TIMEOUT' });
  });
});

describe('loadHostInputs serving-systems', () => {
  it('loads baseline checks and IPv6 reasons only for hosts that serve a system, OS and product ids for all', () => {
    for (const [hostname, systems] of [
      ['a-A-ws', []],
      ['a-A-srv', ['cong-ttdt']],
    ] as const) {
      const { agentId } = c.agents.enroll('A', hostname, '');
      const r = withProbes(sampleReport({ agentId, hostname, unit: 'A', systems: [...systems], collectedAt: new Date('2026-01-02T00:00:00Z') }), true);
      expect(c.storeReport(r, 'A', [], new Date('2026-01-02T00:00:00Z'))).toBe(true);
    }
    const all = new Map(loadHostInputs(c.db).map((h) => [h.hostname, h]));
    const lean = new Map(loadHostInputs(c.db, undefined, 'serving-systems').map((h) => [h.hostname, h]));
    expect(lean.get('a-A-srv')).toEqual(all.get('a-A-srv'));
    expect(lean.get('a-A-ws')).toMatchObject({ os: all.get('a-A-ws')!.os, products: all.get('a-A-ws')!.products, protection: all.get('a-A-ws')!.protection, baseline: null, ipv6Reasons: [] });
    expect(all.get('a-A-ws')!.products.length).toBeGreaterThan(0);
    expect(all.get('a-A-ws')!.baseline).not.toBeNull();
    // A page of a host list gets everything, whatever is asked.
    const page = loadHostInputs(c.db, [all.get('a-A-ws')!.agentId], 'serving-systems');
    expect(page[0]!.baseline).toEqual(all.get('a-A-ws')!.baseline);
  });
});

describe('readsHostDetail', () => {
  it.each([
    ['host.baseline["ssh.root_login"] == "pass"', true],
    ['"clamav" in host.protection.products', true],
    ['host.os == "linux"', true],
    ['host.ipv6.reasons.size() == 0', true],
    ['host["baseline"].size() > 0', true],
    ['host.protection.protected', false],
    ['!host.protection.known ? ["unknown: " + host.protection.reasons.join("; ")] : host.protection.reasons', false],
    ['host.ipv6.readiness == "ready" && host.role in ["server"]', false],
  ])('%s -> %s', (source, reads) => {
    // Every case is a valid host expression: the scan is tried on what rules can really say.
    expect(compile('hosts', source, ['bool', 'list<string>'])).not.toSatisfy(isProblem);
    expect(readsHostDetail([source])).toBe(reads);
  });
});
