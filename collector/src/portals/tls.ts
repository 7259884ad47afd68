/**
 * TLS over IPv6: a handshake with each IPv6 address of an https name, the certificate checked
 * against the configured CA bundle (chain), the name (RFC 6125 via tls.checkServerIdentity)
 * and its validity dates. Node's verification codes (CERT_HAS_EXPIRED,
 * UNABLE_TO_VERIFY_LEAF_SIGNATURE, ERR_TLS_CERT_ALTNAME_INVALID, ...) are the evidence.
 */
import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls';
import { codeOf, elapsed } from './net.js';

export interface TlsEvidence {
  address: string;
  ok: boolean;
  /** Verification or connection error code; absent when valid. */
  error?: string;
  ms: number;
  protocol?: string;
  subject?: string;
  altNames?: string;
  issuer?: string;
  notBefore?: string;
  notAfter?: string;
  fingerprint256?: string;
  /** The certificate's notAfter is in the past (at the probe's time). */
  expired?: boolean;
}

/** A DN attribute may repeat (an array); keep it one string. */
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(', ') : v);

export function checkTls(name: string, address: string, port: number, ca: string | undefined, timeoutMs: number, now: number, signal?: AbortSignal): Promise<TlsEvidence> {
  const t0 = process.hrtime.bigint();
  if (signal?.aborted) return Promise.resolve({ address, ok: false, error: 'EABORTED', ms: 0 });
  return new Promise((resolve) => {
    let done = false;
    const onAbort = () => finish({ ok: false, error: 'EABORTED' });
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (r: Omit<TlsEvidence, 'address' | 'ms'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      s.destroy();
      resolve({ address, ms: elapsed(t0), ...r });
    };
    // rejectUnauthorized false so the certificate can be read and reported; the verdict is ours.
    const s = connect({ host: address, port, servername: name, rejectUnauthorized: false, ...(ca ? { ca } : {}) });
    const timer = setTimeout(() => finish({ ok: false, error: 'ETIMEDOUT' }), timeoutMs);
    s.once('error', (e) => finish({ ok: false, error: codeOf(e) }));
    s.once('secureConnect', () => {
      const cert: PeerCertificate = s.getPeerCertificate();
      const notAfter = cert.valid_to ? Date.parse(cert.valid_to) : NaN;
      const notBefore = cert.valid_from ? Date.parse(cert.valid_from) : NaN;
      const expired = Number.isFinite(notAfter) ? notAfter < now : undefined;
      const identity = cert.subject ? checkServerIdentity(name, cert) : undefined;
      const chainError = s.authorized ? undefined : ((s.authorizationError as unknown as Error | string | null) ?? undefined);
      const chainCode = typeof chainError === 'string' ? chainError : chainError ? codeOf(chainError) : undefined;
      const error = expired ? 'CERT_HAS_EXPIRED' : (chainCode ?? (identity ? codeOf(identity) : undefined) ?? (Number.isFinite(notBefore) && notBefore > now ? 'CERT_NOT_YET_VALID' : undefined));
      finish({
        ok: !error,
        ...(error ? { error } : {}),
        protocol: s.getProtocol() ?? undefined,
        subject: one(cert.subject?.CN),
        altNames: cert.subjectaltname,
        issuer: one(cert.issuer?.CN),
        notBefore: Number.isFinite(notBefore) ? new Date(notBefore).toISOString() : undefined,
        notAfter: Number.isFinite(notAfter) ? new Date(notAfter).toISOString() : undefined,
        fingerprint256: cert.fingerprint256,
        expired,
      });
    });
  });
}
