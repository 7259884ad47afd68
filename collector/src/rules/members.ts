/**
 * The members that indicators count: hosts (the latest state of each agent) and information
 * systems (the registry plus systems declared by agents but not in the registry). Each member
 * carries `cel`, the view that rule expressions read (see cel.ts for its fields).
 */
import { IPV6_LEVELS } from '@posture/protocol';
import type { HostFacts, HostInput } from '../store/host-facts.js';
import { readsHostDetail } from './cel.js';
import type { Rule } from './format.js';
import type { SystemRecord } from '../store/systems.js';

export type { HostInput };

export interface HostMember {
  kind: 'host';
  id: string;
  unit: string;
  hostname: string;
  role: string;
  /** Silent longer than the stale window: fails every host rule. */
  stale: boolean;
  protected: boolean;
  systems: string[];
  ipv6Readiness: string | null;
  /** Why this host is not protected, when it is not. */
  reasons: string[];
  lastSeen: string;
  /** Baseline checks as reported (null: unknown). */
  baseline: HostInput['baseline'];
  /** The view rule expressions read as `host`. */
  cel: Record<string, unknown>;
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
  /** Why this system is not classified and protected, when it is not. */
  reasons: string[];
  /** The view rule expressions read as `system`. */
  cel: Record<string, unknown>;
}

/** Which host facts the store must load for these rules (store/host-facts.ts HostFacts). */
export function hostFactsFor(rules: readonly Rule[]): HostFacts {
  const sources = rules.filter((r) => r.population === 'hosts').flatMap((r) => [r.where?.source, r.pass.source, r.reason?.source].filter((x): x is string => x !== undefined));
  return readsHostDetail(sources) ? 'all' : 'serving-systems';
}

export function hostMembers(rows: readonly HostInput[], now: Date, staleAfterMinutes: number): HostMember[] {
  const members: HostMember[] = [];
  for (const r of rows) {
    if (r.decommissionedAt) continue;
    const silentMs = now.getTime() - Date.parse(r.receivedAt);
    const stale = silentMs > staleAfterMinutes * 60_000;
    const reasons: string[] = [];
    if (stale) reasons.push(`stale: no report since ${r.receivedAt}`);
    if (r.protected === null) reasons.push(...r.protectionReasons.map((x) => `unknown: ${x}`));
    else if (!r.protected) reasons.push(...r.protectionReasons);
    const baseline: Record<string, string> = {};
    for (const c of r.baseline ?? []) baseline[c.id] = c.result;
    const level = r.ipv6Readiness === null ? -1 : IPV6_LEVELS.indexOf(r.ipv6Readiness as (typeof IPV6_LEVELS)[number]);
    members.push({
      kind: 'host',
      id: r.agentId,
      unit: r.unit,
      hostname: r.hostname,
      role: r.role,
      stale,
      protected: !stale && r.protected === true,
      systems: r.systems,
      ipv6Readiness: r.ipv6Readiness,
      reasons,
      lastSeen: r.receivedAt,
      baseline: r.baseline,
      cel: {
        id: r.agentId,
        unit: r.unit,
        hostname: r.hostname,
        role: r.role,
        os: r.os,
        stale,
        silentMinutes: BigInt(Math.max(0, Math.floor(silentMs / 60_000))),
        protection: { protected: !stale && r.protected === true, known: r.protected !== null, reasons: r.protectionReasons, products: r.products },
        ipv6: { readiness: r.ipv6Readiness ?? 'unknown', level: BigInt(level), reasons: r.ipv6Reasons },
        baseline,
        systems: r.systems,
      },
    });
  }
  return members;
}

interface SystemHosts {
  hosts: number;
  reporting: number;
  ipv6Ready: number;
  members: HostMember[];
  unit: string;
}

/**
 * Baseline of a system at its level: every reporting host must pass every check whose level is
 * at most the system's. A check reported as unknown, a host without baseline facts, or a system
 * with no reporting host is "unknown", which rules should count as failing.
 */
function systemBaseline(level: number | null, hosts: HostMember[]): { result: 'pass' | 'fail' | 'unknown'; failing: string[] } {
  const reporting = hosts.filter((h) => !h.stale);
  if (!level) return { result: 'unknown', failing: ['security level not determined: required checks unknown'] };
  if (!reporting.length) return { result: 'unknown', failing: [`no reporting host: baseline checks of level ${level} cannot be verified`] };
  const failing: string[] = [];
  let unknown = false;
  for (const h of reporting) {
    if (h.baseline === null) {
      unknown = true;
      failing.push(`${h.hostname}: baseline facts missing (probe failed or not run)`);
      continue;
    }
    for (const c of h.baseline) {
      if (c.level > level || c.result === 'pass') continue;
      if (c.result === 'unknown') unknown = true;
      failing.push(`${h.hostname}: ${c.id} (${c.result})`);
    }
  }
  const anyFail = failing.length > 0 && (!unknown || failing.some((f) => f.endsWith('(fail)')));
  return { result: anyFail ? 'fail' : unknown ? 'unknown' : 'pass', failing };
}

export function systemMembers(registry: readonly SystemRecord[], hosts: readonly HostMember[]): SystemMember[] {
  const by = new Map<string, SystemHosts>();
  for (const h of hosts) {
    for (const s of h.systems) {
      let e = by.get(s);
      if (!e) by.set(s, (e = { hosts: 0, reporting: 0, ipv6Ready: 0, members: [], unit: h.unit }));
      e.hosts++;
      if (!h.stale) e.reporting++;
      if (!h.stale && h.ipv6Readiness === 'ready') e.ipv6Ready++;
      e.members.push(h);
    }
  }
  const none: SystemHosts = { hosts: 0, reporting: 0, ipv6Ready: 0, members: [], unit: '' };
  const make = (r: { id: string; name: string; unit: string; registered: boolean; level: number | null; approved: boolean; planDeployed: boolean; tags: string[] }): SystemMember => {
    const h = by.get(r.id) ?? none;
    const base = systemBaseline(r.level, h.members);
    const reasons: string[] = [];
    if (!r.registered) reasons.push('declared by agents but not in the registry: unclassified');
    else {
      if (!r.level) reasons.push('security level not determined');
      if (!r.approved) reasons.push('no approval decision for the level');
      if (!r.planDeployed) reasons.push('protection plan of the level not deployed');
    }
    if (r.level && base.result !== 'pass') reasons.push(...base.failing.map((f) => `baseline ${base.result}: ${f}`));
    return {
      kind: 'system',
      ...r,
      hosts: h.hosts,
      reasons,
      cel: {
        id: r.id,
        name: r.name,
        unit: r.unit,
        registered: r.registered,
        level: BigInt(r.level ?? 0),
        approved: r.approved,
        planDeployed: r.planDeployed,
        tags: r.tags,
        hosts: BigInt(h.hosts),
        reportingHosts: BigInt(h.reporting),
        ipv6ReadyHosts: BigInt(h.ipv6Ready),
        baseline: base.result,
        baselineFailing: base.failing,
      },
    };
  };
  const known = new Set(registry.map((r) => r.id));
  const members = registry.map((r) =>
    make({ id: r.id, name: r.name, unit: r.ownerUnit, registered: true, level: r.level ?? null, approved: Boolean(r.approval), planDeployed: Boolean(r.protectionPlan?.deployed), tags: r.tags }),
  );
  for (const [id, e] of by) {
    if (known.has(id)) continue;
    members.push(make({ id, name: id, unit: e.unit, registered: false, level: null, approved: false, planDeployed: false, tags: [] }));
  }
  return members;
}
