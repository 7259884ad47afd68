/**
 * How the evaluation's cache (host-inputs-cache.ts) keeps the rule inputs of every host in
 * service: a few columns indexed by rowid (no object, no map entry per host), what hosts share
 * in one frozen Profile, the product facts in a ProtectionPool.
 */
import type { Facts, HostInput, HostParts } from './host-facts.js';
import { ProtectionPool } from './protection-pool.js';

/** What hosts share, by reference: equal for all the hosts of one unit, role, systems, verdict and facts. */
interface Profile {
  unit: string;
  role: string;
  systems: string[];
  protected: boolean | null;
  protectionReasons: string[];
  facts: Facts;
  ipv6Readiness: string | null;
}

/**
 * Hosts in service by rowid (the order of a full read; a rowid never changes under the
 * upsert): a host's own values, its shared Profile, and where the ProtectionPool keeps its
 * product facts. A rowid not in service is a hole (agentId undefined).
 */
export class Columns {
  readonly agentId: (string | undefined)[];
  readonly hostname: string[];
  readonly receivedAt: string[];
  readonly profile: Profile[];
  /** ProtectionPool.put's number. */
  readonly protection: number[];
  readonly pool: ProtectionPool;
  /** Hosts in service. */
  size = 0;
  /** One past the largest rowid set. */
  end = 0;
  private readonly profiles = new Map<string, Profile>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;

  /** Sized for `rows` hosts (a full read knows how many): grown arrays would keep up to half again as much. */
  constructor(rows: number) {
    this.agentId = new Array<string | undefined>(rows);
    this.hostname = new Array<string>(rows);
    this.receivedAt = new Array<string>(rows);
    this.profile = new Array<Profile>(rows);
    this.protection = new Array<number>(rows);
    this.pool = new ProtectionPool(rows);
  }

  set(rowid: number, p: HostParts): void {
    if (this.agentId[rowid] === undefined) this.size++;
    else this.pool.release(this.protection[rowid]!);
    this.agentId[rowid] = p.agentId;
    this.hostname[rowid] = p.hostname;
    this.receivedAt[rowid] = p.receivedAt;
    this.profile[rowid] = this.profileOf(p);
    this.protection[rowid] = this.pool.put(p.protection);
    if (rowid >= this.end) this.end = rowid + 1;
  }

  /** Once most of the pool is facts replaced since: keep only those in use (each host reports about once per interval). */
  compactPool(): void {
    if (!this.pool.wasteful) return;
    const refs: (number | undefined)[] = this.agentId.map((id, rowid) => (id === undefined ? undefined : this.protection[rowid]));
    this.pool.compact(refs);
    refs.forEach((ref, rowid) => {
      if (ref !== undefined) this.protection[rowid] = ref;
    });
  }

  clear(rowid: number): void {
    if (this.agentId[rowid] === undefined) return;
    this.pool.release(this.protection[rowid]!);
    this.agentId[rowid] = undefined;
    this.size--;
  }

  /** The HostInput at `rowid` (key order of store/host-facts.ts inputOf). */
  input(rowid: number): HostInput {
    const p = this.profile[rowid]!;
    const f = p.facts;
    return {
      agentId: this.agentId[rowid]!,
      unit: p.unit,
      hostname: this.hostname[rowid]!,
      role: p.role,
      os: f.os,
      systems: p.systems,
      protected: p.protected,
      protectionReasons: p.protectionReasons,
      protectionReasonCodes: f.protectionCodes,
      protectionError: f.protectionError,
      products: f.products,
      protection: this.pool.get(this.protection[rowid]!),
      ipv6Readiness: p.ipv6Readiness,
      ipv6Reasons: f.ipv6Reasons,
      ipv6ReasonCodes: f.ipv6Codes,
      baseline: f.baseline,
      receivedAt: this.receivedAt[rowid]!,
      decommissionedAt: null,
    };
  }

  /** The one Profile of these shared values (the reader's parts are already one object per text: keyed by identity). */
  private profileOf(p: HostParts): Profile {
    const key = `${p.unit}\0${p.role}\0${this.id(p.systems)}\0${p.protected}\0${this.id(p.protectionReasons)}\0${this.id(p.facts)}\0${p.ipv6Readiness}`;
    let profile = this.profiles.get(key);
    if (!profile) {
      // Bounded as the reader's texts are: past 4096, start again (profiles handed out stay shared).
      if (this.profiles.size >= 4096) this.profiles.clear();
      profile = Object.freeze({ unit: p.unit, role: p.role, systems: p.systems, protected: p.protected, protectionReasons: p.protectionReasons, facts: p.facts, ipv6Readiness: p.ipv6Readiness });
      this.profiles.set(key, profile);
    }
    return profile;
  }

  private id(o: object): number {
    let id = this.ids.get(o);
    if (id === undefined) this.ids.set(o, (id = this.nextId++));
    return id;
  }
}
