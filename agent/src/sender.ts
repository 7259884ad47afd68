/**
 * Transport to the collector (undici). Every call resolves a tagged result instead of
 * throwing, so the caller (spool, CLI) branches on `kind`, never on message text.
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import { isRetryableStatus, retryAfterMs, type EnrollRequest, type Report } from '@posture/protocol';

export type SendResult =
  | { kind: 'success'; status: number; body: unknown }
  /** The collector refused this content (4xx other than 401/408/429): resending will not help. */
  | { kind: 'rejected'; status: number; code: string; message: string }
  /** Network error, timeout, 401, 408, 429 or 5xx: try again later (after `retryAfterMs` if given). */
  | { kind: 'retryable'; status: number | null; message: string; retryAfterMs: number | null };

export interface SenderOptions {
  collectorUrl: string;
  /** PEM of the collector's CA: when set, only certificates it signed are accepted. */
  caFile?: string | undefined;
  /** Client certificate and key (PEM) for collectors that require mutual TLS. */
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** HTTP(S) proxy; https collectors are reached through a CONNECT tunnel. */
  proxy?: string | undefined;
  /** TCP + TLS handshake timeout. */
  connectTimeoutMs?: number;
  /** Timeout waiting for the collector's headers and between body chunks. */
  timeoutMs: number;
}


const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME|ALTNAME/i;

/** A sentence that tells the operator what to do about a TLS failure. */
function tlsHint(code: string, message: string, pinned: boolean): string {
  if (/ALTNAME|HOSTNAME/i.test(`${code} ${message}`)) return ' (TLS: the collector certificate does not name the host in collector.url; use the name it was issued for)';
  if (/certificate required|handshake failure|bad certificate|alert/i.test(message)) return ' (TLS: the collector refused the handshake; it may require a client certificate: set collector.certFile and collector.keyFile)';
  return pinned
    ? ' (TLS: the collector certificate is not signed by the CA pinned in collector.caFile; check that caFile is the CA of this collector)'
    : ' (TLS: the collector certificate is not trusted; set collector.caFile to the PEM of the CA that signed it)';
}

export class Sender {
  private dispatcher: Dispatcher | undefined;
  private constructor(
    private readonly opts: SenderOptions,
    dispatcher: Dispatcher,
  ) {
    this.dispatcher = dispatcher;
  }

  static async create(opts: SenderOptions): Promise<Sender> {
    const [ca, cert, key] = await Promise.all([opts.caFile, opts.certFile, opts.keyFile].map((f) => (f ? readFile(f, 'utf8') : Promise.resolve(undefined))));
    // Pinning: with a CA file, `ca` replaces Node's bundled roots for this connection.
    const tls = { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}), timeout: opts.connectTimeoutMs ?? Math.min(opts.timeoutMs, 10_000) };
    const timeouts = { headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs };
    const dispatcher = opts.proxy
      ? new ProxyAgent({ uri: opts.proxy, requestTls: tls, proxyTls: { timeout: tls.timeout }, ...timeouts })
      : new Agent({ connect: tls, ...timeouts });
    return new Sender(opts, dispatcher);
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
    this.dispatcher = undefined;
  }

  private async post(path: string, body: unknown, headers: Record<string, string>): Promise<SendResult> {
    const url = new URL(path, this.opts.collectorUrl.endsWith('/') ? this.opts.collectorUrl : `${this.opts.collectorUrl}/`);
    const payload = gzipSync(Buffer.from(JSON.stringify(body)));
    try {
      const res = await request(url, {
        method: 'POST',
        body: payload,
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', ...headers },
        dispatcher: this.dispatcher,
      });
      const text = await res.body.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* non-JSON body: keep the text */
      }
      const status = res.statusCode;
      if (status >= 200 && status < 300) return { kind: 'success', status, body: parsed };
      const err = (parsed && typeof parsed === 'object' ? parsed : {}) as { code?: string; message?: string; details?: { path: string; message: string }[] };
      const message = [err.message ?? (typeof parsed === 'string' ? parsed.slice(0, 300) : ''), ...(err.details ?? []).map((d) => `${d.path}: ${d.message}`)].filter(Boolean).join('; ');
      // 401: the credential, not the report, is refused (collector restored, agent revoked):
      // keep the reports and retry with backoff until the agent is re-enrolled.
      if (status === 401) {
        return { kind: 'retryable', status, message: `${err.code ?? 'HTTP_401'}: ${message || 'credential refused'} (re-enroll: posture-agent enroll --secret ...; queued reports are kept)`, retryAfterMs: null };
      }
      // Every 5xx, not only 502/503/504: the agent never drops a report it could resend.
      if (isRetryableStatus(status, { anyServerError: true })) {
        return { kind: 'retryable', status, message: message || `HTTP ${status}`, retryAfterMs: retryAfterMs(res.headers['retry-after']) };
      }
      return { kind: 'rejected', status, code: err.code ?? `HTTP_${status}`, message: message || `HTTP ${status}` };
    } catch (e) {
      const err = e as Error & { code?: string; cause?: { code?: string; message?: string } };
      const code = err.code ?? err.cause?.code ?? '';
      const detail = err.cause?.message ?? err.message;
      let hint = TLS_CODES.test(`${code} ${detail}`) ? tlsHint(code, detail, Boolean(this.opts.caFile)) : '';
      // With TLS 1.3 a server that wants a client certificate accepts the handshake and then
      // closes the connection, so the only trace is "other side closed".
      if (!hint && code === 'UND_ERR_SOCKET' && url.protocol === 'https:' && !this.opts.certFile) {
        hint = ' (the collector closed the TLS connection: if it requires a client certificate, set collector.certFile and collector.keyFile)';
      }
      return { kind: 'retryable', status: null, message: `${url.origin}${this.opts.proxy ? ` via proxy ${this.opts.proxy}` : ''}: ${code ? `${code} ` : ''}${detail}${hint}`, retryAfterMs: null };
    }
  }

  enroll(req: EnrollRequest): Promise<SendResult & { body?: unknown }> {
    return this.post('api/v1/enroll', req, {});
  }

  sendReport(report: Report, credential: string): Promise<SendResult> {
    return this.post('api/v1/reports', report, { authorization: `Bearer ${credential}`, 'idempotency-key': report.reportId });
  }
}
