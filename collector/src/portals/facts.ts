/**
 * What rules see of a portal's outside view: `system.portal.*` in CEL (declared in
 * rules/cel.ts). Built from the newest stored probe result of each portal.
 */
import { REASONS, renderReason, type Reason } from '@posture/protocol';
import { PORTAL_LEVELS, type CheckStatus, type Criterion, type PortalLevel, type PortalResult } from './types.js';

/** The part of a probe result that rules and the report read. */
export interface PortalFacts {
  probedAt: number;
  level: PortalLevel;
  ready: boolean;
  checks: Partial<Record<Criterion, CheckStatus>>;
  blocking: Reason[];
}

export const factsOf = (r: PortalResult): PortalFacts => ({
  probedAt: r.probedAt,
  level: r.level,
  ready: r.ready,
  checks: Object.fromEntries(r.checks.map((c) => [c.criterion, c.status])),
  blocking: r.blocking,
});

/** The CEL value of `system.portal` (ints are BigInt). No probe yet: probed false, level "unknown". */
export function portalCel(f: PortalFacts | undefined, now: Date): Record<string, unknown> {
  if (!f) return { probed: false, level: 'unknown', levelNo: -1n, ready: false, ageMinutes: -1n, checks: {}, blocking: [], blockingCodes: [] };
  return {
    probed: true,
    level: f.level,
    levelNo: BigInt(f.level === 'unknown' ? -1 : PORTAL_LEVELS.indexOf(f.level)),
    ready: f.ready,
    ageMinutes: BigInt(Math.max(0, Math.floor((now.getTime() - f.probedAt) / 60_000))),
    checks: { ...f.checks },
    blocking: f.blocking.map((r) => renderReason(r, 'en', REASONS)),
    blockingCodes: [...new Set(f.blocking.map((r) => r.code))],
  };
}
