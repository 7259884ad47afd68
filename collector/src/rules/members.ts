/**
 * The members that indicators count: hosts (the latest state of each agent) and information
 * systems (the registry plus systems declared by agents but not in the registry). Each member
 * carries `cel`, the view that rule expressions read (see cel.ts for its fields).
 */
import { IPV6_LEVELS, type Reason } from '@posture/protocol';
import type { HostInput } from '../store/host-facts.js';
import type { SystemRecord } from '../store/systems.js';
import { because, vnTime, type FailReason } from './reasons.js';

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
  /** The agent's codes for why the host is not IPv6 ready (shown in the portals' footnote). */
  ipv6ReasonCodes: Reason[];
  /** Why this host is not protected, when it is not. */
  reasons: FailReason[];
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
  /** The level a submitted dossier proposes, before its approval (registry proposedLevel). */
  proposedLevel?: number | undefined;
  /** protectionPlan.status of the registry record, or unspecified. */
  planStatus: string;
  tags: string[];
  hosts: number;
  /** Why this system is not classified and protected, when it is not. */
  reasons: FailReason[];
  /** The view rule expressions read as `system`. */
  cel: Record<string, unknown>;
}

export function hostMembers(rows: readonly HostInput[], now: Date, staleAfterMinutes: number): HostMember[] {
  const members: HostMember[] = [];
  for (const r of rows) {
    if (r.decommissionedAt) continue;
    const silentMs = now.getTime() - Date.parse(r.receivedAt);
    const stale = silentMs > staleAfterMinutes * 60_000;
    const reasons: FailReason[] = [];
    if (stale) reasons.push(because('HOST_STALE', { lastSeen: vnTime(r.receivedAt), hours: Math.floor(silentMs / 360_000) / 10 }));
    if (r.protected === null) {
      const evidence = r.protectionReasons.join('; ');
      reasons.push(r.protectionError ? because('PROTECTION_PROBE_FAILED', { error: r.protectionError }, evidence) : because('PROTECTION_PROBE_NOT_RUN', undefined, evidence));
    } else if (!r.protected) reasons.push(...protectionReasons(r));
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
      ipv6ReasonCodes: r.ipv6ReasonCodes,
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

/**
 * Why a host is not protected: the agent's codes when it sent them, else one coded reason with
 * the agent's text as its evidence (older agents; text is never read for meaning).
 */
function protectionReasons(r: HostInput): FailReason[] {
  if (r.protectionReasonCodes.length) return r.protectionReasonCodes;
  return [because('PROTECTION_NOT_PROTECTED', undefined, r.protectionReasons.join('; ') || undefined)];
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
function systemBaseline(level: number | null, hosts: HostMember[]): { result: 'pass' | 'fail' | 'unknown'; failing: FailReason[]; failingText: string[] } {
  const reporting = hosts.filter((h) => !h.stale);
  if (!level) return { result: 'unknown', failing: [because('BASELINE_LEVEL_UNKNOWN')], failingText: ['security level not determined: required checks unknown'] };
  if (!reporting.length) return { result: 'unknown', failing: [because('BASELINE_NO_REPORTING_HOST', { level })], failingText: [`no reporting host: baseline checks of level ${level} cannot be verified`] };
  const failing: FailReason[] = [];
  const failingText: string[] = [];
  let unknown = false;
  let failed = false;
  for (const h of reporting) {
    if (h.baseline === null) {
      unknown = true;
      failing.push(because('BASELINE_FACTS_MISSING', { host: h.hostname }));
      failingText.push(`${h.hostname}: baseline facts missing (probe failed or not run)`);
      continue;
    }
    for (const c of h.baseline) {
      if (c.level > level || c.result === 'pass') continue;
      if (c.result === 'unknown') unknown = true;
      else failed = true;
      failing.push(because(c.result === 'fail' ? 'BASELINE_CHECK_FAILED' : 'BASELINE_CHECK_UNKNOWN', { host: h.hostname, check: c.id, checkLevel: c.level }));
      // The agent's own reason for that check, when it sent one (rendered by the same catalogue).
      if (c.reasonCode) failing.push(c.reasonCode);
      failingText.push(`${h.hostname}: ${c.id} (${c.result})`);
    }
  }
  return { result: failed ? 'fail' : unknown ? 'unknown' : 'pass', failing, failingText };
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
  const make = (r: { id: string; name: string; unit: string; registered: boolean; level: number | null; approved: boolean; planDeployed: boolean; planStatus: string; tags: string[]; proposedLevel?: number | undefined }): SystemMember => {
    const h = by.get(r.id) ?? none;
    const base = systemBaseline(r.level, h.members);
    const reasons: FailReason[] = [];
    if (!r.registered) reasons.push(because('SYSTEM_UNCLASSIFIED'));
    else {
      if (!r.level) reasons.push(because('SYSTEM_LEVEL_NOT_DETERMINED'));
      // A dossier proposing a level (registry proposedLevel) is submitted, awaiting approval.
      if (!r.approved) reasons.push(r.proposedLevel ? because('SYSTEM_LEVEL_PENDING_APPROVAL', { proposedLevel: r.proposedLevel }) : because('SYSTEM_LEVEL_NOT_APPROVED'));
      if (!r.planDeployed) reasons.push(because('SYSTEM_PLAN_NOT_DEPLOYED'));
    }
    if (r.level && base.result !== 'pass') reasons.push(...base.failing);
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
        planStatus: r.planStatus,
        tags: r.tags,
        hosts: BigInt(h.hosts),
        reportingHosts: BigInt(h.reporting),
        ipv6ReadyHosts: BigInt(h.ipv6Ready),
        baseline: base.result,
        baselineFailing: base.failingText,
      },
    };
  };
  const known = new Set(registry.map((r) => r.id));
  const members = registry.map((r) =>
    make({ id: r.id, name: r.name, unit: r.ownerUnit, registered: true, level: r.level ?? null, approved: Boolean(r.approval), planDeployed: Boolean(r.protectionPlan?.deployed), planStatus: r.protectionPlan?.status ?? 'unspecified', tags: r.tags, proposedLevel: r.proposedLevel }),
  );
  for (const [id, e] of by) {
    if (known.has(id)) continue;
    members.push(make({ id, name: id, unit: e.unit, registered: false, level: null, approved: false, planDeployed: false, planStatus: 'none', tags: [] }));
  }
  return members;
}
