/** Shared shape of a product detector and the per-product protected rule. */
import type { ProtectionProduct, Reason } from '@posture/protocol';
import { reason } from '@posture/protocol';
import type { CommandResult, SystemReader } from '../../system.js';
import type { ProcessTable } from '../common/processes.js';

/** What every detector gets: the reader, the running processes, the clock and the limits. */
export interface ProductContext {
  readonly system: SystemReader;
  /** Running processes (Linux: /proc/<pid>/comm and, on demand, cmdline). */
  readonly processes: ProcessTable;
  readonly now: Date;
  readonly maxAgeHours: number;
  /** Accept the vendor's "up to date" flag when no date is known (see config). */
  readonly trustVendorUpToDate: boolean;
  /** Timeout of each command a detector runs. */
  readonly commandTimeoutMs: number;
  /** Paths on-access scanning must cover for real-time protection to count. */
  readonly mustCover: readonly string[];
}

/**
 * A product as a detector found it: the wire facts, plus `causes` (why it does not protect,
 * beyond its fields, e.g. "the engine process exists but does not answer"). `causes` is for the
 * facts' reasonCodes and is dropped from the product itself.
 */
export type FoundProduct = ProtectionProduct & { causes?: Reason[] };

/** A detector returns null when the product is not on this host at all. */
export type ProductDetector = (ctx: ProductContext) => Promise<FoundProduct | null>;

/** Facts of one product before the verdict is computed. */
export type ProductFacts = Omit<ProtectionProduct, 'protects'> & { causes?: Reason[] };
export type Unknowns = ProtectionProduct['unknown'];

export const ageHours = (then: Date, now: Date) => Math.max(0, Math.round(((now.getTime() - then.getTime()) / 3_600_000) * 10) / 10);

/** How one product meets the signature criterion, or why not (null: it does). */
function signatureProblem(p: ProductFacts, maxAgeHours: number, trustVendorUpToDate: boolean): { text: string; code: Reason } | null {
  const product = p.name;
  if (p.signatureless) return null;
  if (p.signatureAgeHours !== null) {
    return p.signatureAgeHours <= maxAgeHours ? null : { text: `signatures ${p.signatureAgeHours} h old (limit ${maxAgeHours} h)`, code: reason('PROTECTION_SIGNATURES_OLD', { product, ageHours: p.signatureAgeHours, limitHours: maxAgeHours }) };
  }
  if (p.signatureUpToDate === true) return trustVendorUpToDate ? null : { text: 'signature age unknown (vendor flag not trusted by config)', code: reason('PROTECTION_VENDOR_FLAG_NOT_TRUSTED', { product }) };
  if (p.signatureUpToDate === false) return { text: 'signatures out of date (vendor flag)', code: reason('PROTECTION_SIGNATURES_OUT_OF_DATE', { product }) };
  return { text: 'signature age unknown', code: reason('PROTECTION_SIGNATURES_UNKNOWN', { product }) };
}

/**
 * Whether one product protects the host: an anti-malware product, installed, running, real-time
 * on, signatures known and younger than the limit (or no signatures by design). Unknown is never
 * protecting.
 */
export function protects(p: ProductFacts, maxAgeHours: number, trustVendorUpToDate = true): boolean {
  return p.antiMalware && p.installed && p.running === true && p.realTime === true && signatureProblem(p, maxAgeHours, trustVendorUpToDate) === null;
}

/** Why a product does or does not protect: one line for the report, and the same as codes. */
export function reasonFor(p: FoundProduct, maxAgeHours: number, trustVendorUpToDate = true): { text: string; codes: Reason[] } {
  const product = p.name;
  if (p.protects) {
    const sig = p.signatureless ? 'no signature database by design' : p.signatureAgeHours !== null ? `signatures ${p.signatureAgeHours} h old` : 'signatures up to date by the vendor flag (age unknown)';
    return { text: `${p.name}: protecting (running, real-time on, ${sig})`, codes: [reason('PROTECTION_PRODUCT_PROTECTS', { product })] };
  }
  const why: string[] = [];
  const codes: Reason[] = [];
  const add = (text: string, code: string) => {
    why.push(text);
    codes.push(reason(code, { product }));
  };
  if (!p.antiMalware) add('not an anti-malware product', 'PROTECTION_NOT_ANTIMALWARE');
  if (!p.installed) add('not installed', 'PROTECTION_NOT_INSTALLED');
  if (p.running === false) add('not running', 'PROTECTION_NOT_RUNNING');
  if (p.running === null) add('running state unknown', 'PROTECTION_RUNNING_UNKNOWN');
  if (p.realTime === false) add('real-time protection off', 'PROTECTION_REALTIME_OFF');
  if (p.realTime === null) add('real-time protection unknown', 'PROTECTION_REALTIME_UNKNOWN');
  const sig = signatureProblem(p, maxAgeHours, trustVendorUpToDate);
  if (sig) {
    why.push(sig.text);
    codes.push(sig.code);
  }
  return { text: `${p.name}: not protecting (${why.join(', ')})`, codes: [...codes, ...(p.causes ?? [])] };
}

export const product = (p: ProductFacts, ctx: Pick<ProductContext, 'maxAgeHours' | 'trustVendorUpToDate'>): FoundProduct => ({
  ...p,
  protects: protects(p, ctx.maxAgeHours, ctx.trustVendorUpToDate),
});

/** Bound a reason's string parameters to the schema's 512 characters. */
export const boundedReason = (r: Reason): Reason => (r.params ? { code: r.code, params: Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, typeof v === 'string' ? v.slice(0, 512) : v])) } : r);

/**
 * The wire product: the first 16 unknowns and 32 evidence lines (the schema bounds), lengths
 * capped, `causes` dropped, and every unknown with a reasonCode (PROTECTION_FIELD_UNKNOWN
 * naming the field where the detector gave no more precise code).
 */
export function bounded(p: FoundProduct): ProtectionProduct {
  const { causes: _causes, ...wire } = p;
  void _causes;
  return {
    ...wire,
    evidence: p.evidence.slice(0, 32).map((e) => e.slice(0, 512)),
    unknown: p.unknown.slice(0, 16).map((u) => ({
      field: u.field.slice(0, 64),
      reason: u.reason.slice(0, 512),
      reasonCode: boundedReason(u.reasonCode ?? reason('PROTECTION_FIELD_UNKNOWN', { product: p.name, field: u.field.slice(0, 64) })),
    })),
  };
}

/** Describe a failed command in a few words for `unknown` reasons. */
export function describeFailure(cmd: string, r: CommandResult): string {
  switch (r.kind) {
    case 'not-found':
      return `${cmd}: not found`;
    case 'timeout':
      return `${cmd}: no answer within ${r.afterMs} ms`;
    case 'failed':
      return `${cmd}: ${r.message.slice(0, 200)}`;
    case 'ok':
      return `${cmd}: exit ${r.code}${r.stderr.trim() ? ` (${r.stderr.trim().slice(0, 200)})` : ''}`;
  }
}
