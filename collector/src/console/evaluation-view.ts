/**
 * What the console keeps of one evaluation: the evaluation and the indexes its pages look
 * things up by, without the members' facts.
 */
import type { FailReason } from '../rules/reasons.js';
import type { Evaluation, Members } from '../rules/engine.js';
import type { FailingMember } from '../rules/evaluate.js';
import type { HostMember, SystemMember } from '../rules/members.js';
import type { Steps } from '../store/steps.js';

/**
 * What the pages show of a host counted by the evaluation. Kept instead of the host member
 * itself: members carry every fact rules read (the CEL view, baseline checks, product facts),
 * which for 100,000 hosts is hundreds of MB that no page reads.
 */
export type ConsoleHost = Pick<HostMember, 'id' | 'unit' | 'hostname' | 'stale' | 'protected' | 'lastSeen'>;

/** One evaluation and the indexes the pages look things up by. */
export interface EvaluationView {
  ev: Evaluation;
  /** The systems counted (registered or declared). */
  systems: SystemMember[];
  /** Hosts counted, by agent id. */
  hostById: Map<string, ConsoleHost>;
  /** Per unit, per indicator id: the members failing it. */
  failingByUnit: Map<string, Map<string, FailingMember[]>>;
  /** Per indicator id: member id -> its reasons, for the members failing it. */
  failingById: Map<string, Map<string, FailReason[]>>;
  /** Per unit: its hosts counted (all, stale). */
  hostCounts: Map<string, { total: number; stale: number }>;
  /** Per unit: its systems (registered or declared). */
  systemsByUnit: Map<string, SystemMember[]>;
  systemById: Map<string, SystemMember>;
  /** Per system id: the hosts that declare it. */
  hostsBySystem: Map<string, ConsoleHost[]>;
}

/**
 * The indexes of one evaluation, as steps (store/steps.ts): a few hundred members between two
 * yields, so that the scheduled evaluation's hand-over to the console runs in slices.
 */
export function* indexing(ev: Evaluation, members: Members): Steps<EvaluationView> {
  let done = 0;
  const hostById = new Map<string, ConsoleHost>();
  const failingByUnit = new Map<string, Map<string, FailingMember[]>>();
  const failingById = new Map<string, Map<string, FailReason[]>>();
  for (const ind of ev.indicators) {
    const ids = new Map<string, FailReason[]>();
    failingById.set(ind.id, ids);
    for (const f of ind.failing) {
      ids.set(f.id, f.reasons);
      let u = failingByUnit.get(f.unit);
      if (!u) failingByUnit.set(f.unit, (u = new Map<string, FailingMember[]>()));
      let list = u.get(ind.id);
      if (!list) u.set(ind.id, (list = []));
      list.push(f);
      if ((++done & 511) === 0) yield;
    }
  }
  const hostCounts = new Map<string, { total: number; stale: number }>();
  const hostsBySystem = new Map<string, ConsoleHost[]>();
  for (const m of members.hosts) {
    const h: ConsoleHost = { id: m.id, unit: m.unit, hostname: m.hostname, stale: m.stale, protected: m.protected, lastSeen: m.lastSeen };
    hostById.set(h.id, h);
    let n = hostCounts.get(h.unit);
    if (!n) hostCounts.set(h.unit, (n = { total: 0, stale: 0 }));
    n.total++;
    if (h.stale) n.stale++;
    for (const s of m.systems) {
      let list = hostsBySystem.get(s);
      if (!list) hostsBySystem.set(s, (list = []));
      list.push(h);
    }
    if ((++done & 511) === 0) yield;
  }
  const systemsByUnit = new Map<string, SystemMember[]>();
  for (const s of members.systems) {
    let list = systemsByUnit.get(s.unit);
    if (!list) systemsByUnit.set(s.unit, (list = []));
    list.push(s);
  }
  return { ev, systems: members.systems, hostById, failingByUnit, failingById, hostCounts, systemsByUnit, systemById: new Map(members.systems.map((s) => [s.id, s])), hostsBySystem };
}
