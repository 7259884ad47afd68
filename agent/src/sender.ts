/**
 * The agent's requests to the collector (enroll, report) over `transport.ts`. Every call
 * resolves a tagged result instead of throwing, so the caller (spool, CLI) branches on `kind`,
 * and failures are told apart by their codes, never by message text.
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { isRetryableStatus, retryAfterMs, type EnrollRequest, type Report } from '@posture/protocol';
import { Transport } from './transport.js';

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

/** OpenSSL and Node codes of certificate problems (not localised, stable across versions). */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);
const NAME_MISMATCH = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_TLS_CERT_ALTNAME_FORMAT', 'HOSTNAME_MISMATCH']);
/** The server asked for a client certificate we did not send (TLS 1.2 handshake failure or 1.3 alert). */
const CLIENT_CERT_WANTED = /^ERR_SSL_(TLSV13_ALERT_CERTIFICATE_REQUIRED|SSLV3_ALERT_HANDSHAKE_FAILURE|SSLV3_ALERT_BAD_CERTIFICATE|TLSV1_ALERT_UNKNOWN_CA)$/;

/** A sentence that tells the operator what to do about a TLS failure, from its code. */
function tlsHint(code: string, pinned: boolean, sentCert: boolean): string {
  if (NAME_MISMATCH.has(code)) return ' (TLS: the collector certificate does not name the host in collector.url; use the name it was issued for)';
  if (CLIENT_CERT_WANTED.test(code) && !sentCert) return ' (TLS: the collector refused the handshake; it requires a client certificate, set collector.certFile and collector.keyFile)';
  if (UNTRUSTED.has(code)) {
    return pinned
      ? ' (TLS: the collector certificate is not signed by the CA pinned in collector.caFile; check that caFile is the CA of this collector)'
      : ' (TLS: the collector certificate is not trusted; set collector.caFile to the PEM of the CA that signed it)';
  }
  return '';
}

export class Sender {
  private transport: Transport | undefined;
  private constructor(
    private readonly opts: SenderOptions,
    transport: Transport,
  ) {
    this.transport = transport;
  }

  static async create(opts: SenderOptions): Promise<Sender> {
    const [ca, cert, key] = await Promise.all([opts.caFile, opts.certFile, opts.keyFile].map((f) => (f ? readFile(f, 'utf8') : Promise.resolve(undefined))));
    const base = new URL(opts.collectorUrl.endsWith('/') ? opts.collectorUrl : `${opts.collectorUrl}/`);
    // Pinning: with a CA file, `ca` replaces Node's bundled roots for this connection.
    const transport = new Transport(base, { ca, cert, key, proxy: opts.proxy, connectTimeoutMs: opts.connectTimeoutMs ?? Math.min(opts.timeoutMs, 10_000), timeoutMs: opts.timeoutMs });
    return new Sender(opts, transport);
  }

  async close(): Promise<void> {
    this.transport?.close();
    this.transport = undefined;
    return Promise.resolve();
  }

  private async post(path: string, body: unknown, headers: Record<string, string>): Promise<SendResult> {
    const url = new URL(path, this.opts.collectorUrl.endsWith('/') ? this.opts.collectorUrl : `${this.opts.collectorUrl}/`);
    const payload = gzipSync(Buffer.from(JSON.stringify(body)));
    if (!this.transport) return { kind: 'retryable', status: null, message: `${url.origin}: sender closed`, retryAfterMs: null };
    try {
      const res = await this.transport.post(path, payload, { 'content-type': 'application/json', 'content-encoding': 'gzip', ...headers });
      const text = res.body;
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* non-JSON body: keep the text */
      }
      const status = res.status;
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
      const code = e && typeof e === 'object' && 'code' in e && typeof e.code === 'string' ? e.code : '';
      // OpenSSL's messages run over several lines; one line keeps logs and status readable.
      const detail = (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ').trim();
      let hint = tlsHint(code, Boolean(this.opts.caFile), Boolean(this.opts.certFile));
      // With TLS 1.3 a server that wants a client certificate accepts the handshake and then
      // closes the connection, so the only trace may be a reset.
      if (!hint && (code === 'ECONNRESET' || code === 'EPIPE') && url.protocol === 'https:' && !this.opts.certFile) {
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
