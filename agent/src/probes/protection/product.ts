/** Shared shape of a product detector and the per-product protected rule. */
import type { ProtectionProduct } from '@posture/protocol';
import type { SystemReader } from '../../system.js';

export interface ProductContext {
  readonly system: SystemReader;
  /** Running process names (Linux: /proc/<pid>/comm). */
  readonly processes: ReadonlySet<string>;
  readonly now: Date;
  readonly maxAgeHours: number;
}

/** A detector returns null when the product is not on this host at all. */
export type ProductDetector = (ctx: ProductContext) => Promise<ProtectionProduct | null>;

export const ageHours = (then: Date, now: Date) => Math.max(0, Math.round(((now.getTime() - then.getTime()) / 3_600_000) * 10) / 10);

/**
 * Whether one product protects the host: installed, running, real-time on, signatures known and
 * younger than the limit. Unknown is never protecting.
 */
export function protects(p: Omit<ProtectionProduct, 'protects'>, maxAgeHours: number): boolean {
  return (
    p.antiMalware &&
    p.installed &&
    p.running === true &&
    p.realTime === true &&
    p.signatureAgeHours !== null &&
    p.signatureAgeHours <= maxAgeHours
  );
}

/** Why a product does or does not protect, in one line for the report. */
export function reasonFor(p: ProtectionProduct, maxAgeHours: number): string {
  if (p.protects) return `${p.name}: protecting (running, real-time on, signatures ${p.signatureAgeHours} h old)`;
  const why: string[] = [];
  if (!p.antiMalware) why.push('not an anti-malware product');
  if (!p.installed) why.push('not installed');
  if (p.running === false) why.push('not running');
  if (p.running === null) why.push('running state unknown');
  if (p.realTime === false) why.push('real-time protection off');
  if (p.realTime === null) why.push('real-time protection unknown');
  if (p.signatureAgeHours === null) why.push('signature age unknown');
  else if (p.signatureAgeHours > maxAgeHours) why.push(`signatures ${p.signatureAgeHours} h old (limit ${maxAgeHours} h)`);
  return `${p.name}: not protecting (${why.join(', ')})`;
}

export const product = (p: Omit<ProtectionProduct, 'protects'>, maxAgeHours: number): ProtectionProduct => ({
  ...p,
  protects: protects(p, maxAgeHours),
});
