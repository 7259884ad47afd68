/** Small hand-made fleets for rule tests: hosts and registry records with only what matters set. */
import type { Collector } from '../collector/src/context.js';
import type { SystemRecord } from '../collector/src/store/systems.js';
import { sampleReport } from './reports.js';
import type { HostInput } from '../collector/src/rules/members.js';

let n = 0;
export function host(unit: string, o: Partial<HostInput> = {}): HostInput {
  n++;
  return {
    agentId: `a-${unit}-${n}`,
    unit,
    hostname: o.hostname ?? `${unit.toLowerCase()}-h${n}`,
    role: 'workstation',
    os: 'linux',
    systems: [],
    protected: true,
    protectionReasons: ['ClamAV: protecting'],
    products: ['clamav'],
    ipv6Readiness: 'none',
    ipv6Reasons: [],
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
