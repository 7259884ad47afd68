/** Small hand-made fleets for rule tests: hosts and registry records with only what matters set. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCollector } from '../collector/src/app.js';
import { validateConfig } from '../collector/src/config.js';
import type { Collector } from '../collector/src/context.js';
import type { SystemRecord } from '../collector/src/store/systems.js';
import { sampleReport } from './reports.js';
import type { HostInput } from '../collector/src/rules/members.js';
import type { ProtectionFacts } from '../collector/src/policy/protection.js';

/** A collector in this process on a store of its own (a temp dir), with units A and B; `close` closes it and removes the dir. */
export async function twoUnitCollector(prefix: string): Promise<{ c: Collector; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const units = [
    { id: 'A', name: 'Cục A' },
    { id: 'B', name: 'Cục B' },
  ];
  const c = openCollector(validateConfig({ dataDir: dir, units }, 'test'));
  return {
    c,
    close: async () => {
      c.db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The product facts a host reported at `receivedAt`: ClamAV with signatures `ageHours` old,
 * running and real-time on when `running`; no facts (probe failed) when `running` is null.
 */
export function clamavFacts(running: boolean | null, collectedAt: string, ageHours = 5): ProtectionFacts {
  const collectedMs = Date.parse(collectedAt);
  if (running === null) return { collectedMs, products: null, failure: 'PROBE_TIMEOUT', agentProtected: null, agentLimitHours: null };
  return {
    collectedMs,
    products: [
      { key: 'clamav', id: 'clamav', name: 'ClamAV', antiMalware: true, installed: true, running, realTime: running, signatureless: false, signatureMs: collectedMs - ageHours * 3_600_000, signatureAgeHours: ageHours, signatureUpToDate: null },
    ],
    failure: null,
    agentProtected: running,
    agentLimitHours: 168,
  };
}

let n = 0;
/** A host; its product facts follow `protected` (ClamAV running or not; null: probe failed) unless `protection` is given. */
export function host(unit: string, o: Partial<HostInput> = {}): HostInput {
  n++;
  const receivedAt = o.receivedAt ?? '2022-06-01T00:00:00.000Z';
  return {
    protection: clamavFacts(o.protected === undefined ? true : o.protected, receivedAt),
    agentId: `a-${unit}-${n}`,
    unit,
    hostname: o.hostname ?? `${unit.toLowerCase()}-h${n}`,
    role: 'workstation',
    os: 'linux',
    systems: [],
    protected: true,
    protectionReasons: ['ClamAV: protecting'],
    protectionReasonCodes: [],
    protectionError: null,
    products: ['clamav'],
    ipv6Readiness: 'none',
    ipv6Reasons: [],
    ipv6ReasonCodes: [],
    baseline: [],
    receivedAt: '2022-06-01T00:00:00.000Z',
    decommissionedAt: null,
    ...o,
  };
}

export function system(id: string, ownerUnit: string, o: Partial<SystemRecord> = {}): SystemRecord {
  return { id, name: `System ${id}`, ownerUnit, level: 2, approval: { number: `${id}/QĐ`, date: '2022-01-10' }, protectionPlan: { deployed: true }, tags: [], ...o };
}

/** Store `n` hosts of `unit` through the real ingest path, the first `protectedCount` protected. */
export function seedHosts(c: Collector, unit: string, n: number, protectedCount: number, receivedAt: Date, prefix = 'h'): void {
  const ins = c.db.prepare('INSERT OR IGNORE INTO agents (id, unit, credential_hash, hostname, machine_id, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)');
  for (let i = 0; i < n; i++) {
    const agentId = `a-${unit}-${prefix}${i}`;
    ins.run(agentId, unit, `hash-${agentId}`, agentId, '', receivedAt.toISOString());
    const report = sampleReport({ agentId, unit, hostname: `${unit.toLowerCase()}-${prefix}${i}`, protected: i < protectedCount, role: 'workstation', collectedAt: receivedAt });
    c.storeReport(report, unit, [], receivedAt);
  }
}
