/** Shared shape of a product detector and the per-product protected rule. */
import type { ProtectionProduct } from '@posture/protocol';
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
}

/** A detector returns null when the product is not on this host at all. */
export type ProductDetector = (ctx: ProductContext) => Promise<ProtectionProduct | null>;

/** Facts of one product before the verdict is computed. */
export type ProductFacts = Omit<ProtectionProduct, 'protects'>;
export type Unknowns = ProtectionProduct['unknown'];

export const ageHours = (then: Date, now: Date) => Math.max(0, Math.round(((now.getTime() - then.getTime()) / 3_600_000) * 10) / 10);

/** How one product meets the signature criterion, or why not (null: it does). */
function signatureProblem(p: ProductFacts, maxAgeHours: number, trustVendorUpToDate: boolean): string | null {
  if (p.signatureless) return null;
  if (p.signatureAgeHours !== null) {
    return p.signatureAgeHours <= maxAgeHours ? null : `signatures ${p.signatureAgeHours} h old (limit ${maxAgeHours} h)`;
  }
  if (p.signatureUpToDate === true) return trustVendorUpToDate ? null : 'signature age unknown (vendor flag not trusted by config)';
  if (p.signatureUpToDate === false) return 'signatures out of date (vendor flag)';
  return 'signature age unknown';
}

/**
 * Whether one product protects the host: an anti-malware product, installed, running, real-time
 * on, signatures known and younger than the limit (or no signatures by design). Unknown is never
 * protecting.
 */
export function protects(p: ProductFacts, maxAgeHours: number, trustVendorUpToDate = true): boolean {
  return (
    p.antiMalware &&
    p.installed &&
    p.running === true &&
    p.realTime === true &&
    signatureProblem(p, maxAgeHours, trustVendorUpToDate) === null
  );
}

/** Why a product does or does not protect, in one line for the report. */
export function reasonFor(p: ProtectionProduct, maxAgeHours: number, trustVendorUpToDate = true): string {
  if (p.protects) {
    const sig = p.signatureless
      ? 'no signature database by design'
      : p.signatureAgeHours !== null
        ? `signatures ${p.signatureAgeHours} h old`
        : 'signatures up to date by the vendor flag (age unknown)';
    return `${p.name}: protecting (running, real-time on, ${sig})`;
  }
  const why: string[] = [];
  if (!p.antiMalware) why.push('not an anti-malware product');
  if (!p.installed) why.push('not installed');
  if (p.running === false) why.push('not running');
  if (p.running === null) why.push('running state unknown');
  if (p.realTime === false) why.push('real-time protection off');
  if (p.realTime === null) why.push('real-time protection unknown');
  const sig = signatureProblem(p, maxAgeHours, trustVendorUpToDate);
  if (sig) why.push(sig);
  return `${p.name}: not protecting (${why.join(', ')})`;
}

export const product = (p: ProductFacts, ctx: Pick<ProductContext, 'maxAgeHours' | 'trustVendorUpToDate'>): ProtectionProduct => ({
  ...p,
  protects: protects(p, ctx.maxAgeHours, ctx.trustVendorUpToDate),
});

/** Keep the first 16 unknowns and 32 evidence lines (the schema bounds) and cap their length. */
export function bounded(p: ProtectionProduct): ProtectionProduct {
  return {
    ...p,
    evidence: p.evidence.slice(0, 32).map((e) => e.slice(0, 512)),
    unknown: p.unknown.slice(0, 16).map((u) => ({ field: u.field.slice(0, 64), reason: u.reason.slice(0, 512) })),
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
