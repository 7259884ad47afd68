/**
 * One bounded HTTP(S) GET to a chosen address (the name goes in Host and SNI), so the page over
 * IPv4 and over IPv6 can be fetched separately. Certificates are not judged here (tls.ts does
 * that): a portal with a bad certificate over IPv6 still has its content compared.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { codeOf, elapsed } from './net.js';

export interface Fetched {
  ok: boolean;
  status?: number;
  location?: string;
  body?: string;
  /** Bytes read (at most maxBytes). */
  bytes?: number;
  truncated?: boolean;
  error?: string;
  ms: number;
}

export function fetchAt(url: URL, address: string, timeoutMs: number, maxBytes: number, signal?: AbortSignal): Promise<Fetched> {
  const t0 = process.hrtime.bigint();
  const https = url.protocol === 'https:';
  const port = Number(url.port || (https ? 443 : 80));
  if (signal?.aborted) return Promise.resolve({ ok: false, error: 'EABORTED', ms: 0 });
  return new Promise((resolve) => {
    let done = false;
    const onAbort = () => finish({ ok: false, error: 'EABORTED' });
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (r: Omit<Fetched, 'ms'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
      resolve({ ...r, ms: elapsed(t0) });
    };
    const opts = {
      host: address,
      port,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: { Host: url.host, 'User-Agent': 'posture-portal-prober', Accept: 'text/html,*/*', 'Accept-Encoding': 'identity' },
      agent: false as const,
      ...(https ? { servername: url.hostname, rejectUnauthorized: false } : {}),
    };
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      let truncated = false;
      res.on('data', (c: Buffer) => {
        if (bytes >= maxBytes) {
          truncated = true;
          return;
        }
        chunks.push(c.subarray(0, maxBytes - bytes));
        bytes += Math.min(c.length, maxBytes - bytes);
        if (bytes >= maxBytes) {
          truncated = true;
          finish({ ok: true, status: res.statusCode, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8'), bytes, truncated });
        }
      });
      res.on('end', () => finish({ ok: true, status: res.statusCode, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8'), bytes, truncated }));
      res.on('error', (e) => finish({ ok: false, status: res.statusCode, error: codeOf(e) }));
    };
    const req = https ? httpsRequest(opts, onResponse) : httpRequest(opts, onResponse);
    const timer = setTimeout(() => finish({ ok: false, error: 'ETIMEDOUT' }), timeoutMs);
    req.on('error', (e) => finish({ ok: false, error: codeOf(e) }));
    req.end();
  });
}
