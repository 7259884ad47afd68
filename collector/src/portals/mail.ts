/**
 * Mail over IPv6 (Internet.nl's mail test, IPv6 part): every MX of the domain has an AAAA
 * record, and each IPv6 address accepts a connection on port 25 and greets with SMTP code 220
 * (the banner is read, then QUIT). A domain without MX, or `mail: false` in the registry, is
 * "n/a". The greeting is judged by its numeric code, never its text.
 */
import { reason, type Reason } from '@posture/protocol';
import type { Socket } from 'node:net';
import { addressesOf } from './dns.js';
import { type BoundedResolver, isNoRecord, withConnection } from './net.js';
import type { CheckResult, ProbeOptions } from './types.js';

const MAX_MX = 5;
const MAX_ADDRESSES = 2;

/** Read the first complete reply (possibly multi-line "220-...\r\n220 ...\r\n"); resolves its code and first line. */
function readGreeting(s: Socket, maxBytes = 4096): Promise<{ code: number; line: string }> {
  return new Promise((resolve, reject) => {
    let buf = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      buf += d;
      const lines = buf.split('\r\n');
      for (const l of lines.slice(0, -1)) {
        if (/^\d{3} /.test(l) || /^\d{3}$/.test(l)) {
          s.write('QUIT\r\n');
          resolve({ code: Number(l.slice(0, 3)), line: lines[0]!.slice(0, 200) });
          return;
        }
      }
      if (buf.length > maxBytes) reject(Object.assign(new Error('greeting too long'), { code: 'EPROTO' }));
    });
    s.once('end', () => reject(Object.assign(new Error('closed before greeting'), { code: 'ECONNRESET' })));
  });
}

export async function checkMail(domain: string, enabled: boolean, r: BoundedResolver, opts: ProbeOptions): Promise<[CheckResult, CheckResult]> {
  const t0 = Date.now();
  if (!enabled) {
    const ev = { note: 'mail not checked (portal.mail: false in the registry)' };
    return [
      { criterion: 'mail_aaaa', status: 'n/a', reasons: [], evidence: ev, ms: 0 },
      { criterion: 'mail_reachable', status: 'n/a', reasons: [], evidence: ev, ms: 0 },
    ];
  }
  const mx = await r.lookup(domain, 'MX');
  if (!mx.ok) {
    const none = isNoRecord(mx.error);
    const why = none ? [] : [reason('PORTAL_DNS_FAILED', { type: 'MX', name: domain, error: mx.error ?? 'EUNKNOWN' })];
    const ev = { domain, mxLookup: { error: mx.error, ms: mx.ms }, ...(none ? { note: 'the domain has no MX: no mail service to check' } : {}) };
    const status = none ? 'n/a' : 'unreachable';
    return [
      { criterion: 'mail_aaaa', status, reasons: why, evidence: ev, ms: Date.now() - t0 },
      { criterion: 'mail_reachable', status, reasons: why, evidence: ev, ms: Date.now() - t0 },
    ];
  }
  // "0 ." is a null MX (RFC 7505): the domain says it takes no mail.
  const hosts = mx
    .value!.map((x) => ({ priority: Number(x.split(' ')[0]), host: x.split(' ')[1]!.replace(/\.$/, '') }))
    .filter((x) => x.host !== '')
    .slice(0, MAX_MX);
  if (!hosts.length) {
    const ev = { domain, mx: mx.value, note: 'null MX: the domain takes no mail' };
    return [
      { criterion: 'mail_aaaa', status: 'n/a', reasons: [], evidence: ev, ms: Date.now() - t0 },
      { criterion: 'mail_reachable', status: 'n/a', reasons: [], evidence: ev, ms: Date.now() - t0 },
    ];
  }
  const servers = await Promise.all(
    hosts.map(async (h) => {
      const { aaaa, a } = await addressesOf(r, h.host);
      const smtp = await Promise.all(
        (aaaa.value ?? []).slice(0, MAX_ADDRESSES).map(async (address) => {
          const t = await withConnection(address, 25, opts.checkTimeoutMs, (s) => readGreeting(s), opts.signal);
          return { address, connected: t.connected === true, ok: t.ok && t.value!.code === 220, code: t.value?.code, banner: t.value?.line, error: t.error, ms: t.ms };
        }),
      );
      return { ...h, aaaa: aaaa.value ?? [], a: a.value ?? [], dnsError: aaaa.ok ? undefined : aaaa.error, smtp };
    }),
  );
  const evidence = { domain, mxLookupMs: mx.ms, mx: servers };
  const aaaaReasons: Reason[] = [];
  for (const s of servers) {
    if (s.aaaa.length) continue;
    aaaaReasons.push(s.dnsError ? reason('PORTAL_DNS_FAILED', { type: 'AAAA', name: s.host, error: s.dnsError }) : reason('PORTAL_MX_NO_AAAA', { mx: s.host }));
  }
  const reachReasons: Reason[] = [];
  let localRoute = true;
  for (const s of servers) {
    if (!s.aaaa.length) {
      reachReasons.push(reason('PORTAL_MX_NO_AAAA', { mx: s.host }));
      localRoute = false;
      continue;
    }
    for (const c of s.smtp) {
      if (c.ok) continue;
      if (c.error !== 'ENETUNREACH' && c.error !== 'EADDRNOTAVAIL') localRoute = false;
      if (c.error === undefined) reachReasons.push(reason('PORTAL_MX_NO_GREETING', { mx: s.host, address: c.address, error: `code ${c.code ?? '?'}` }));
      else if (c.error === 'ECONNRESET' || c.error === 'EPROTO' || c.connected) reachReasons.push(reason('PORTAL_MX_NO_GREETING', { mx: s.host, address: c.address, error: c.error }));
      else reachReasons.push(reason('PORTAL_MX_UNREACHABLE', { mx: s.host, address: c.address, error: c.error }));
    }
  }
  const ms = Date.now() - t0;
  return [
    { criterion: 'mail_aaaa', status: aaaaReasons.length ? 'fail' : 'pass', reasons: aaaaReasons, evidence, ms },
    {
      criterion: 'mail_reachable',
      status: reachReasons.length ? (localRoute ? 'unreachable' : 'fail') : 'pass',
      reasons: localRoute && reachReasons.length ? [reason('PORTAL_UNREACHABLE', { detail: 'no IPv6 route from the prober' }), ...reachReasons] : reachReasons,
      evidence,
      ms,
    },
  ];
}
