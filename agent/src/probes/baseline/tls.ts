/**
 * tls.certificates_valid: every TLS service listening on this host presents a certificate that
 * is valid now and for `minDaysLeft` more days. The listeners come from the kernel's socket
 * table (/proc/net/tcp, tcp6); each is asked for its certificate with a real TLS handshake
 * (what a client gets, whatever file the service's config names, and after a renewal that the
 * service has not reloaded). Only the ports where TLS is the protocol from the first byte are
 * asked (TLS_PORTS): a ClientHello sent to sshd or PostgreSQL every cycle would fill their logs
 * with protocol errors on every server of the ministry. The handshake is injectable
 * (`BaselineContext.peerCertificate`) so tests replay certificates.
 */
import { connect } from 'node:tls';
import type { BaselineContext, CheckFamily } from './check.js';
import { cycleListeners, fail, pass, readOncePerCycle, unknown } from './check.js';

const ID = 'tls.certificates_valid';
const MAX_PORTS = 24;
/** Implicit-TLS ports: HTTPS, SMTPS, LDAPS, DNS over TLS, IMAPS, POP3S, WinRM-HTTPS, Kubernetes API, common HTTPS alternates. */
export const TLS_PORTS: ReadonlySet<number> = new Set([443, 465, 636, 853, 993, 995, 5986, 6443, 8443, 9443]);

export interface PeerCertificate {
  subject: string;
  notAfter: Date;
  notBefore: Date;
}
export type PeerCertificateReader = (host: string, port: number, timeoutMs: number) => Promise<PeerCertificate | null>;

/** A real handshake; null when the port does not speak TLS (or does not answer in time). */
export const realPeerCertificate: PeerCertificateReader = (host, port, timeoutMs) =>
  new Promise((resolve) => {
    const socket = connect({ host, port, servername: host.includes(':') || /^\d/.test(host) ? undefined : host, rejectUnauthorized: false, timeout: timeoutMs });
    const done = (v: PeerCertificate | null) => {
      socket.destroy();
      resolve(v);
    };
    socket.once('secureConnect', () => {
      const c = socket.getPeerCertificate();
      if (!c || !c.valid_to) return done(null);
      done({ subject: (c.subject?.CN as string | undefined) ?? (c.subject?.O as string) ?? '?', notAfter: new Date(c.valid_to), notBefore: new Date(c.valid_from) });
    });
    socket.once('error', () => done(null));
    socket.once('timeout', () => done(null));
  });

/** Listening TCP sockets as host/port to connect to (wildcards through loopback): this cycle's listeners, else /proc/net. */
export async function tcpListeners(ctx: Pick<BaselineContext, 'system' | 'earlier'>): Promise<{ host: string; port: number }[]> {
  const out = new Map<string, { host: string; port: number }>();
  const seen = cycleListeners(ctx);
  if (seen) {
    // IPv4 first, as /proc/net/tcp before tcp6: a port open on both is asked over IPv4.
    const tcp = seen.filter((l) => (l.protocol ?? 'tcp') === 'tcp');
    for (const l of [...tcp.filter((x) => x.family === 'ipv4'), ...tcp.filter((x) => x.family !== 'ipv4')]) {
      const bind = l.bind.replace(/^::ffff:/, '');
      const host = bind === '0.0.0.0' || bind === '*' ? '127.0.0.1' : l.family === 'ipv4' ? bind : bind === '::' || bind === '::1' ? '::1' : '';
      if (host && !out.has(`${l.port}`)) out.set(`${l.port}`, { host, port: l.port });
    }
    return [...out.values()].sort((a, b) => a.port - b.port);
  }
  for (const f of ['tcp', 'tcp6']) {
    for (const line of ((await readOncePerCycle(ctx, `/proc/net/${f}`)) ?? '').split('\n').slice(1)) {
      const p = line.trim().split(/\s+/);
      if (p[3] !== '0A' || !p[1]) continue;
      const [hex, portHex] = p[1].split(':') as [string, string];
      const port = parseInt(portHex, 16);
      let host: string;
      if (f === 'tcp') {
        const b = hex
          .match(/../g)!
          .map((x) => parseInt(x, 16))
          .reverse();
        host = b.every((x) => x === 0) ? '127.0.0.1' : b.join('.');
      } else host = /^0+$/.test(hex) ? '::1' : hex === '00000000000000000000000001000000' ? '::1' : '';
      if (host && !out.has(`${port}`)) out.set(`${port}`, { host, port });
    }
  }
  return [...out.values()].sort((a, b) => a.port - b.port);
}

export const tlsFamily: CheckFamily = {
  name: 'tls',
  ids: [ID],
  platforms: ['linux'],
  async run(ctx: BaselineContext) {
    const minDays = ctx.param(ID, 'minDaysLeft');
    const listeners = (await tcpListeners(ctx)).filter((l) => TLS_PORTS.has(l.port)).slice(0, MAX_PORTS);
    const reader = ctx.peerCertificate ?? realPeerCertificate;
    const certs = await Promise.all(listeners.map(async (l) => ({ ...l, cert: await reader(l.host, l.port, 1500) })));
    const tls = certs.filter((c) => c.cert !== null);
    if (!listeners.length) return [pass(ID, `no service listening on a TLS port (${[...TLS_PORTS].join(', ')})`)];
    if (!tls.length) return [pass(ID, `no TLS service among ${listeners.length} listening port(s) (${listeners.map((l) => l.port).join(', ')})`)];
    const now = ctx.system.now().getTime();
    const days = (d: Date) => Math.floor((d.getTime() - now) / 86_400_000);
    const desc = tls.map((c) => `${c.port} ${c.cert!.subject} until ${c.cert!.notAfter.toISOString().slice(0, 10)} (${days(c.cert!.notAfter)} d)`);
    const bad = tls.filter((c) => days(c.cert!.notAfter) < minDays || c.cert!.notBefore.getTime() > now);
    if (bad.length)
      return [
        fail(
          ID,
          `certificates expired or expiring within ${minDays} days: ${bad.map((c) => `port ${c.port} ${c.cert!.subject} notAfter ${c.cert!.notAfter.toISOString().slice(0, 10)}`).join('; ')}; renew and reload the service (all: ${desc.join('; ')})`,
        ),
      ];
    if (listeners.length > MAX_PORTS) return [unknown(ID, `${desc.join('; ')}; more than ${MAX_PORTS} listening ports: the rest were not checked`)];
    return [pass(ID, desc.join('; '))];
  },
};
