/**
 * The members that indicators count: hosts (from the latest state of each agent) and
 * information systems (the registry plus systems declared by agents but not in the registry).
 */
import type { HostRow } from '../store/hosts.js';
import type { SystemRecord } from '../store/systems.js';

export interface HostMember {
  kind: 'host';
  id: string;
  unit: string;
  hostname: string;
  role: string;
  /** Silent longer than the stale window: counts as not protected. */
  stale: boolean;
  protected: boolean;
  systems: string[];
  ipv6Readiness: string | null;
  /** Why this host fails, when it does. */
  reasons: string[];
  lastSeen: string;
}

export interface SystemMember {
  kind: 'system';
  id: string;
  name: string;
  unit: string;
  /** Known to the registry. */
  registered: boolean;
  level: number | null;
  approved: boolean;
  planDeployed: boolean;
  tags: string[];
  hosts: number;
  reasons: string[];
}

export function hostMembers(rows: HostRow[], now: Date, staleAfterMinutes: number): HostMember[] {
  const cutoff = now.getTime() - staleAfterMinutes * 60_000;
  return rows
    .filter((r) => !r.decommissioned_at)
    .map((r) => {
      const stale = Date.parse(r.received_at) < cutoff;
      const reasons: string[] = [];
      if (stale) reasons.push(`stale: no report since ${r.received_at}`);
      if (r.protected === null) reasons.push(...r.protection_reasons.map((x) => `unknown: ${x}`));
      else if (!r.protected) reasons.push(...r.protection_reasons);
      return {
        kind: 'host' as const,
        id: r.agent_id,
        unit: r.unit,
        hostname: r.hostname,
        role: r.role,
        stale,
        protected: !stale && r.protected === true,
        systems: r.systems,
        ipv6Readiness: r.ipv6_readiness,
        reasons,
        lastSeen: r.received_at,
      };
    });
}

export function systemMembers(registry: SystemRecord[], hosts: HostMember[]): SystemMember[] {
  const hostCount = new Map<string, number>();
  const declaredBy = new Map<string, string>();
  for (const h of hosts) {
    for (const s of h.systems) {
      hostCount.set(s, (hostCount.get(s) ?? 0) + 1);
      if (!declaredBy.has(s)) declaredBy.set(s, h.unit);
    }
  }
  const known = new Set(registry.map((r) => r.id));
  const members: SystemMember[] = registry.map((r) => {
    const reasons: string[] = [];
    if (!r.level) reasons.push('security level not determined');
    if (!r.approval) reasons.push('no approval decision for the level');
    if (!r.protectionPlan?.deployed) reasons.push('protection plan of the level not deployed');
    return {
      kind: 'system',
      id: r.id,
      name: r.name,
      unit: r.ownerUnit,
      registered: true,
      level: r.level ?? null,
      approved: Boolean(r.approval),
      planDeployed: Boolean(r.protectionPlan?.deployed),
      tags: r.tags,
      hosts: hostCount.get(r.id) ?? 0,
      reasons,
    };
  });
  for (const [id, unit] of declaredBy) {
    if (known.has(id)) continue;
    members.push({
      kind: 'system',
      id,
      name: id,
      unit,
      registered: false,
      level: null,
      approved: false,
      planDeployed: false,
      tags: [],
      hosts: hostCount.get(id) ?? 0,
      reasons: ['declared by agents but not in the registry: unclassified'],
    });
  }
  return members;
}
