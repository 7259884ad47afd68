/**
 * The ministry's protection policy, applied at the collector to the product facts agents
 * report, at evaluation time. An agent's own verdict depends on its config (its signature age
 * limit, whether it trusts vendor flags) and on what it chooses to send; it stays a local
 * diagnostic, shown beside this verdict where they differ. Pure: no I/O, no clock of its own.
 *
 * A product protects the host when, under the policy:
 *   - it is a protection product: the agent classes it as anti-malware/EDR AND its id is not in
 *     `neverProtects` (a Wazuh or OSSEC agent collects logs; it never protects, whatever the
 *     agent says);
 *   - it is installed, running and its real-time protection is on (unknown is not on);
 *   - its signatures are younger than `maxSignatureAgeHours` AT EVALUATION TIME: the age is
 *     the evaluation time minus the signature date (or the age at collection plus the time
 *     since), so a silent host's signatures keep ageing; products in `signaturelessProducts`
 *     (behavioural/cloud EDR without a local database) are exempt, and only those: an agent
 *     cannot exempt a product by calling it signatureless; a vendor "up to date" flag without a
 *     date counts only with `acceptVendorUpToDateFlag`, and only while the report is younger
 *     than the age limit (the flag says nothing of the time since).
 * The host is protected when at least one product protects it. No product, a failed probe or a
 * report without protection facts is not protected (the last two as unknown).
 */
import type { ProtectionProduct, Reason, Report } from '@posture/protocol';
import { reason } from '@posture/protocol';

export interface ProtectionPolicy {
  /** Signatures older than this at evaluation time do not protect. */
  readonly maxSignatureAgeHours: number;
  /** Accept the vendor's "up to date" flag (Windows Security Center) when no date is known. */
  readonly acceptVendorUpToDateFlag: boolean;
  /** Product ids without a local signature database, exempt from the age limit (EDR). */
  readonly signaturelessProducts: readonly string[];
  /** Product ids that never count as protection (log/integrity agents). */
  readonly neverProtects: readonly string[];
}

export const DEFAULT_PROTECTION_POLICY: ProtectionPolicy = Object.freeze({
  maxSignatureAgeHours: 168,
  acceptVendorUpToDateFlag: true,
  signaturelessProducts: Object.freeze(['falcon', 'sentinelone']),
  neverProtects: Object.freeze(['wazuh', 'ossec']),
});

/** One product's facts as the store keeps them: timestamps parsed once, at ingest, to epoch ms. */
export interface ProductFact {
  /** Stable distinguishing key on the host: the id, then `id#2`, `id#3` for repeats, in report order. */
  key: string;
  id: string;
  name: string;
  antiMalware: boolean;
  installed: boolean;
  running: boolean | null;
  realTime: boolean | null;
  /** What the agent claims; the policy honours it only for `signaturelessProducts`. */
  signatureless: boolean;
  /** The signature date, epoch ms. */
  signatureMs: number | null;
  /** The signature age the agent computed at collection, hours. */
  signatureAgeHours: number | null;
  signatureUpToDate: boolean | null;
}

/** What a host's latest report says about protection, ready for judging at any time. */
export interface ProtectionFacts {
  /** The report's collection instant, epoch ms. */
  collectedMs: number;
  /** null when the probe failed or did not run. */
  products: ProductFact[] | null;
  /** The probe's error code, 'missing' when it did not run, null when it answered. */
  failure: string | null;
  /** The agent's own verdict and the limit its config used (diagnostic). */
  agentProtected: boolean | null;
  agentLimitHours: number | null;
}

/** Distinguishing keys for products that share an id on one host (two Sophos registrations). */
export function productKeys(ids: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return ids.map((id) => {
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    return n === 1 ? id : `${id}#${n}`;
  });
}

const toFact = (p: ProtectionProduct, key: string): ProductFact => {
  const ms = p.signatureDate ? Date.parse(p.signatureDate) : NaN;
  return {
    key,
    id: p.id,
    name: p.name,
    antiMalware: p.antiMalware,
    installed: p.installed,
    running: p.running,
    realTime: p.realTime,
    signatureless: p.signatureless === true,
    signatureMs: Number.isFinite(ms) ? ms : null,
    signatureAgeHours: p.signatureAgeHours,
    signatureUpToDate: p.signatureUpToDate ?? null,
  };
};

/** Extract the protection facts of a validated report (at ingest, or once when migrating a store). */
export function protectionFactsOf(report: Report, collectedMs: number): ProtectionFacts {
  const probe = report.probes.protection;
  if (!probe) return { collectedMs, products: null, failure: 'missing', agentProtected: null, agentLimitHours: null };
  if (!probe.ok) return { collectedMs, products: null, failure: probe.error.code, agentProtected: null, agentLimitHours: null };
  const keys = productKeys(probe.facts.products.map((p) => p.id));
  return {
    collectedMs,
    products: probe.facts.products.map((p, i) => toFact(p, keys[i]!)),
    failure: null,
    agentProtected: probe.facts.protected,
    agentLimitHours: probe.facts.maxSignatureAgeHours,
  };
}

export interface ProductVerdict {
  key: string;
  protects: boolean;
  /** Signature age at evaluation time, hours (null: unknown or signatureless). */
  signatureAgeHours: number | null;
  reasons: Reason[];
}

export interface ProtectionVerdict {
  /** null when the protection facts are unknown (probe failed or missing). */
  known: boolean;
  protected: boolean;
  products: ProductVerdict[];
  /** Why the host is (or is not) protected. */
  reasons: Reason[];
  /** Youngest signatures among products with an age, at evaluation time. */
  minSignatureAgeHours: number | null;
}

const HOUR = 3_600_000;
const round1 = (h: number) => Math.round(h * 10) / 10;

/**
 * Signature age at `nowMs`, hours: from the date when known, else the collected age plus the
 * time since. A date later than the report's collection (a host clock that ran ahead when the
 * signatures were stamped) counts from the collection: no date can make signatures younger
 * than the report.
 */
export function signatureAgeAt(p: ProductFact, collectedMs: number, nowMs: number): number | null {
  if (p.signatureMs !== null) return Math.max(0, (nowMs - Math.min(p.signatureMs, collectedMs)) / HOUR);
  if (p.signatureAgeHours !== null) return p.signatureAgeHours + Math.max(0, (nowMs - collectedMs) / HOUR);
  return null;
}

export function judgeProduct(p: ProductFact, collectedMs: number, nowMs: number, policy: ProtectionPolicy): ProductVerdict {
  const product = p.name || p.id;
  const why: Reason[] = [];
  const exempt = policy.signaturelessProducts.includes(p.id);
  const age = exempt ? null : signatureAgeAt(p, collectedMs, nowMs);
  if (!p.antiMalware || policy.neverProtects.includes(p.id)) why.push(reason('POLICY_NOT_PROTECTION', { product }));
  if (!p.installed) why.push(reason('POLICY_NOT_INSTALLED', { product }));
  if (p.running === false) why.push(reason('POLICY_NOT_RUNNING', { product }));
  if (p.running === null) why.push(reason('POLICY_RUNNING_UNKNOWN', { product }));
  if (p.realTime === false) why.push(reason('POLICY_REALTIME_OFF', { product }));
  if (p.realTime === null) why.push(reason('POLICY_REALTIME_UNKNOWN', { product }));
  if (!exempt) {
    const limitHours = policy.maxSignatureAgeHours;
    if (age !== null) {
      if (age > limitHours) why.push(reason('POLICY_SIGNATURES_OLD', { product, ageHours: round1(age), limitHours }));
    } else if (p.signatureUpToDate === true) {
      const sinceHours = Math.max(0, (nowMs - collectedMs) / HOUR);
      if (!policy.acceptVendorUpToDateFlag) why.push(reason('POLICY_VENDOR_FLAG_NOT_ACCEPTED', { product }));
      else if (sinceHours > limitHours) why.push(reason('POLICY_VENDOR_FLAG_EXPIRED', { product, hours: round1(sinceHours), limitHours }));
    } else if (p.signatureUpToDate === false) why.push(reason('POLICY_VENDOR_FLAG_OUT_OF_DATE', { product }));
    else why.push(reason('POLICY_SIGNATURE_AGE_UNKNOWN', { product }));
  }
  const protects = why.length === 0;
  return { key: p.key, protects, signatureAgeHours: age === null ? null : round1(age), reasons: protects ? [reason('POLICY_PROTECTING', { product })] : why };
}

/** The host's verdict under `policy` at `now`. */
export function judgeProtection(f: ProtectionFacts, now: Date, policy: ProtectionPolicy): ProtectionVerdict {
  if (f.products === null) {
    const why = f.failure === 'missing' || f.failure === null ? reason('POLICY_PROBE_MISSING') : reason('POLICY_PROBE_FAILED', { code: f.failure });
    return { known: false, protected: false, products: [], reasons: [why], minSignatureAgeHours: null };
  }
  if (!f.products.length) return { known: true, protected: false, products: [], reasons: [reason('POLICY_NO_PRODUCT')], minSignatureAgeHours: null };
  const nowMs = now.getTime();
  const products = f.products.map((p) => judgeProduct(p, f.collectedMs, nowMs, policy));
  let min: number | null = null;
  for (const v of products) if (v.signatureAgeHours !== null && (min === null || v.signatureAgeHours < min)) min = v.signatureAgeHours;
  return { known: true, protected: products.some((v) => v.protects), products, reasons: products.flatMap((v) => v.reasons), minSignatureAgeHours: min };
}

/**
 * Whether the host is protected under `policy` at `nowMs`: the same answer as
 * judgeProtection(...).protected, without building the verdict (no allocation). Evaluation asks
 * this of every host; the full verdict is built only where it is read (failing hosts, the API).
 */
export function protectsAt(f: ProtectionFacts, nowMs: number, policy: ProtectionPolicy): boolean {
  const ps = f.products;
  if (ps === null) return false;
  const limitMs = policy.maxSignatureAgeHours * HOUR;
  const sinceMs = Math.max(0, nowMs - f.collectedMs);
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    if (!p.antiMalware || !p.installed || p.running !== true || p.realTime !== true || policy.neverProtects.includes(p.id)) continue;
    if (policy.signaturelessProducts.includes(p.id)) return true;
    if (p.signatureMs !== null) {
      if (Math.max(0, nowMs - Math.min(p.signatureMs, f.collectedMs)) <= limitMs) return true;
    } else if (p.signatureAgeHours !== null) {
      if (p.signatureAgeHours * HOUR + sinceMs <= limitMs) return true;
    } else if (p.signatureUpToDate === true && policy.acceptVendorUpToDateFlag && sinceMs <= limitMs) return true;
  }
  return false;
}

/** The policy in force, as one reason (the report's footnote renders it in the reader's language). */
export const policyReason = (p: ProtectionPolicy): Reason =>
  reason('POLICY_IN_FORCE', {
    days: round1(p.maxSignatureAgeHours / 24),
    hours: p.maxSignatureAgeHours,
    vendorFlag: p.acceptVendorUpToDateFlag,
    signatureless: p.signaturelessProducts.join(', ') || '-',
    never: p.neverProtects.join(', ') || '-',
  });
