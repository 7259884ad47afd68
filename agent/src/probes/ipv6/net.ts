/**
 * The ipv6 probe's network actions: a TCP connect over IPv6 (never ICMP: no raw socket, no
 * root needed), A/AAAA lookups of the names this host serves, and a DNS query sent to each
 * IPv6 resolver. All bounded by a timeout; none throws.
 */
import { promises as dns } from 'node:dns';
import net from 'node:net';
import type { Ipv6Facts } from '@posture/protocol';

type Outbound = NonNullable<Ipv6Facts['outbound']>;

/** Parse "host:port" / "[v6]:port" and try a TCP connect over IPv6 only. */
export async function connectV6(target: string, timeoutMs: number): Promise<Outbound> {
  const m = target.match(/^\[([^\]]+)\]:(\d+)$/) ?? target.match(/^([^:]+):(\d+)$/);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    return { target, reachable: false, error: 'target must be "[ipv6]:port" or "name:port" (port 1-65535)', ms: null };
  }
  const started = performance.now();
  return new Promise((resolve) => {
    const sock = net.connect({ host: m[1]!, port: Number(m[2]), family: 6, timeout: timeoutMs });
    const done = (reachable: boolean, error: string | null) => {
      sock.destroy();
      resolve({ target, reachable, error, ms: Math.round(performance.now() - started) });
    };
    sock.once('connect', () => done(true, null));
    sock.once('timeout', () => done(false, `no answer within ${timeoutMs} ms`));
    sock.once('error', (e) => done(false, e.message.slice(0, 500)));
  });
}

/**
 * A and AAAA records of one name; "no such record" is an empty list, other failures an error.
 * A bounded resolver: the default one retries for up to ~20 s, longer than the probe may run.
 */
export async function lookup(name: string, timeoutMs: number): Promise<Ipv6Facts['services'][number]> {
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 2 });
  const settle = async (f: () => Promise<string[]>) => {
    try {
      return { list: (await f()).slice(0, 32), err: null };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { list: [], err: code === 'ENODATA' || code === 'ENOTFOUND' ? null : `${code ?? ''} ${(e as Error).message}`.trim().slice(0, 500) };
    }
  };
  const [a, aaaa] = await Promise.all([settle(() => resolver.resolve4(name)), settle(() => resolver.resolve6(name))]);
  return { name, a: a.list, aaaa: aaaa.list, error: a.err ?? aaaa.err };
}

/** Error codes meaning "the server answered", even if the answer is negative. */
const ANSWERED = new Set(['ENOTFOUND', 'ENODATA', 'ESERVFAIL', 'EREFUSED', 'ENOTIMP', 'EFORMERR', 'EBADRESP']);

/**
 * Whether a DNS server answers over IPv6. Any DNS answer counts (NXDOMAIN, REFUSED...): the
 * question is transport reachability, not what the server knows.
 */
export async function resolverAnswers(server: string, timeoutMs: number): Promise<{ server: string; answered: boolean; detail: string }> {
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  try {
    resolver.setServers([server]);
  } catch (e) {
    return { server, answered: false, detail: `unusable address: ${(e as Error).message}` };
  }
  try {
    await resolver.resolveNs('.');
    return { server, answered: true, detail: 'answered NS .' };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    return { server, answered: ANSWERED.has(code), detail: ANSWERED.has(code) ? `answered (${code})` : code };
  } finally {
    resolver.cancel();
  }
}

/**
 * Of the resolvers given, the IPv6 ones are queried; null when there is none to ask (then the
 * caller records why), true when at least one answered.
 */
export async function ipv6ResolverReachable(resolvers: readonly string[], timeoutMs: number) {
  const v6 = resolvers.filter((r) => r.includes(':'));
  if (!v6.length) return { reachable: null, details: [] };
  const details = await Promise.all(v6.slice(0, 4).map((r) => resolverAnswers(r, timeoutMs)));
  return { reachable: details.some((d) => d.answered), details };
}
