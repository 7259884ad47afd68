/**
 * The one access check of the collector: an onRequest hook that maps each route to what it
 * needs, so routes other engineers add under /api/v1/ or /report are guarded (viewer for reads,
 * admin for writes) without doing anything. Anything not listed, including unknown paths,
 * needs a viewer token: deny by default.
 *
 *   /healthz                 public
 *   /api/v1/enroll           public (the unit's enrollment secret is in the body; rate-limited per source)
 *   /api/v1/reports          agent credential
 *   /api/v1/relay/enroll     public (the unit's enrollment secret is in the body; rate-limited per source)
 *   /api/v1/relay/**         relay credential (a unit's collector forwarding its reports)
 *   /metrics                 viewer token, or public with auth.metricsPublic
 *   /api/v1/** GET, HEAD     viewer token (admin tokens pass too)
 *   /api/v1/** other methods admin token
 *   /console/**              the console's own session cookie, CSRF token and role (console/routes.ts)
 *   everything else          viewer token
 *
 * Tokens come as `Authorization: Bearer <token>` or, for browsers opening /report, HTTP Basic
 * with the token as the password. An agent credential is not an API token: it opens nothing but
 * /api/v1/reports; a relay credential opens nothing but /api/v1/relay/reports.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';
import type { AgentRow } from '../store/agents.js';
import type { RelayRow } from '../store/relays.js';
import type { Role } from '../store/tokens.js';
import { TokenBuckets } from './ratelimit.js';

export type Access = 'public' | 'agent' | 'relay' | Role;

/** Who made the request, once the guard let it through. */
export type Principal = { kind: 'anonymous' } | { kind: 'agent'; agent: AgentRow } | { kind: 'relay'; relay: RelayRow } | { kind: 'token'; name: string; role: Role };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/** Path prefixes (whole segments) and what they need; first match wins. */
export function accessFor(path: string, method: string, metricsPublic: boolean): Access {
  const under = (p: string) => path === p || path.startsWith(`${p}/`);
  if (under('/healthz')) return 'public';
  if (under('/api/v1/enroll')) return 'public';
  if (under('/api/v1/reports')) return 'agent';
  if (under('/api/v1/relay/enroll')) return 'public';
  if (under('/api/v1/relay')) return 'relay';
  if (under('/metrics')) return metricsPublic ? 'public' : 'viewer';
  // Browsers carry a session cookie, not a bearer token: the console checks it on every page.
  if (under('/console')) return 'public';
  if (under('/api/v1') && method !== 'GET' && method !== 'HEAD') return 'admin';
  return 'viewer';
}

/** The bearer value of an Authorization header (Bearer, or Basic with the token as password). */
export function presentedToken(header: string | undefined): string | null | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1]!;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return i >= 0 ? decoded.slice(i + 1) : null;
  }
  return null;
}

/**
 * Failed authentications are limited per presented credential and, with a much higher bound,
 * per source address; only FAILING attempts are refused with 429: a good credential is looked
 * up first and always let through, so one misconfigured agent behind a unit's NAT never locks
 * out its neighbours. (Guessing a 256-bit credential is hopeless anyway; the limits keep the
 * log and the lookups bounded.)
 */
export function installGuard(app: FastifyInstance, c: Collector): { enrollLimiter: TokenBuckets } {
  const { authFailuresPerMinute: perAddress, authFailuresPerCredentialPerMinute: perCredential } = c.config.limits;
  const addressFailures = new TokenBuckets(perAddress, perAddress);
  const credentialFailures = new TokenBuckets(perCredential, perCredential);
  /** The bucket key of a presented credential: a digest, so the map never holds secrets or long headers. */
  const credentialKey = (token: string | null | undefined) => (token ? createHash('sha256').update(token).digest('base64').slice(0, 22) : null);
  const enrollLimiter = new TokenBuckets(c.config.limits.enrollPerMinute, c.config.limits.enrollPerMinute);
  const anonymous: Principal = { kind: 'anonymous' };
  // A non-null reference value is refused by fastify; the hook sets it on every request.
  app.decorateRequest<Principal | null>('principal', null);

  const refuse = (req: FastifyRequest, failure: ApiFailure): never => {
    const key = credentialKey(presentedToken(req.headers.authorization));
    const byCredential = key ? credentialFailures.take(key) : 0;
    const byAddress = addressFailures.take(req.ip);
    req.log.warn({ ip: req.ip, url: req.url.split('?')[0], code: failure.code }, 'authentication failed');
    if (byCredential) throw new ApiFailure('RATE_LIMITED', `too many failed authentications with this credential; retry in ${byCredential} s (${failure.message})`, undefined, byCredential);
    if (byAddress) throw new ApiFailure('RATE_LIMITED', `too many failed authentications from ${req.ip}; retry in ${byAddress} s (${failure.message})`, undefined, byAddress);
    throw failure;
  };

  app.addHook('onRequest', async (req, reply) => {
    // The matched route's pattern when there is one, so encoded or odd paths cannot dodge a rule.
    const path = req.routeOptions.url ?? req.url.split('?')[0]!;
    const access = accessFor(path, req.method, c.config.auth.metricsPublic);
    if (access === 'public') {
      req.principal = anonymous;
      return;
    }
    const token = presentedToken(req.headers.authorization);

    if (access === 'agent' || access === 'relay') {
      const what = access === 'agent' ? 'agent' : 'relay';
      const fix = access === 'agent' ? 're-enroll the agent' : 'enroll the unit collector again ("posture upstream enroll")';
      if (token === undefined) refuse(req, new ApiFailure('AUTH_REQUIRED', `missing "Authorization: Bearer <credential>" header; ${fix}`));
      if (!token) refuse(req, new ApiFailure('AUTH_INVALID', 'Authorization header must be "Bearer <credential>"'));
      if (access === 'agent') {
        const agent = c.agents.byCredential(token!);
        if (!agent) return refuse(req, new ApiFailure('AUTH_INVALID', `unknown ${what} credential; ${fix}`));
        if (agent.revoked_at) refuse(req, new ApiFailure('AGENT_REVOKED', `agent ${agent.id} was revoked at ${agent.revoked_at}; re-enroll it if it should report`));
        req.principal = { kind: 'agent', agent };
      } else {
        const relay = c.relays.byCredential(token!);
        if (!relay) return refuse(req, new ApiFailure('AUTH_INVALID', `unknown ${what} credential; ${fix}`));
        if (relay.revoked_at) refuse(req, new ApiFailure('RELAY_REVOKED', `relay ${relay.id} of unit ${relay.unit} was revoked at ${relay.revoked_at}; ${fix}`));
        req.principal = { kind: 'relay', relay };
      }
      return;
    }

    // Browsers get a login prompt; the password is the token.
    if (token === undefined) {
      reply.header('www-authenticate', 'Basic realm="posture", charset="UTF-8"');
      refuse(req, new ApiFailure('AUTH_REQUIRED', `${path} needs a ${access} API token: send "Authorization: Bearer <token>" (make one with "posture tokens create")`));
    }
    if (!token) refuse(req, new ApiFailure('TOKEN_INVALID', 'Authorization header must be "Bearer <token>" or Basic with the token as password'));
    const check = c.tokens.check(token!);
    if (!check.ok) {
      const hint = token!.startsWith('pa_') ? '; an agent credential opens only /api/v1/reports' : token!.startsWith('pr_') ? '; a relay credential opens only /api/v1/relay/reports' : '';
      return refuse(req, new ApiFailure('TOKEN_INVALID', `${check.why}${hint}`));
    }
    if (access === 'admin' && check.row.role !== 'admin') {
      throw new ApiFailure('FORBIDDEN_ROLE', `${req.method} ${path} needs an admin token; token "${check.row.name}" is ${check.row.role}`);
    }
    req.principal = { kind: 'token', name: check.row.name, role: check.row.role };
  });
  return { enrollLimiter };
}

/** The audit actor of a request. */
export const actorOf = (req: FastifyRequest): string =>
  req.principal?.kind === 'token' ? `token:${req.principal.name}` : req.principal?.kind === 'agent' ? `agent:${req.principal.agent.id}` : req.principal?.kind === 'relay' ? `relay:${req.principal.relay.id}` : 'anonymous';
