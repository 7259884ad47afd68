/**
 * The members that indicators count: hosts (the latest state of each agent) and information
 * systems (the registry plus systems declared by agents but not in the registry). Each member
 * carries `cel`, the view that rule expressions read (see cel.ts for its fields).
 */
import type { Reason, ReasonParams } from '@posture/protocol';
import type { BaselineCheckInput, HostFacts, HostInput } from '../store/host-facts.js';
import { readsHostDetail } from './cel.js';
import type { Rule } from './format.js';
import type { SystemRecord } from '../store/systems.js';
import { DEFAULT_PROTECTION_POLICY, protectsAt, type ProtectionFacts, type ProtectionPolicy } from '../policy/protection.js';
import { HostCel, ProtectionView, ReasonRenderer, verdictWithAgent } from './host-view.js';
import { baselineSummary, shortfallTexts, systemBaseline, type SystemBaseline } from './baseline-level.js';
import { portalCel, type PortalFacts } from '../portals/facts.js';
import { because, reasonText, vnTime, type FailReason } from './reasons.js';
import { isoMs } from './iso-ms.js';
import type { Slicer } from './slicer.js';
import { runSteps, runStepsSliced, type Steps } from '../store/steps.js';

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
  /** The agent's codes for why the host is not IPv6 ready (shown in the portals' footnote). */
  ipv6ReasonCodes: Reason[];
  /** Why this host fails (stale, and the policy's verdict when not protected), as codes. */
  reasons: FailReason[];
  lastSeen: string;
  /** Baseline checks as reported (null: unknown). */
  baseline: HostInput['baseline'];
  /** The view rule expressions read as `host`. */
  cel: HostCel;
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
  /** Its hosts' baseline judged at its level (baseline-level.ts): what the report's footnotes name. */
  baseline: SystemBaseline;
  /** Why this system is not classified and protected, when it is not. */
  reasons: FailReason[];
  /** What blocks its portal's next IPv6 level, as the prober coded it (a rule's `reason:` names them by code). */
  portalBlocking: Reason[];
  /** Parameters of the portal codes that are not scalar `system.*` facts: portalLevel, portalAgeHours. */
  reasonParams: ReasonParams;
  /** The view rule expressions read as `system`. */
  cel: Record<string, unknown>;
}

/** Which host facts the store must load for these rules (store/host-facts.ts HostFacts). */
export function hostFactsFor(rules: readonly Rule[]): HostFacts {
  const sources = rules.filter((r) => r.population === 'hosts').flatMap((r) => [r.where?.source, r.pass.source, r.reason?.source].filter((x): x is string => x !== undefined));
  return readsHostDetail(sources) ? 'all' : 'serving-systems';
}

const UNKNOWN_PROTECTION: ProtectionFacts = { collectedMs: 0, products: null, failure: 'missing', agentProtected: null, agentLimitHours: null };
const NO_CODES: string[] = Object.freeze([]) as unknown as string[];
const NO_REASONS: FailReason[] = Object.freeze([]) as unknown as FailReason[];

/**
 * Views made once per facts object: the store hands hosts with equal facts one shared, frozen
 * object (store/host-facts.ts), and their views are then shared too (frozen: CEL only reads).
 */
class SharedViews {
  private readonly checks = new WeakMap<readonly BaselineCheckInput[], Record<string, string>>();
  private readonly codes = new WeakMap<readonly Reason[], string[]>();

  /** `host.baseline`: check id -> result. */
  baseline(checks: readonly BaselineCheckInput[] | null): Record<string, string> {
    if (!checks) return {};
    let b = this.checks.get(checks);
    if (!b) {
      b = {};
      for (const c of checks) b[c.id] = c.result;
      if (Object.isFrozen(checks)) this.checks.set(checks, Object.freeze(b));
    }
    return b;
  }

  /** The codes of reasons (`host.ipv6.reasonCodes`). */
  codesOf(reasons: readonly Reason[]): string[] {
    if (!reasons.length) return NO_CODES;
    let c = this.codes.get(reasons);
    if (!c) {
      c = reasons.map((r) => r.code);
      if (Object.isFrozen(reasons)) this.codes.set(reasons, Object.freeze(c) as string[]);
    }
    return c;
  }
}

/**
 * Members of the hosts population at `now`: stale or not, and protected or not under `policy`
 * (the ministry's, from the collector config), judged from the product facts at `now`.
 */
export function hostMembers(rows: Iterable<HostInput>, now: Date, staleAfterMinutes: number, policy: ProtectionPolicy = DEFAULT_PROTECTION_POLICY): HostMember[] {
  const members: HostMember[] = [];
  const member = hostMemberMaker(now, staleAfterMinutes, policy);
  for (const r of rows) if (!r.decommissionedAt) members.push(member(r));
  return members;
}

/** The same, yielding to the event loop whenever `slicer` says a slice's time is up (the scheduled evaluation). */
export async function hostMembersSliced(rows: Iterable<HostInput>, now: Date, staleAfterMinutes: number, policy: ProtectionPolicy, slicer: Slicer): Promise<HostMember[]> {
  const members: HostMember[] = [];
  const member = hostMemberMaker(now, staleAfterMinutes, policy);
  let i = 0;
  for (const r of rows) {
    if (!r.decommissionedAt) members.push(member(r));
    if (slicer.due(i++)) await slicer.pause();
  }
  return members;
}

/** Makes the member of one host in service, with the renderer and shared views of one evaluation. */
function hostMemberMaker(now: Date, staleAfterMinutes: number, policy: ProtectionPolicy): (r: HostInput) => HostMember {
  const nowMs = now.getTime();
  const renderer = new ReasonRenderer();
  const views = new SharedViews();
  return (r) => {
    const receivedMs = isoMs(r.receivedAt);
    const silentMs = nowMs - receivedMs;
    const stale = silentMs > staleAfterMinutes * 60_000;
    const facts = r.protection ?? UNKNOWN_PROTECTION;
    // The cheap answer for every host; the full verdict (reasons) only where it is read.
    const protectedNow = protectsAt(facts, nowMs, policy);
    const disagrees = r.protected !== null && r.protected !== protectedNow;
    const verdict = protectedNow ? null : verdictWithAgent(facts, r.protected, now, policy);
    const view = new ProtectionView(!stale && protectedNow, facts.products !== null, r.products, r.protected === true, facts, r.protected, now, policy, renderer, verdict);
    // Most hosts fail nothing: they share one frozen empty list (100,000 empty arrays are 3 MB per evaluation).
    const reasons: FailReason[] = stale || verdict ? [] : NO_REASONS;
    if (stale) reasons.push(because('HOST_STALE', { lastSeen: vnTime(r.receivedAt), hours: Math.floor(silentMs / 360_000) / 10 }));
    if (verdict) {
      // Facts unread: what the agent said (uncoded text) is the evidence beside the collector's code.
      const evidence = facts.products === null ? r.protectionReasons.join('; ') || undefined : undefined;
      reasons.push(...verdict.reasons.map((x, i) => (i === 0 && evidence ? { ...x, evidence } : x)));
    }
    return {
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
      ipv6ReasonCodes: r.ipv6ReasonCodes,
      reasons,
      lastSeen: r.receivedAt,
      baseline: r.baseline,
      cel: new HostCel(r.agentId, r.unit, r.hostname, r.role, r.os, stale, view, views.baseline(r.baseline), r.systems, silentMs, r.protection ? r.protection.collectedMs : receivedMs, r.ipv6Readiness, r.ipv6Reasons, views.codesOf(r.ipv6ReasonCodes)),
    };
  };
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
  return runSteps(systemMembering(registry, hosts, portals, now));
}

/** The same, yielding to the event loop whenever `slicer` says (the scheduled evaluation: 60 ms at 100,000 hosts in one go). */
export function systemMembersSliced(registry: readonly SystemRecord[], hosts: readonly HostMember[], portals: ReadonlyMap<string, PortalFacts>, now: Date, slicer: Slicer): Promise<SystemMember[]> {
  return runStepsSliced(systemMembering(registry, hosts, portals, now), slicer);
}

function* systemMembering(registry: readonly SystemRecord[], hosts: readonly HostMember[], portals: ReadonlyMap<string, PortalFacts>, now: Date): Steps<SystemMember[]> {
  const by = new Map<string, SystemHosts>();
  let n = 0;
  for (const h of hosts) {
    if ((++n & 1023) === 0) yield;
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
    // One line per system: the checks themselves are named in the report's baseline footnote.
    const summary = r.level ? baselineSummary(base) : null;
    if (summary) reasons.push(summary);
    const portal = portals.get(r.id);
    return {
      kind: 'system',
      ...r,
      hosts: h.hosts,
      baseline: base,
      reasons,
      portalBlocking: portal?.blocking ?? [],
      reasonParams: portal ? { portalLevel: portal.level, portalAgeHours: Math.floor((now.getTime() - portal.probedAt) / 3_600_000) } : {},
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
        baselineFailing: base.level === null ? ['security level not determined: required checks unknown'] : base.reason ? [reasonText(base.reason, 'en')] : shortfallTexts(base),
        portal: portalCel(portal, now),
      },
    };
  };
  const known = new Set(registry.map((r) => r.id));
  const members: SystemMember[] = [];
  for (const r of registry) {
    members.push(
      make({
        id: r.id,
        name: r.name,
        unit: r.ownerUnit,
        registered: true,
        level: r.level ?? null,
        approved: Boolean(r.approval),
        planDeployed: Boolean(r.protectionPlan?.deployed),
        planStatus: r.protectionPlan?.status ?? 'unspecified',
        tags: r.tags,
        proposedLevel: r.proposedLevel,
      }),
    );
    if ((++n & 15) === 0) yield;
  }
  for (const [id, e] of by) {
    if (known.has(id)) continue;
    members.push(make({ id, name: id, unit: e.unit, registered: false, level: null, approved: false, planDeployed: false, planStatus: 'none', tags: [] }));
    if ((++n & 15) === 0) yield;
  }
  return members;
}
