/**
 * Web over IPv6, for every name of the portal's URLs (www and the bare domain when the
 * registry lists both): AAAA published; the URL's port reachable on every IPv6 address; the
 * same of ports 80/443 open over IPv6 as over IPv4; the page over IPv6 the same as over IPv4
 * (similarity.ts); TLS over IPv6 (tls.ts); and the HTTP status over IPv6.
 */
import { reason, type Reason } from '@posture/protocol';
import { addressesOf } from './dns.js';
import { fetchAt, type Fetched } from './http.js';
import { type BoundedResolver, tcpConnect, type Timed } from './net.js';
import { pageSimilarity } from './similarity.js';
import { checkTls, type TlsEvidence } from './tls.js';
import { combine, type CheckResult, type CheckStatus, type Criterion, type ProbeOptions } from './types.js';

const PORTS = [80, 443] as const;
const MAX_ADDRESSES = 2;

/** The prober itself has no route for this family: not the portal's fault. */
const noLocalRoute = (code: string | undefined) => code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL';

interface NameEvidence {
  name: string;
  aaaa: string[];
  a: string[];
  dnsMs: number;
  dnsError?: string;
  /** "address port" -> connect result, per family. */
  ports6: Record<string, { ok: boolean; error?: string; ms: number }>;
  ports4: Record<string, { ok: boolean; error?: string; ms: number }>;
  open6: number[];
  open4: number[];
}

const portKey = (address: string, port: number) => `[${address}]:${port}`;

async function probeName(name: string, r: BoundedResolver, opts: ProbeOptions): Promise<NameEvidence> {
  const { aaaa, a } = await addressesOf(r, name);
  const ev: NameEvidence = { name, aaaa: aaaa.value ?? [], a: a.value ?? [], dnsMs: Math.max(aaaa.ms, a.ms), ports6: {}, ports4: {}, open6: [], open4: [] };
  if (!aaaa.ok || !a.ok) ev.dnsError = aaaa.error ?? a.error;
  const six = ev.aaaa.slice(0, MAX_ADDRESSES);
  const four = ev.a.slice(0, 1);
  const jobs: Promise<void>[] = [];
  for (const [addrs, into] of [
    [six, ev.ports6],
    [four, ev.ports4],
  ] as const) {
    for (const address of addrs)
      for (const port of PORTS)
        jobs.push(
          tcpConnect(address, port, opts.checkTimeoutMs, opts.signal).then((t: Timed<boolean>) => {
            into[portKey(address, port)] = { ok: t.ok, ms: t.ms, ...(t.error ? { error: t.error } : {}) };
          }),
        );
  }
  await Promise.all(jobs);
  // A port counts as open over IPv6 only when every IPv6 address accepts it.
  ev.open6 = six.length ? PORTS.filter((p) => six.every((x) => ev.ports6[portKey(x, p)]?.ok)) : [];
  ev.open4 = PORTS.filter((p) => four.some((x) => ev.ports4[portKey(x, p)]?.ok));
  return ev;
}

const check = (criterion: Criterion, status: CheckStatus, reasons: Reason[], evidence: Record<string, unknown>, ms: number): CheckResult => ({ criterion, status, reasons: status === 'pass' ? [] : reasons, evidence, ms });

export async function checkWeb(urls: readonly URL[], r: BoundedResolver, opts: ProbeOptions, now: number): Promise<CheckResult[]> {
  const t0 = Date.now();
  const names = [...new Set(urls.map((u) => u.hostname))];
  const byName = new Map((await Promise.all(names.map((n) => probeName(n, r, opts)))).map((e) => [e.name, e]));
  const dnsDone = Date.now() - t0;
  const all = [...byName.values()];

  // AAAA for every name.
  const aaaaReasons: Reason[] = [];
  let aaaaUnreachable = false;
  for (const e of all) {
    if (e.aaaa.length) continue;
    if (e.dnsError && e.dnsError !== 'ENODATA' && e.dnsError !== 'ENOTFOUND') {
      aaaaUnreachable = true;
      aaaaReasons.push(reason('PORTAL_DNS_FAILED', { type: 'AAAA', name: e.name, error: e.dnsError }));
    } else aaaaReasons.push(reason('PORTAL_WEB_NO_AAAA', { name: e.name }));
  }
  const dnsEvidence = { names: all.map((e) => ({ name: e.name, aaaa: e.aaaa, a: e.a, ms: e.dnsMs, ...(e.dnsError ? { error: e.dnsError } : {}) })) };
  const out: CheckResult[] = [check('web_aaaa', aaaaReasons.length ? (aaaaUnreachable ? 'unreachable' : 'fail') : 'pass', aaaaReasons, dnsEvidence, dnsDone)];

  // The URL's port on every IPv6 address of its name.
  const reachReasons: Reason[] = [];
  let reachLocal = true;
  let anyTried = false;
  for (const u of urls) {
    const e = byName.get(u.hostname)!;
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    if (!e.aaaa.length) {
      reachReasons.push(reason('PORTAL_WEB_NO_AAAA', { name: e.name }));
      reachLocal = false;
      continue;
    }
    for (const address of e.aaaa.slice(0, MAX_ADDRESSES)) {
      const c = e.ports6[portKey(address, port)] ?? { ok: false, error: 'ENOTTESTED' };
      anyTried = true;
      if (c.ok) continue;
      if (!noLocalRoute(c.error)) reachLocal = false;
      reachReasons.push(reason('PORTAL_WEB_UNREACHABLE', { name: e.name, address, port, error: c.error ?? 'EUNKNOWN' }));
    }
  }
  const portsEvidence = { names: all.map((e) => ({ name: e.name, open6: e.open6, open4: e.open4, ipv6: e.ports6, ipv4: e.ports4 })) };
  const reachStatus: CheckStatus = !reachReasons.length ? 'pass' : anyTried && reachLocal ? 'unreachable' : 'fail';
  out.push(check('web_reachable', reachStatus, reachLocal && anyTried ? [reason('PORTAL_UNREACHABLE', { detail: 'no IPv6 route from the prober' }), ...reachReasons] : reachReasons, portsEvidence, Date.now() - t0));

  // Same ports over IPv6 as over IPv4.
  const portReasons: Reason[] = [];
  for (const e of all) {
    if (e.open4.join(',') !== e.open6.join(',')) portReasons.push(reason('PORTAL_WEB_PORTS_DIFFER', { name: e.name, v4: e.open4.join(',') || '-', v6: e.open6.join(',') || '-' }));
  }
  out.push(check('web_ports', portReasons.length ? (reachStatus === 'unreachable' ? 'unreachable' : 'fail') : 'pass', portReasons, portsEvidence, Date.now() - t0));

  // Page over IPv6 vs IPv4, and the HTTP status over IPv6, per URL.
  const pages = await Promise.all(
    urls.map(async (u) => {
      const e = byName.get(u.hostname)!;
      const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
      // Fetch over IPv6 only from an address that accepted the port: the connect already failed
      // otherwise (its error is the fetch's), and a second wait for a silent firewall buys nothing.
      const tried6 = e.aaaa.slice(0, MAX_ADDRESSES);
      const v6addr = tried6.find((x) => e.ports6[portKey(x, port)]?.ok) ?? e.aaaa[0];
      const v6connect = v6addr ? e.ports6[portKey(v6addr, port)] : undefined;
      const v4addr = e.a[0];
      const [v6, v4] = await Promise.all([
        !v6addr
          ? Promise.resolve<Fetched | undefined>(undefined)
          : v6connect && !v6connect.ok
            ? Promise.resolve<Fetched>({ ok: false, error: v6connect.error ?? 'EUNKNOWN', ms: 0 })
            : fetchAt(u, v6addr, opts.checkTimeoutMs, opts.maxPageBytes, opts.signal),
        v4addr ? fetchAt(u, v4addr, opts.checkTimeoutMs, opts.maxPageBytes, opts.signal) : Promise.resolve<Fetched | undefined>(undefined),
      ]);
      const similarity = v6?.ok && v4?.ok ? pageSimilarity(v4.body ?? '', v6.body ?? '') : undefined;
      return { url: u.href, v6addr, v4addr, v6, v4, similarity };
    }),
  );
  const brief = (f: Fetched | undefined) => (f ? { ok: f.ok, status: f.status, bytes: f.bytes, truncated: f.truncated, location: f.location, error: f.error, ms: f.ms } : undefined);
  const pageEvidence = {
    minSimilarity: opts.minSimilarity,
    method: 'Dice coefficient of word 3-shingles after stripping nonces/CSRF tokens',
    pages: pages.map((p) => ({ url: p.url, ipv6: p.v6addr, ipv4: p.v4addr, similarity: p.similarity === undefined ? null : Math.round(p.similarity * 1000) / 1000, fetch6: brief(p.v6), fetch4: brief(p.v4) })),
  };
  const sameReasons: Reason[] = [];
  const sameStatuses: CheckStatus[] = [];
  for (const p of pages) {
    const host = new URL(p.url).hostname;
    if (!p.v6addr) {
      sameReasons.push(reason('PORTAL_WEB_NO_AAAA', { name: host }));
      sameStatuses.push('fail');
    } else if (!p.v6?.ok) {
      sameReasons.push(reason('PORTAL_WEB_FETCH_FAILED', { url: p.url, family: 'IPv6', error: p.v6?.error ?? 'EUNKNOWN' }));
      sameStatuses.push(noLocalRoute(p.v6?.error) ? 'unreachable' : 'fail');
    } else if (!p.v4?.ok) {
      // Nothing to compare with: an IPv6-only portal is not "different".
      if (p.v4addr) sameReasons.push(reason('PORTAL_WEB_FETCH_FAILED', { url: p.url, family: 'IPv4', error: p.v4?.error ?? 'EUNKNOWN' }));
      sameStatuses.push('n/a');
    } else if ((p.similarity ?? 0) < opts.minSimilarity) {
      sameReasons.push(reason('PORTAL_WEB_CONTENT_DIFFERS', { name: host, percent: Math.round((p.similarity ?? 0) * 1000) / 10, min: Math.round(opts.minSimilarity * 100) }));
      sameStatuses.push('fail');
    } else sameStatuses.push('pass');
  }
  out.push(check('web_same_content', combine(sameStatuses), sameReasons, pageEvidence, Date.now() - t0));

  const statusReasons: Reason[] = [];
  const statusStatuses: CheckStatus[] = [];
  for (const p of pages) {
    if (!p.v6addr) {
      statusReasons.push(reason('PORTAL_WEB_NO_AAAA', { name: new URL(p.url).hostname }));
      statusStatuses.push('fail');
    } else if (!p.v6?.ok) {
      statusReasons.push(reason('PORTAL_WEB_FETCH_FAILED', { url: p.url, family: 'IPv6', error: p.v6?.error ?? 'EUNKNOWN' }));
      statusStatuses.push(noLocalRoute(p.v6?.error) ? 'unreachable' : 'fail');
    } else if (!p.v6.status || p.v6.status >= 400) {
      statusReasons.push(reason('PORTAL_HTTP_STATUS', { url: p.url, status: p.v6.status ?? 0 }));
      statusStatuses.push('fail');
    } else statusStatuses.push('pass');
  }
  out.push(check('http_status', combine(statusStatuses), statusReasons, { pages: pages.map((p) => ({ url: p.url, status6: p.v6?.status ?? null, status4: p.v4?.status ?? null, location6: p.v6?.location })) }, Date.now() - t0));

  out.push(await tlsCheck(urls, byName, opts, now, t0));
  return out;
}

async function tlsCheck(urls: readonly URL[], byName: Map<string, NameEvidence>, opts: ProbeOptions, now: number, t0: number): Promise<CheckResult> {
  const https = urls.filter((u) => u.protocol === 'https:');
  if (!https.length) return check('tls', 'n/a', [], { note: 'no https URL in the registry' }, 0);
  const reasons: Reason[] = [];
  const results: (TlsEvidence & { name: string })[] = [];
  const statuses: CheckStatus[] = [];
  // Every (name, IPv6 address) handshake at once; an address whose port refused or dropped the
  // connect is not tried again (the connect's error is its result).
  const jobs: Promise<void>[] = [];
  for (const name of [...new Set(https.map((u) => u.hostname))]) {
    const e = byName.get(name)!;
    const port = Number(https.find((u) => u.hostname === name)!.port || 443);
    if (!e.aaaa.length) {
      reasons.push(reason('PORTAL_WEB_NO_AAAA', { name }));
      statuses.push('fail');
      continue;
    }
    for (const address of e.aaaa.slice(0, MAX_ADDRESSES)) {
      const connect = e.ports6[portKey(address, port)];
      const attempt: Promise<TlsEvidence> = connect && !connect.ok ? Promise.resolve({ address, ok: false, error: connect.error ?? 'EUNKNOWN', ms: 0 }) : checkTls(name, address, port, opts.ca, opts.checkTimeoutMs, now, opts.signal);
      jobs.push(
        attempt.then((t) => {
          results.push({ name, ...t });
          statuses.push(t.ok ? 'pass' : noLocalRoute(t.error) ? 'unreachable' : 'fail');
          if (t.ok) return;
          if (t.expired) reasons.push(reason('PORTAL_TLS_EXPIRED', { name, address, notAfter: t.notAfter ?? '?' }));
          else if (!t.protocol) reasons.push(reason('PORTAL_WEB_UNREACHABLE', { name, address, port, error: t.error ?? 'EUNKNOWN' }));
          else reasons.push(reason('PORTAL_TLS_INVALID', { name, address, error: t.error ?? 'EUNKNOWN' }));
        }),
      );
    }
  }
  await Promise.all(jobs);
  // Stable order for the evidence and reasons (handshakes finish in any order).
  results.sort((a, b) => a.name.localeCompare(b.name) || a.address.localeCompare(b.address));
  reasons.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return check('tls', combine(statuses), reasons, { caBundle: opts.ca ? 'configured' : 'node default roots', handshakes: results }, Date.now() - t0);
}
