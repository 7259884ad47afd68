/**
 * HTTP to the ministry's collector: undici, the ministry's CA from upstream.caFile, the relay
 * credential from upstream.credentialFile. Calls resolve tagged results and never throw.
 */
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { Agent, request, type Dispatcher } from 'undici';
import { isRetryableStatus, retryAfterMs } from '@posture/protocol';
import type { CollectorConfig } from '../config.js';

export type UpstreamConfig = NonNullable<CollectorConfig['upstream']>;

const gzip = promisify(gzipCb);

export type PostResult =
  | { kind: 'ok'; status: number; body: unknown }
  /** Worth retrying later: network error, 429, 5xx. */
  | { kind: 'retry'; status: number | null; message: string; retryAfterMs?: number }
  /** Will not get better by itself (401, 403, 4xx): a person must act; `code` from the answer. */
  | { kind: 'refused'; status: number; code: string; message: string };

export class UpstreamClient {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly cfg: UpstreamConfig) {
    let ca: Buffer | undefined;
    try {
      ca = cfg.caFile ? readFileSync(cfg.caFile) : undefined;
    } catch (e) {
      throw new Error(`upstream.caFile: cannot read ${cfg.caFile}: ${(e as Error).message}; give the PEM of the CA that signed the ministry collector's certificate`, { cause: e });
    }
    this.dispatcher = new Agent({ connect: ca ? { ca } : {}, headersTimeout: cfg.timeoutMs, bodyTimeout: cfg.timeoutMs, connectTimeout: Math.min(cfg.timeoutMs, 10_000) });
  }

  /** The relay credential, or null when `posture upstream enroll` has not been run. */
  credential(): string | null {
    try {
      return readFileSync(this.cfg.credentialFile!, 'utf8').trim() || null;
    } catch {
      return null;
    }
  }

  async post(path: string, json: string, credential: string | null): Promise<PostResult> {
    try {
      const body = await gzip(Buffer.from(json));
      const res = await request(new URL(path, this.cfg.url), {
        method: 'POST',
        dispatcher: this.dispatcher,
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', ...(credential ? { authorization: `Bearer ${credential}` } : {}) },
        body,
      });
      const text = await res.body.text();
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(text);
      } catch {
        // A proxy's HTML error page, say: reported by status below.
      }
      if (res.statusCode < 300) return { kind: 'ok', status: res.statusCode, body: parsed };
      const err = parsed as { code?: string; message?: string } | null;
      const message = err?.message ?? text.slice(0, 200);
      // Every 5xx too: the relay keeps the batch in its forward outbox until it is answered.
      if (isRetryableStatus(res.statusCode, { anyServerError: true })) {
        const ra = retryAfterMs(res.headers['retry-after']);
        return { kind: 'retry', status: res.statusCode, message, ...(ra !== null && ra > 0 ? { retryAfterMs: ra } : {}) };
      }
      return { kind: 'refused', status: res.statusCode, code: err?.code ?? `HTTP_${res.statusCode}`, message };
    } catch (e) {
      return { kind: 'retry', status: null, message: (e as Error).message };
    }
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
