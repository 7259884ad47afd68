/**
 * The console under /console: server-rendered pages, one small script, one stylesheet. The
 * collector's access guard leaves /console to this plugin, which checks its own session cookie
 * on every page and its CSRF token, the browser's origin and the role on every change.
 *
 *   GET  /console                       overview
 *   GET  /console/units/:id             a unit
 *   GET  /console/hosts/:id             a host            POST .../decommission (admin)
 *   GET  /console/systems               the registry      GET/POST /console/systems/:id (POST: admin)
 *   GET  /console/alerts                alerts
 *   GET  /console/admin                 agents and units  POST /console/agents/:id/revoke, /console/units/:id/rotate (admin)
 *   GET/POST /console/login, POST /console/logout, GET /console/lang/:lang, GET /console/assets/:hash/:file
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sha256 } from '../auth/secrets.js';
import { TokenBuckets } from '../auth/ratelimit.js';
import type { Collector } from '../context.js';
import { ApiFailure } from '../errors.js';
import type { ConsoleSession } from '../store/console-sessions.js';
import { ASSETS } from './assets.js';
import { consoleData, type ConsoleData } from './data.js';
import type { Html } from './html.js';
import { LANGS, WORDS, fill, type Lang } from './i18n.js';
import type { PageContext } from './layout.js';
import { adminPage } from './pages/admin.js';
import { alertsPage } from './pages/alerts.js';
import { hostPage } from './pages/host.js';
import { errorPage, loginPage } from './pages/login.js';
import { overviewPage } from './pages/overview.js';
import { SHOW, recordFromForm, systemPage, systemsPage, type Show } from './pages/systems.js';
import { unitPage } from './pages/unit.js';
import { LANG_COOKIE, LOGIN_COOKIE, SESSION_COOKIE, SESSION_TTL_MS, crossSite, isSecure, langOf, parseCookies, safeNext, sameToken, serializeCookie, sessionId, sessionOf, setCookie } from './session.js';

/** No inline script or style anywhere: everything comes from /console/assets. */
export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

type Form = Record<string, string>;

/** The string fields of a body (a form; a JSON body posted here keeps only its string values). */
const toForm = (body: unknown): Form => {
  const form: Form = Object.create(null) as Form;
  if (body && typeof body === 'object') for (const [k, v] of Object.entries(body)) if (typeof v === 'string') form[k] = v;
  return form;
};

const send = (reply: FastifyReply, page: Html, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(page.value);

export function consoleRoutes(app: FastifyInstance, c: Collector): void {
  const data = consoleData(c);
  const failures = new TokenBuckets(data.authFailuresPerMinute, data.authFailuresPerMinute);
  void app.register(
    async (scope) => {
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
        const form: Form = Object.create(null) as Form;
        for (const [k, v] of new URLSearchParams(body as string)) if (!(k in form)) form[k] = v;
        done(null, form);
      });

      scope.addHook('onSend', async (req, reply, payload) => {
        void reply.header('content-security-policy', CONSOLE_CSP);
        void reply.header('x-content-type-options', 'nosniff');
        void reply.header('x-frame-options', 'DENY');
        void reply.header('referrer-policy', 'same-origin');
        void reply.header('cross-origin-opener-policy', 'same-origin');
        if (!req.url.startsWith('/console/assets/')) void reply.header('cache-control', 'no-store');
        return payload;
      });

      const ctxOf = (req: FastifyRequest, session: ConsoleSession | undefined): PageContext => ({ lang: langOf(req), session, path: req.url });

      scope.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
        const ctx = ctxOf(req, sessionOf(req, data));
        const w = WORDS[ctx.lang];
        if (err instanceof ApiFailure) return send(reply, errorPage(ctx, err.status === 404 ? w.notFound : w.invalid, err.message), err.status);
        if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return send(reply, errorPage(ctx, w.invalid, err.message), err.statusCode);
        req.log.error({ err }, 'console page failed');
        return send(reply, errorPage(ctx, 'Error', 'internal error; the collector logged the details'), 500);
      });

      scope.setNotFoundHandler((req, reply) => {
        const ctx = ctxOf(req, sessionOf(req, data));
        return send(reply, errorPage(ctx, WORDS[ctx.lang].notFound, req.url.split('?')[0]!), 404);
      });

      /** A page for signed-in people; others are sent to sign in and come back. */
      const page = (render: (ctx: PageContext, req: FastifyRequest) => Html | undefined) => async (req: FastifyRequest, reply: FastifyReply) => {
        const session = sessionOf(req, data);
        if (!session) return reply.redirect(`/console/login?next=${encodeURIComponent(req.url)}`, 303);
        const ctx = ctxOf(req, session);
        // A page that would evaluate waits for the scheduled evaluation under way instead (one in memory at a time).
        await data.settled();
        const out = render(ctx, req);
        return out ? send(reply, out) : send(reply, errorPage(ctx, WORDS[ctx.lang].notFound, req.url.split('?')[0]!), 404);
      };

      const forbidden = (reply: FastifyReply, ctx: PageContext, message: string) => send(reply, errorPage(ctx, WORDS[ctx.lang].forbidden, message), 403);

      /** A change: same-site, signed in, the session's CSRF token, and (by default) the admin role. */
      const action =
        (run: (ctx: PageContext & { session: ConsoleSession }, form: Form, req: FastifyRequest, reply: FastifyReply) => unknown, opts: { admin: boolean } = { admin: true }) =>
        async (req: FastifyRequest, reply: FastifyReply) => {
          const session = sessionOf(req, data);
          const ctx = ctxOf(req, session);
          const w = WORDS[ctx.lang];
          const form = toForm(req.body);
          if (crossSite(req) || !session || !sameToken(form._csrf, session.csrf)) return forbidden(reply, ctx, w.forbiddenCsrf);
          if (opts.admin && session.role !== 'admin') return forbidden(reply, ctx, w.forbiddenRole);
          await data.settled();
          return run({ ...ctx, session }, form, req, reply);
        };

      const actor = (s: ConsoleSession) => `console:${s.tokenName}`;
      const param = (req: FastifyRequest, k: string) => (req.params as Record<string, string>)[k]!;
      const query = (req: FastifyRequest) => req.query as Record<string, string | string[] | undefined>;
      const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
      const offsetOf = (req: FastifyRequest) => Math.max(0, Math.min(1e7, Number.parseInt(one(query(req).offset) ?? '0', 10) || 0));
      const unitOf = (req: FastifyRequest) => {
        const u = one(query(req).unit);
        return u && data.units().some((x) => x.id === u) ? u : undefined;
      };

      // ---- sign in / out, language, assets

      scope.get('/login', async (req, reply) => {
        if (sessionOf(req, data)) return reply.redirect(safeNext(one(query(req).next)), 303);
        const token = randomBytes(24).toString('base64url');
        setCookie(reply, serializeCookie(LOGIN_COOKIE, token, { secure: isSecure(req, data), maxAgeS: 3600 }));
        return send(reply, loginPage(ctxOf(req, undefined), token, safeNext(one(query(req).next)), false));
      });

      scope.post('/login', async (req, reply) => {
        const ctx = ctxOf(req, undefined);
        const w = WORDS[ctx.lang];
        const form = toForm(req.body);
        const loginCsrf = parseCookies(req.headers.cookie).get(LOGIN_COOKIE) ?? '';
        if (crossSite(req) || !loginCsrf || !sameToken(form._csrf, loginCsrf)) return forbidden(reply, ctx, w.forbiddenCsrf);
        const blocked = failures.blockedFor(req.ip);
        if (blocked) return send(reply, errorPage(ctx, w.signIn, `too many failed sign-ins from ${req.ip}; retry in ${blocked} s`), 429);
        const token = (form.token ?? '').trim();
        const check = token ? c.tokens.check(token) : { ok: false as const, why: 'empty' };
        if (!check.ok) {
          failures.take(req.ip);
          req.log.warn({ ip: req.ip }, 'console sign-in failed');
          return send(reply, loginPage(ctx, loginCsrf, safeNext(form.next), true), 401);
        }
        const { id } = data.sessions.open(sha256(token), SESSION_TTL_MS);
        const secure = isSecure(req, data);
        setCookie(reply, serializeCookie(SESSION_COOKIE, id, { secure, maxAgeS: SESSION_TTL_MS / 1000 }));
        setCookie(reply, serializeCookie(LOGIN_COOKIE, '', { secure, maxAgeS: 0 }));
        return reply.redirect(safeNext(form.next), 303);
      });

      scope.post(
        '/logout',
        action(
          (_ctx, _form, req, reply) => {
            const id = sessionId(req);
            if (id) data.sessions.close(id);
            setCookie(reply, serializeCookie(SESSION_COOKIE, '', { secure: isSecure(req, data), maxAgeS: 0 }));
            return reply.redirect('/console/login', 303);
          },
          { admin: false },
        ),
      );

      scope.get('/lang/:lang', async (req, reply) => {
        const lang = param(req, 'lang') as Lang;
        if (LANGS.includes(lang)) setCookie(reply, serializeCookie(LANG_COOKIE, lang, { secure: isSecure(req, data), maxAgeS: 365 * 86400 }));
        return reply.redirect(safeNext(one(query(req).next)), 303);
      });

      scope.get('/assets/:hash/:file', async (req, reply) => {
        const asset = ASSETS.get(param(req, 'file'));
        if (!asset) return reply.code(404).type('text/plain').send('no such asset');
        return reply.header('cache-control', 'public, max-age=86400').type(asset.type).send(asset.body);
      });

      // ---- pages

      scope.get(
        '/',
        page((ctx) => overviewPage(ctx, data)),
      );
      scope.get(
        '/units/:id',
        page((ctx, req) => unitPage(ctx, data, param(req, 'id'))),
      );
      scope.get(
        '/hosts/:id',
        page((ctx, req) => hostPage(ctx, data, param(req, 'id'))),
      );
      scope.get(
        '/systems',
        page((ctx, req) => {
          const show = one(query(req).show) as Show;
          return systemsPage(ctx, data, { show: SHOW.includes(show) ? show : 'all', unit: unitOf(req), offset: offsetOf(req) });
        }),
      );
      scope.get(
        '/systems/:id',
        page((ctx, req) => systemPage(ctx, data, param(req, 'id'), one(query(req).saved) ? { flash: { kind: 'flash', text: WORDS[ctx.lang].saved } } : {})),
      );
      scope.get(
        '/alerts',
        page((ctx) => alertsPage(ctx, data)),
      );
      scope.get(
        '/admin',
        page((ctx, req) => {
          // Only a fact the store confirms is shown back, never text from the query string.
          const revoked = one(query(req).revoked);
          const agent = revoked ? data.agents(undefined).find((a) => a.id === revoked && a.revoked_at) : undefined;
          return adminPage(ctx, data, { unit: unitOf(req), offset: offsetOf(req), ...(agent ? { flash: `${WORDS[ctx.lang].revoked}: ${agent.hostname} (${agent.id})` } : {}) });
        }),
      );

      // ---- changes (admin), each through the same action as the API and CLI, with its audit record

      scope.post(
        '/systems/:id',
        action((ctx, form, req, reply) => {
          const id = param(req, 'id');
          const existing = data.system(id)?.record;
          const member = data.evaluation().systemById.get(id);
          if (!existing && !member) return send(reply, errorPage(ctx, WORDS[ctx.lang].notFound, id), 404);
          const record = recordFromForm(form, id, existing, member?.unit);
          try {
            data.putSystem(record, actor(ctx.session), id);
          } catch (e) {
            if (!(e instanceof ApiFailure)) throw e;
            return send(reply, systemPage(ctx, data, id, { flash: { kind: 'error', text: e.message }, draft: record })!, e.status);
          }
          return reply.redirect(`/console/systems/${encodeURIComponent(id)}?saved=1`, 303);
        }),
      );

      scope.post(
        '/hosts/:id/decommission',
        action((ctx, form, req, reply) => {
          const id = param(req, 'id');
          data.decommissionHost(id, (form.reason ?? '').trim(), actor(ctx.session));
          return reply.redirect(`/console/hosts/${encodeURIComponent(id)}`, 303);
        }),
      );

      scope.post(
        '/agents/:id/revoke',
        action((ctx, form, req, reply) => {
          const id = param(req, 'id');
          data.revokeAgent(id, actor(ctx.session), (form.reason ?? '').trim());
          return reply.redirect(`/console/admin?revoked=${encodeURIComponent(id)}`, 303);
        }),
      );

      scope.post(
        '/units/:id/rotate',
        action((ctx, form, req, reply) => {
          const unit = param(req, 'id');
          const days = (form.expiresDays ?? '').trim();
          if (days && !/^\d{1,4}$/.test(days)) throw new ApiFailure('REQUEST_INVALID', `expiresDays must be a whole number of days, got "${days}"`);
          const expires = days ? new Date(Date.now() + Number(days) * 86400_000) : null;
          const secret = data.rotateSecret(unit, expires, actor(ctx.session));
          return send(reply, adminPage(ctx, data, { unit: undefined, offset: 0, newSecret: { unit, secret }, flash: fill(WORDS[ctx.lang].newSecret, { unit }) }));
        }),
      );
    },
    { prefix: '/console' },
  );
}

export type { ConsoleData };
