/**
 * The members that indicators count: hosts (the latest state of each agent) and information
 * systems (the registry plus systems declared by agents but not in the registry). Each member
 * carries `cel`, the view that rule expressions read (see cel.ts for its fields).
 */
import { IPV6_LEVELS, REASONS, renderReason, type Reason } from '@posture/protocol';
import type { HostFacts, HostInput } from '../store/host-facts.js';
import { readsHostDetail } from './cel.js';
import type { Rule } from './format.js';
import type { SystemRecord } from '../store/systems.js';
import { DEFAULT_PROTECTION_POLICY, protectsAt, type ProtectionFacts, type ProtectionPolicy } from '../policy/protection.js';
import { ProtectionView, ReasonRenderer, verdictWithAgent } from './host-view.js';
import { baselineSummary, shortfallTexts, systemBaseline, type SystemBaseline } from './baseline-level.js';
import { portalCel, type PortalFacts } from '../portals/facts.js';

export type { HostInput };

export interface HostMember {
  kind: 'host';
  id: string;
  unit: string;
  hostname: string;
  role: string;
  /** Silent longer than the stale window: fails every host rule. */
  stale: boolean;
  /** The collector's verdict under the ministry's protection policy at evaluation time (false when stale). */
  protected: boolean;
  /** The verdict in full (`protection.verdict`: per product, reasons as codes), computed on first read. */
  protection: ProtectionView;
  /** The agent's own verdict, when it differs from the collector's (shown beside it; null when they agree). */
  agentVerdict: { protected: boolean | null; limitHours: number | null; reasons: string[] } | null;
  systems: string[];
  ipv6Readiness: string | null;
  /** Why this host is not protected, when it is not. */
  reasons: string[];
  /** The same as codes (the stale reason and the policy's). */
  reasonCodes: Reason[];
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
  /** Its hosts' baseline judged at its level (baseline-level.ts): what the report's footnotes name. */
  baseline: SystemBaseline;
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

const UNKNOWN_PROTECTION: ProtectionFacts = { collectedMs: 0, products: null, failure: 'missing', agentProtected: null, agentLimitHours: null };

/**
 * Members of the hosts population at `now`: stale or not, and protected or not under `policy`
 * (the ministry's, from the collector config), judged from the product facts at `now`.
 */
export function hostMembers(rows: readonly HostInput[], now: Date, staleAfterMinutes: number, policy: ProtectionPolicy = DEFAULT_PROTECTION_POLICY): HostMember[] {
  const members: HostMember[] = [];
  const nowMs = now.getTime();
  const renderer = new ReasonRenderer();
  for (const r of rows) {
    if (r.decommissionedAt) continue;
    const silentMs = nowMs - Date.parse(r.receivedAt);
    const stale = silentMs > staleAfterMinutes * 60_000;
    const facts = r.protection ?? UNKNOWN_PROTECTION;
    // The cheap answer for every host; the full verdict (reasons) only where it is read.
    const protectedNow = protectsAt(facts, nowMs, policy);
    const disagrees = r.protected !== null && r.protected !== protectedNow;
    const verdict = protectedNow ? null : verdictWithAgent(facts, r.protected, now, policy);
    const view = new ProtectionView(!stale && protectedNow, facts.products !== null, r.products, r.protected === true, facts, r.protected, now, policy, renderer, verdict);
    const reasonCodes: Reason[] = [];
    const reasons: string[] = [];
    if (stale) {
      reasonCodes.push({ code: 'HOST_STALE', params: { lastSeen: r.receivedAt, hours: Math.floor(silentMs / 3_600_000) } });
      reasons.push(`stale: no report since ${r.receivedAt}`);
    }
    if (verdict) {
      reasonCodes.push(...verdict.reasons);
      reasons.push(...(facts.products === null ? view.reasons.map((x) => `unknown: ${x}`) : view.reasons));
    }
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
      protected: !stale && protectedNow,
      protection: view,
      agentVerdict: disagrees ? { protected: r.protected, limitHours: facts.agentLimitHours, reasons: r.protectionReasons } : null,
      systems: r.systems,
      ipv6Readiness: r.ipv6Readiness,
      reasons,
      reasonCodes,
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
        collectedAt: new Date(r.protection ? r.protection.collectedMs : Date.parse(r.receivedAt)),
        protection: view,
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

/** `portals`: the newest outside probe of each portal (system id -> facts), for `system.portal.*`. */
export function systemMembers(registry: readonly SystemRecord[], hosts: readonly HostMember[], portals: ReadonlyMap<string, PortalFacts> = new Map(), now = new Date()): SystemMember[] {
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
    // One line per system: the checks themselves are named in the report's baseline footnote.
    const summary = r.level ? baselineSummary(base) : null;
    if (summary) reasons.push(renderReason(summary, 'en', REASONS));
    return {
      kind: 'system',
      ...r,
      hosts: h.hosts,
      baseline: base,
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
        baselineFailing: base.level === null ? ['security level not determined: required checks unknown'] : base.reason ? [renderReason(base.reason, 'en', REASONS)] : shortfallTexts(base),
        portal: portalCel(portals.get(r.id), now),
      },
    };
  };
  const known = new Set(registry.map((r) => r.id));
  const members = registry.map((r) => make({ id: r.id, name: r.name, unit: r.ownerUnit, registered: true, level: r.level ?? null, approved: Boolean(r.approval), planDeployed: Boolean(r.protectionPlan?.deployed), tags: r.tags }));
  for (const [id, e] of by) {
    if (known.has(id)) continue;
    members.push(make({ id, name: id, unit: e.unit, registered: false, level: null, approved: false, planDeployed: false, tags: [] }));
  }
  return members;
}
