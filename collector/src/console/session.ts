/**
 * Who is asking, and may they change things: the session cookie, the anti-CSRF checks, and the
 * page language. Sessions are opened with an existing API token (store/console-sessions.ts).
 *
 * Cookies: `pc_session` (HttpOnly, SameSite=Strict, Path=/console, Secure when the collector
 * serves HTTPS), `pc_login` (the sign-in form's double-submit token, same attributes), `pc_lang`.
 * Every POST must carry the session's CSRF token in the `_csrf` field, and a browser that says
 * the request comes from another site (Origin, Sec-Fetch-Site) is refused before that.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleSession } from '../store/console-sessions.js';
import type { ConsoleData } from './data.js';
import { LANGS, type Lang } from './i18n.js';

export const SESSION_COOKIE = 'pc_session';
export const LOGIN_COOKIE = 'pc_login';
export const LANG_COOKIE = 'pc_lang';
/** A session lasts one working day at most; signing in again is one paste. */
export const SESSION_TTL_MS = 12 * 3600_000;

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    if (!out.has(k)) {
      try {
        out.set(k, decodeURIComponent(part.slice(i + 1).trim()));
      } catch {
        // A cookie that is not valid percent-encoding is ignored, as if absent.
      }
    }
  }
  return out;
}

export interface CookieOptions {
  maxAgeS?: number;
  secure: boolean;
  httpOnly?: boolean;
}

export const serializeCookie = (name: string, value: string, o: CookieOptions): string =>
  [`${name}=${encodeURIComponent(value)}`, 'Path=/console', 'SameSite=Strict', ...(o.httpOnly === false ? [] : ['HttpOnly']), ...(o.secure ? ['Secure'] : []), ...(o.maxAgeS !== undefined ? [`Max-Age=${o.maxAgeS}`] : [])].join('; ');

/** Add a Set-Cookie header (several may be sent). */
export function setCookie(reply: FastifyReply, cookie: string): void {
  const prev = reply.getHeader('set-cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev.map(String) : [String(prev)];
  void reply.header('set-cookie', [...list, cookie]);
}

/** The request came over TLS (directly). */
export const isSecure = (req: FastifyRequest, data: ConsoleData): boolean => data.tls || req.protocol === 'https';

export function langOf(req: FastifyRequest): Lang {
  const c = parseCookies(req.headers.cookie).get(LANG_COOKIE);
  return LANGS.includes(c as Lang) ? (c as Lang) : 'vi';
}

export function sessionOf(req: FastifyRequest, data: ConsoleData): ConsoleSession | undefined {
  const id = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  return id ? data.sessions.get(id) : undefined;
}

export function sessionId(req: FastifyRequest): string | undefined {
  return parseCookies(req.headers.cookie).get(SESSION_COOKIE);
}

export const sameToken = (a: string | undefined, b: string): boolean => {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * A browser's word on where a POST comes from. SameSite=Strict already keeps the cookie off
 * cross-site requests; this refuses them even when a cookie is there (old browsers, sub-domains).
 */
export function crossSite(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.headers.origin;
  if (origin && origin !== 'null') {
    try {
      // Both through URL, so a default port written out (Host: x:80) compares equal.
      const o = new URL(origin);
      return o.host !== new URL(`${o.protocol}//${req.headers.host ?? ''}`).host;
    } catch {
      return true;
    }
  }
  return origin === 'null';
}

/** A `next` path to go back to after sign-in or a language switch: only console paths (no open redirect). */
export const safeNext = (next: unknown): string => (typeof next === 'string' && /^\/console(\/[A-Za-z0-9._~%/?=&+-]*)?$/.test(next) && !next.includes('//') ? next : '/console');
