/** Small hand-made fleets for rule tests: hosts and registry records with only what matters set. */
import type { SystemRecord } from '../store/systems.js';
import type { HostInput } from './members.js';

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
