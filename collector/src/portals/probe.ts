/**
 * Probe one portal: name servers, web (with TLS and HTTP status) and mail run side by side,
 * each with bounded operations, the whole portal bounded by portalTimeoutMs. Never throws:
 * whatever goes wrong becomes a check result with its reason.
 */
import { reason } from '@posture/protocol';
import { checkNameServers } from './dns.js';
import { checkMail } from './mail.js';
import { BoundedResolver, hasRoute6, isNoNetwork } from './net.js';
import { readiness } from './readiness.js';
import { CRITERIA, type CheckResult, type Criterion, type PortalResult, type PortalTarget, type ProbeOptions } from './types.js';
import { checkWeb } from './web.js';

const allAs = (status: CheckResult['status'], reasons: CheckResult['reasons'], evidence: Record<string, unknown>, only?: readonly Criterion[]): CheckResult[] => (only ?? CRITERIA).map((criterion) => ({ criterion, status, reasons, evidence, ms: 0 }));

/** The family's checks, or "unreachable: time limit" for each of them when the portal's time runs out. */
function bounded(family: readonly Criterion[], work: Promise<CheckResult[]>, deadline: Promise<number>): Promise<CheckResult[]> {
  return Promise.race([
    work.catch((e: unknown) => allAs('unreachable', [reason('PORTAL_UNREACHABLE', { detail: `internal error: ${(e as Error).message}` })], {}, family)),
    deadline.then((ms) => allAs('unreachable', [reason('PORTAL_TIMEOUT', { check: family.join(','), ms })], {}, family)),
  ]);
}

export async function probePortal(target: PortalTarget, opts: ProbeOptions, now = Date.now()): Promise<PortalResult> {
  const t0 = Date.now();
  const done = (checks: CheckResult[]): PortalResult => {
    const order = new Map(CRITERIA.map((c, i) => [c, i]));
    checks.sort((a, b) => order.get(a.criterion)! - order.get(b.criterion)!);
    return { systemId: target.systemId, unit: target.unit, probedAt: now, ms: Date.now() - t0, ...readiness(checks), checks };
  };
  let urls: URL[];
  try {
    urls = target.urls.map((u) => new URL(u));
  } catch {
    return done(allAs('fail', [reason('PORTAL_NOT_CONFIGURED')], { urls: target.urls }));
  }
  if (!urls.length) return done(allAs('fail', [reason('PORTAL_NOT_CONFIGURED')], {}));
  const resolver = new BoundedResolver(opts.resolvers, opts.checkTimeoutMs);

  // Can the prober see the Internet at all? A resolver that times out or refuses (no route)
  // means nothing below could be measured: one clear "unreachable", not ten failures.
  const pre = await resolver.lookup(target.domain, 'SOA');
  if (!pre.ok && isNoNetwork(pre.error)) {
    const detail = `resolver ${opts.resolvers.join(', ') || '(system)'}: ${pre.error ?? 'EUNKNOWN'} after ${Math.round(pre.ms)} ms`;
    return done(allAs('unreachable', [reason('PORTAL_UNREACHABLE', { detail })], { resolvers: opts.resolvers, soaLookup: { error: pre.error, ms: pre.ms } }));
  }

  // No IPv6 route from here: every criterion is about IPv6, so none can be measured; say so
  // once rather than blame the portal. The route is looked up towards a
  // configured address (portals.routeProbe6), by default a public resolver's.
  const route = await hasRoute6(opts.routeProbe6, opts.checkTimeoutMs);
  if (!route.ok) {
    const detail = `no IPv6 route from the prober (${route.error ?? 'EUNKNOWN'} towards ${opts.routeProbe6}): run it where the public's IPv6 reaches`;
    return done(allAs('unreachable', [reason('PORTAL_UNREACHABLE', { detail })], { route6: route }));
  }

  // At the deadline the families still running are answered "time limit" and their sockets
  // are destroyed (the signal), so nothing keeps running behind the result.
  const ac = new AbortController();
  const bound: ProbeOptions = { ...opts, signal: opts.signal ? AbortSignal.any([opts.signal, ac.signal]) : ac.signal };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<number>((resolve) => {
    timer = setTimeout(
      () => {
        resolve(Date.now() - t0);
        ac.abort();
      },
      Math.max(0, opts.portalTimeoutMs - (Date.now() - t0)),
    );
  });
  try {
    const families = await Promise.all([
      bounded(['ns_aaaa', 'ns_reachable'], checkNameServers(target.domain, resolver, bound), deadline),
      bounded(['web_aaaa', 'web_reachable', 'web_ports', 'web_same_content', 'http_status', 'tls'], checkWeb(urls, resolver, bound, now), deadline),
      bounded(['mail_aaaa', 'mail_reachable'], checkMail(target.domain, target.mail, resolver, bound), deadline),
    ]);
    return done(families.flat());
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}
