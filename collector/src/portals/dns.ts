/**
 * Name servers (Internet.nl's "name servers reachable over IPv6"): the zone's NS set, the AAAA
 * of each, and whether each answers an SOA query for the domain over IPv6 on port 53, asked
 * directly (not through the resolver). At least two must pass both.
 */
import { reason, type Reason } from '@posture/protocol';
import { BoundedResolver, isNoRecord, mapLimit, type Timed } from './net.js';
import type { CheckResult, ProbeOptions } from './types.js';

const MAX_NS = 8;

export interface NameServerEvidence {
  name: string;
  aaaa: string[];
  a: string[];
  lookupMs: number;
  /** Per IPv6 address: did it answer the SOA of the domain, and how fast. */
  answers: { address: string; ok: boolean; error?: string; ms: number; soaMname?: string }[];
}

/** Resolve a name's AAAA and A; a missing record is an empty list, other failures are kept. */
export async function addressesOf(r: BoundedResolver, name: string): Promise<{ aaaa: Timed<string[]>; a: Timed<string[]> }> {
  const [aaaa, a] = await Promise.all([r.lookup(name, 'AAAA'), r.lookup(name, 'A')]);
  const empty = (t: Timed<string[]>): Timed<string[]> => (!t.ok && isNoRecord(t.error) ? { ok: true, value: [], ms: t.ms } : t);
  return { aaaa: empty(aaaa), a: empty(a) };
}

export async function checkNameServers(name: string, r: BoundedResolver, opts: ProbeOptions): Promise<[CheckResult, CheckResult]> {
  const t0 = Date.now();
  // The zone's name servers: a name below the zone apex (a portal's host name given as the
  // domain) has no NS of its own; walk up to the zone, keeping at least two labels.
  let domain = name;
  let ns = await r.lookup(domain, 'NS');
  while (!ns.ok && ns.error === 'ENODATA' && domain.split('.').length > 2) {
    domain = domain.slice(domain.indexOf('.') + 1);
    ns = await r.lookup(domain, 'NS');
  }
  if (!ns.ok) {
    const why = reason('PORTAL_DNS_FAILED', { type: 'NS', name: domain, error: ns.error ?? 'EUNKNOWN' });
    const status = isNoRecord(ns.error) ? 'fail' : 'unreachable';
    const ev = { domain, nsLookup: { error: ns.error, ms: ns.ms } };
    return [
      { criterion: 'ns_aaaa', status, reasons: [why], evidence: ev, ms: Date.now() - t0 },
      { criterion: 'ns_reachable', status, reasons: [why], evidence: ev, ms: Date.now() - t0 },
    ];
  }
  const names = [...new Set(ns.value!.map((n) => n.toLowerCase().replace(/\.$/, '')))].sort().slice(0, MAX_NS);
  const servers = await mapLimit(names, 4, async (name): Promise<NameServerEvidence & { lookupError?: string }> => {
    const { aaaa, a } = await addressesOf(r, name);
    const ev: NameServerEvidence & { lookupError?: string } = { name, aaaa: aaaa.value ?? [], a: a.value ?? [], lookupMs: Math.max(aaaa.ms, a.ms), answers: [] };
    if (!aaaa.ok) ev.lookupError = aaaa.error;
    // Ask each IPv6 address directly, one try: an answer through a retry would hide loss.
    for (const address of ev.aaaa.slice(0, 2)) {
      const direct = new BoundedResolver([address], opts.checkTimeoutMs, 1);
      const soa = await direct.lookup(domain, 'SOA');
      ev.answers.push({ address, ok: soa.ok, ms: soa.ms, ...(soa.ok ? { soaMname: soa.value![0] } : { error: soa.error }) });
    }
    return ev;
  });
  const withAaaa = servers.filter((s) => s.aaaa.length > 0);
  const answering = servers.filter((s) => s.answers.some((x) => x.ok));
  const evidence = { domain: name, zone: domain, nsLookupMs: ns.ms, nameServers: servers };
  const aaaaReasons: Reason[] = [];
  if (withAaaa.length < 2) aaaaReasons.push(reason('PORTAL_NS_FEW_AAAA', { count: withAaaa.length, total: servers.length }));
  for (const s of servers) if (s.lookupError) aaaaReasons.push(reason('PORTAL_DNS_FAILED', { type: 'AAAA', name: s.name, error: s.lookupError }));
  const failing = servers.filter((s) => !s.answers.some((x) => x.ok)).map((s) => (s.aaaa.length ? `${s.name} (${s.answers.map((x) => x.error).join(', ')})` : `${s.name} (no AAAA)`));
  const ms = Date.now() - t0;
  return [
    { criterion: 'ns_aaaa', status: withAaaa.length >= 2 ? 'pass' : 'fail', reasons: withAaaa.length >= 2 ? [] : aaaaReasons, evidence, ms },
    {
      criterion: 'ns_reachable',
      status: answering.length >= 2 ? 'pass' : 'fail',
      reasons: answering.length >= 2 ? [] : [reason('PORTAL_NS_NOT_ANSWERING', { count: answering.length, failing: failing.join('; ') || '-' })],
      evidence,
      ms,
    },
  ];
}
