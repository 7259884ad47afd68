/**
 * Bounded network primitives of the prober: a TCP connect and a DNS lookup that always settle
 * within their time limit (the socket is destroyed, the query cancelled), and the error codes
 * they settle with. Callers branch on these codes (errno names, c-ares codes), never on text.
 */
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { connect, type Socket } from 'node:net';

export interface Timed<T> {
  ok: boolean;
  value?: T;
  /** errno / c-ares code (ETIMEDOUT, ECONNREFUSED, ENETUNREACH, ENODATA, ENOTFOUND, ...). */
  error?: string;
  ms: number;
  /** withConnection: the TCP connection was established (a later timeout is the peer's silence). */
  connected?: boolean;
}

export const elapsed = (t0: bigint) => Math.round(Number(process.hrtime.bigint() - t0) / 1e4) / 100;

/** The code of an error thrown by node:net, node:tls or node:dns; never its message. */
export function codeOf(e: unknown): string {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' && c ? c : 'EUNKNOWN';
}

/**
 * Open a TCP connection and hand the socket to `use` (which must settle). The socket is always
 * destroyed afterwards; the whole thing settles within `timeoutMs`.
 */
export function withConnection<T>(address: string, port: number, timeoutMs: number, use: (s: Socket) => Promise<T>, signal?: AbortSignal): Promise<Timed<T>> {
  const t0 = process.hrtime.bigint();
  if (signal?.aborted) return Promise.resolve({ ok: false, error: 'EABORTED', ms: 0, connected: false });
  return new Promise((resolve) => {
    let done = false;
    let connected = false;
    const s = connect({ host: address, port, noDelay: true });
    const onAbort = () => finish({ ok: false, error: 'EABORTED' });
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (r: Omit<Timed<T>, 'ms'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      s.destroy();
      resolve({ ...r, ms: elapsed(t0), connected });
    };
    const timer = setTimeout(() => finish({ ok: false, error: 'ETIMEDOUT' }), timeoutMs);
    s.once('error', (e) => finish({ ok: false, error: codeOf(e) }));
    s.once('connect', () => {
      connected = true;
      use(s).then(
        (value) => finish({ ok: true, value }),
        (e: unknown) => finish({ ok: false, error: codeOf(e) }),
      );
    });
  });
}

/** Only whether a TCP connect succeeds, and how long it took. */
export const tcpConnect = (address: string, port: number, timeoutMs: number, signal?: AbortSignal) => withConnection(address, port, timeoutMs, () => Promise.resolve(true), signal);

/** Run `op` unless the portal's time is already up. */
export const unlessAborted = <T>(signal: AbortSignal | undefined, aborted: T, op: () => Promise<T>): Promise<T> => (signal?.aborted ? Promise.resolve(aborted) : op());

/** DNS record types the prober asks for. */
export type RrType = 'A' | 'AAAA' | 'NS' | 'MX' | 'SOA';

/**
 * A resolver that settles within its bound. `servers` empty: the system's resolvers. c-ares
 * applies `timeoutMs` per try; the outer timer guards the whole lookup as well.
 */
export class BoundedResolver {
  private readonly r: Resolver;
  constructor(
    servers: readonly string[],
    private readonly timeoutMs: number,
    tries = 2,
  ) {
    this.r = new Resolver({ timeout: Math.max(1, Math.floor(timeoutMs / tries)), tries });
    if (servers.length) this.r.setServers([...servers]);
  }

  /** Answers as strings: addresses, host names ("10 mail.example." for MX), or the SOA's mname. */
  lookup(name: string, type: RrType): Promise<Timed<string[]>> {
    const t0 = process.hrtime.bigint();
    const q = (): Promise<string[]> => {
      switch (type) {
        case 'A':
          return this.r.resolve4(name);
        case 'AAAA':
          return this.r.resolve6(name);
        case 'NS':
          return this.r.resolveNs(name);
        case 'MX':
          return this.r.resolveMx(name).then((mx) => mx.sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange)).map((m) => `${m.priority} ${m.exchange}`));
        case 'SOA':
          return this.r.resolveSoa(name).then((s) => [s.nsname]);
      }
    };
    return new Promise((resolve) => {
      // No cancel(): it would cancel every query of this resolver; c-ares' own timeout ends it.
      const timer = setTimeout(() => {
        resolve({ ok: false, error: 'ETIMEOUT', ms: elapsed(t0) });
      }, this.timeoutMs + 250);
      q().then(
        (value) => {
          clearTimeout(timer);
          resolve({ ok: true, value, ms: elapsed(t0) });
        },
        (e: unknown) => {
          clearTimeout(timer);
          resolve({ ok: false, error: codeOf(e), ms: elapsed(t0) });
        },
      );
    });
  }
}

/** "no such record" answers: the name exists without that type, or does not exist. */
export const isNoRecord = (code: string | undefined) => code === 'ENODATA' || code === 'ENOTFOUND';

/** Answers that mean the prober could not ask at all (no route, resolver silent or refusing). */
export const isNoNetwork = (code: string | undefined) => code === 'ETIMEOUT' || code === 'ECONNREFUSED' || code === 'ENETUNREACH' || code === 'EHOSTUNREACH' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'EADDRNOTAVAIL';

/**
 * Does this machine have a route to `address` over IPv6? A UDP connect() asks the kernel for a
 * route and sends nothing; without an IPv6 default route it fails at once (ENETUNREACH).
 */
export function hasRoute6(address: string, timeoutMs: number): Promise<{ ok: boolean; error?: string }> {
  return new Promise((resolve) => {
    const s = createSocket('udp6');
    const done = (r: { ok: boolean; error?: string }) => {
      clearTimeout(timer);
      s.close();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, error: 'ETIMEDOUT' }), timeoutMs);
    s.once('error', (e) => done({ ok: false, error: codeOf(e) }));
    // Node hands the connect error to this callback (typed without arguments), not to 'error'.
    s.connect(53, address, ((err?: Error) => done(err ? { ok: false, error: codeOf(err) } : { ok: true })) as () => void);
  });
}

/** Run `fns` with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
