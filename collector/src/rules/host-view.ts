/**
 * `host.protection` as rule expressions read it, and the collector's full verdict behind it.
 *
 * Evaluation builds one of these per host (100,000 per evaluation), so what only some
 * expressions or readers need (the rendered reasons, the product maps, the full verdict) is
 * computed on first read, by prototype getters: cel-js reads a field of a variable only when an
 * expression does. Prototype getters, not getters in object literals: V8 creates an object
 * literal with accessors about 6 times slower than a class instance.
 */
import { IPV6_LEVELS, REASONS, reason, renderReason, type Reason } from '@posture/protocol';
import { judgeProtection, type ProtectionFacts, type ProtectionPolicy, type ProtectionVerdict } from '../policy/protection.js';

/** Renders reasons in English, once per product for the common "protecting" line. */
export class ReasonRenderer {
  private readonly protecting = new Map<string, string>();

  en(r: Reason): string {
    if (r.code !== 'POLICY_PROTECTING') return renderReason(r, 'en', REASONS);
    const product = String(r.params?.product);
    let text = this.protecting.get(product);
    if (text === undefined) this.protecting.set(product, (text = renderReason(r, 'en', REASONS)));
    return text;
  }
}

/** The collector's verdict, with the agent's own beside it where they differ. */
export function verdictWithAgent(facts: ProtectionFacts, agentProtected: boolean | null, now: Date, policy: ProtectionPolicy): ProtectionVerdict {
  const v = judgeProtection(facts, now, policy);
  if (agentProtected !== null && agentProtected !== v.protected) {
    v.reasons.push(reason('POLICY_AGENT_DISAGREES', { agent: agentProtected, collector: v.protected, agentLimitHours: facts.agentLimitHours ?? 0 }));
  }
  return v;
}

export class ProtectionView {
  /** The collector's verdict, false when stale (what `pass` reads). */
  readonly 'protected': boolean;
  private verdictMemo: ProtectionVerdict | null;
  private reasonsMemo: string[] | null = null;

  constructor(
    isProtected: boolean,
    readonly known: boolean,
    /** Product ids, e.g. clamav, mdatp. */
    readonly products: string[],
    /** The agent's own verdict (diagnostic). */
    readonly agentProtected: boolean,
    private readonly facts: ProtectionFacts,
    private readonly agentVerdict: boolean | null,
    private readonly now: Date,
    private readonly policy: ProtectionPolicy,
    private readonly renderer: ReasonRenderer,
    /** Already computed (for failing hosts), or null to compute on first read. */
    verdict: ProtectionVerdict | null,
  ) {
    this.protected = isProtected;
    this.verdictMemo = verdict;
  }

  /** The full verdict: per product, reasons as codes. */
  get verdict(): ProtectionVerdict {
    return (this.verdictMemo ??= verdictWithAgent(this.facts, this.agentVerdict, this.now, this.policy));
  }

  /** The policy's reasons, in English. */
  get reasons(): string[] {
    return (this.reasonsMemo ??= this.verdict.reasons.map((r) => this.renderer.en(r)));
  }

  /** The policy's reasons as catalogue codes (what rules may branch on). */
  get reasonCodes(): string[] {
    return this.verdict.reasons.map((r) => r.code);
  }

  /** The product facts as maps for expressions; optional keys are absent when unknown. */
  get items(): Record<string, unknown>[] {
    const v = this.verdict;
    return (this.facts.products ?? []).map((p, i) => {
      const item: Record<string, unknown> = {
        key: p.key,
        id: p.id,
        name: p.name,
        antiMalware: p.antiMalware,
        installed: p.installed,
        running: p.running === true,
        realTime: p.realTime === true,
        signatureless: p.signatureless,
        protects: v.products[i]!.protects,
      };
      const age = v.products[i]!.signatureAgeHours;
      if (age !== null) item.signatureAgeHours = age;
      if (p.signatureMs !== null) item.signatureDate = new Date(p.signatureMs);
      if (p.signatureUpToDate !== null) item.signatureUpToDate = p.signatureUpToDate;
      return item;
    });
  }
}
// cel-js turns plain objects (constructor Object) into its typed view of `host.protection`;
// an instance of a class of ours would be passed through untyped.
Object.defineProperty(ProtectionView.prototype, 'constructor', { value: Object });

/** `host.ipv6` as rule expressions read it. */
export interface Ipv6View {
  readiness: string;
  level: bigint;
  reasons: string[];
  reasonCodes: string[];
}

/**
 * `host` as rule expressions read it (cel.ts HOST_SCHEMA). The fields that need an object of
 * their own (a BigInt, a Date, the IPv6 map) are made on each read, by prototype getters: the
 * shipped rules read none of them, and 100,000 hosts would otherwise allocate 400,000 objects
 * per evaluation that nobody reads.
 */
export class HostCel {
  constructor(
    readonly id: string,
    readonly unit: string,
    readonly hostname: string,
    readonly role: string,
    readonly os: string,
    readonly stale: boolean,
    readonly protection: ProtectionView,
    /** Check id -> result. */
    readonly baseline: Record<string, string>,
    readonly systems: string[],
    private readonly silentMs: number,
    private readonly collectedMs: number,
    private readonly ipv6Readiness: string | null,
    private readonly ipv6Reasons: string[],
    private readonly ipv6Codes: string[],
  ) {}

  /** Minutes since the last report was received (CEL int). */
  get silentMinutes(): bigint {
    return BigInt(Math.max(0, Math.floor(this.silentMs / 60_000)));
  }

  /** When the latest report was collected. */
  get collectedAt(): Date {
    return new Date(this.collectedMs);
  }

  get ipv6(): Ipv6View {
    const level = this.ipv6Readiness === null ? -1 : IPV6_LEVELS.indexOf(this.ipv6Readiness as (typeof IPV6_LEVELS)[number]);
    return { readiness: this.ipv6Readiness ?? 'unknown', level: BigInt(level), reasons: this.ipv6Reasons, reasonCodes: this.ipv6Codes };
  }
}
// As for ProtectionView: cel-js reads an instance whose constructor is Object as a map.
Object.defineProperty(HostCel.prototype, 'constructor', { value: Object });
