/**
 * Hashing of what callers present. Enrollment secrets may be low-entropy (typed by people), so
 * they are stored as salted scrypt hashes. Agent credentials and API tokens are 256-bit random
 * values made here, so a plain sha256 is enough and lets the store find them by an index.
 */
import { hash, randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const sha256 = (s: string): string => hash('sha256', s, 'hex');

/** N=2^14, r=8: about 16 MiB and tens of milliseconds per hash on a small VM. */
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEYLEN = 32;

/** `scrypt$N$r$p$<salt b64>$<hash b64>`: the parameters travel with the hash so they can grow. */
export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(secret, salt, KEYLEN, { ...PARAMS, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

function parse(stored: string): { salt: Buffer; hash: Buffer; opts: ScryptOptions } | undefined {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([^$]+)\$([^$]+)$/.exec(stored);
  if (!m) return undefined;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return { salt: Buffer.from(m[4]!, 'base64'), hash: Buffer.from(m[5]!, 'base64'), opts: { N, r, p, maxmem: 256 * N * r + 1024 * 1024 } };
}

/** Constant-time check of `secret` against a stored scrypt hash (synchronous: CLI and start-up). */
export function verifySecretSync(secret: string, stored: string): boolean {
  const s = parse(stored);
  if (!s) return false;
  return timingSafeEqual(scryptSync(secret, s.salt, s.hash.length, s.opts), s.hash);
}

/** Same check on the libuv thread pool, so enrollment never blocks ingest on the event loop. */
export function verifySecret(secret: string, stored: string): Promise<boolean> {
  const s = parse(stored);
  if (!s) return Promise.resolve(false);
  return new Promise((resolve, reject) => scrypt(secret, s.salt, s.hash.length, s.opts, (err, key) => (err ? reject(err) : resolve(timingSafeEqual(key, s.hash)))));
}

/** A new random bearer value with a prefix that says what it is (pa_ agent, pt_ API token, pr_ relay, pe_ enrollment secret). */
export const newToken = (prefix: 'pa' | 'pt' | 'pe' | 'pr'): string => `${prefix}_${randomBytes(32).toString('base64url')}`;
