/**
 * Readiness levels of a portal as the public sees it over IPv6, like the host readiness of the
 * agent's IPv6 probe: each level needs every criterion of the levels below it.
 *
 *   none       the web names have no AAAA record (an IPv6-only citizen cannot even find it)
 *   address    AAAA published for every name (web_aaaa)
 *   reachable  + the URL's port answers on every IPv6 address and the HTTP status is < 400
 *              (web_reachable, http_status)
 *   web        + the same ports as over IPv4, the same page, a valid certificate over IPv6
 *              (web_ports, web_same_content, tls): IPv6 For Gov's "IPv6-enabled site"
 *   ready      + at least 2 name servers with AAAA answering over IPv6, every MX with AAAA
 *              and greeting on port 25 over IPv6 (ns_aaaa, ns_reachable, mail_aaaa,
 *              mail_reachable): Internet.nl's full IPv6 criteria
 *
 * "unknown" when nothing could be measured (no route, resolver silent). A criterion that could
 * not be measured ("unreachable") is never a pass: it blocks its level, with its reason.
 */
import type { Reason } from '@posture/protocol';
import { PORTAL_LEVELS, type CheckResult, type Criterion, type PortalLevel } from './types.js';

/** The criteria each level adds (index = level; level 0 "none" needs nothing). */
export const LEVEL_CRITERIA: readonly (readonly Criterion[])[] = [[], ['web_aaaa'], ['web_reachable', 'http_status'], ['web_ports', 'web_same_content', 'tls'], ['ns_aaaa', 'ns_reachable', 'mail_aaaa', 'mail_reachable']];

const passes = (c: CheckResult | undefined) => c !== undefined && (c.status === 'pass' || c.status === 'n/a');

export function readiness(checks: readonly CheckResult[]): { level: PortalLevel; ready: boolean; blocking: Reason[] } {
  const by = new Map(checks.map((c) => [c.criterion, c]));
  if (checks.length && checks.every((c) => c.status === 'unreachable')) {
    return { level: 'unknown', ready: false, blocking: dedupe(checks.flatMap((c) => c.reasons)) };
  }
  let level = 0;
  for (let next = 1; next < PORTAL_LEVELS.length; next++) {
    const needed = LEVEL_CRITERIA[next]!;
    if (!needed.every((k) => passes(by.get(k)))) {
      const blocking = dedupe(needed.flatMap((k) => (passes(by.get(k)) ? [] : (by.get(k)?.reasons ?? []))));
      // web_aaaa itself unmeasured: the level is not known, not "none".
      if (next === 1 && by.get('web_aaaa')?.status === 'unreachable') return { level: 'unknown', ready: false, blocking };
      return { level: PORTAL_LEVELS[level]!, ready: false, blocking };
    }
    level = next;
  }
  return { level: 'ready', ready: true, blocking: [] };
}

function dedupe(reasons: Reason[]): Reason[] {
  const seen = new Set<string>();
  return reasons.filter((r) => {
    const k = JSON.stringify(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
