/**
 * The shapes of the portal prober: what it probes (a registry system tagged `portal`), what each
 * check returns, and the result of one portal. The criteria follow Internet.nl's open IPv6 test
 * (name servers, web, mail, same content) plus TLS over IPv6 and the HTTP status.
 */
import type { Reason } from '@posture/protocol';

/** Every criterion, in the order the report lists them. */
export const CRITERIA = ['ns_aaaa', 'ns_reachable', 'web_aaaa', 'web_reachable', 'web_ports', 'web_same_content', 'tls', 'http_status', 'mail_aaaa', 'mail_reachable'] as const;
export type Criterion = (typeof CRITERIA)[number];

/**
 * pass / fail: measured. unreachable: could not be measured (the prober has no route, the
 * resolver does not answer, the time ran out): never counted as pass. n/a: the criterion does
 * not apply (the domain has no MX, mail not checked by the registry's choice, no AAAA to test).
 */
export type CheckStatus = 'pass' | 'fail' | 'unreachable' | 'n/a';

/** Several measurements of one criterion: any fail fails; else any unreachable; all n/a is n/a. */
export function combine(statuses: readonly CheckStatus[]): CheckStatus {
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('unreachable')) return 'unreachable';
  if (statuses.length && statuses.every((s) => s === 'n/a')) return 'n/a';
  return 'pass';
}

export interface CheckResult {
  criterion: Criterion;
  status: CheckStatus;
  /** Why it is not a pass (empty on pass). */
  reasons: Reason[];
  /** What was seen: addresses, answers, timings (ms), similarity scores, certificates. */
  evidence: Record<string, unknown>;
  /** Wall time of the check, ms. */
  ms: number;
}

/** What the registry says about one portal. */
export interface PortalTarget {
  systemId: string;
  unit: string;
  name: string;
  /** The portal's URLs, e.g. https://www.example.gov.vn/ and https://example.gov.vn/. */
  urls: string[];
  /** The zone whose name servers and MX are checked. */
  domain: string;
  /** Check the domain's MX (default true). */
  mail: boolean;
}

/** Ordered levels: each needs the criteria of the ones below it. */
export const PORTAL_LEVELS = ['none', 'address', 'reachable', 'web', 'ready'] as const;
export type PortalLevel = (typeof PORTAL_LEVELS)[number] | 'unknown';

export interface PortalResult {
  systemId: string;
  unit: string;
  /** Instant the probe started, ms since the epoch. */
  probedAt: number;
  /** Wall time of the whole portal, ms. */
  ms: number;
  level: PortalLevel;
  /** Level "ready": web, name servers and mail all pass over IPv6 as the public sees them. */
  ready: boolean;
  /** What keeps the portal from the next level (empty when ready). */
  blocking: Reason[];
  checks: CheckResult[];
}

export interface ProbeOptions {
  /** Recursive resolvers to ask ("2001:db8::53", "192.0.2.53", "[2001:db8::53]:5353"); empty: the system's. */
  resolvers: string[];
  /** PEM bundle the certificate must chain to; undefined: Node's bundled Mozilla roots. */
  ca: string | undefined;
  /** Bound of one network operation (a DNS query, a connect, a page fetch), ms. */
  checkTimeoutMs: number;
  /** Bound of one whole portal, ms. */
  portalTimeoutMs: number;
  /** Least similarity of the IPv6 page to the IPv4 page (Internet.nl: within 10%). */
  minSimilarity: number;
  /** Largest page read for the comparison, bytes. */
  maxPageBytes: number;
  /** An IPv6 address the prober must have a route to (nothing is sent to it), else nothing is measured. */
  routeProbe6: string;
  /** Aborted when the portal's time is up: sockets still open are destroyed, nothing new starts. */
  signal?: AbortSignal;
}

export const DEFAULT_PROBE_OPTIONS: Omit<ProbeOptions, 'resolvers' | 'ca'> = {
  routeProbe6: '2001:4860:4860::8888',
  checkTimeoutMs: 5000,
  portalTimeoutMs: 30_000,
  minSimilarity: 0.9,
  maxPageBytes: 1 << 20,
};
