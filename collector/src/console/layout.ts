/** The page shell: header, navigation, language switch, who is signed in, and the sign-out form. */
import { html, type Html } from './html.js';
import { WORDS, type Lang } from './i18n.js';
import type { ConsoleSession } from '../store/console-sessions.js';
import { ASSET_PATHS } from './assets.js';

export interface PageContext {
  lang: Lang;
  /** The signed-in session (absent on the sign-in page). */
  session: ConsoleSession | undefined;
  /** The path and query of this page, for the language switch to come back to. */
  path: string;
}

export const isAdmin = (ctx: PageContext): boolean => ctx.session?.role === 'admin';

/** The hidden field every form carries (the session's anti-CSRF token). */
export const csrfField = (ctx: PageContext): Html => html`<input type="hidden" name="_csrf" value="${ctx.session?.csrf ?? ''}">`;

type Section = 'overview' | 'systems' | 'alerts' | 'admin' | 'login' | 'other';

/** `heading` replaces the title in the page's <h1> (e.g. with an agent's hostname, isolated). */
export function layout(ctx: PageContext, section: Section, title: string, body: Html, heading?: Html): Html {
  const w = WORDS[ctx.lang];
  const other: Lang = ctx.lang === 'vi' ? 'en' : 'vi';
  const nav = ctx.session
    ? html`<nav class="main">${(
        [
          ['overview', '/console', w.overview],
          ['systems', '/console/systems', w.systems],
          ['alerts', '/console/alerts', w.alerts],
          ['admin', '/console/admin', w.admin],
        ] as const
      ).map(([id, href, label]) => html`<a href="${href}"${id === section ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>`
    : '';
  const who = ctx.session
    ? html`<form class="signout" method="post" action="/console/logout">${csrfField(ctx)}<span class="who">${w.signedInAs} <b>${ctx.session.tokenName}</b> (${ctx.session.role === 'admin' ? w.roleAdmin : w.roleViewer})</span> <button type="submit">${w.signOut}</button></form>`
    : '';
  return html`<!doctype html>
<html lang="${ctx.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — Posture</title>
<link rel="stylesheet" href="${ASSET_PATHS.css}">
<script src="${ASSET_PATHS.js}" defer></script>
</head><body data-section="${section}">
<header><a class="brand" href="/console">${w.product}</a>${nav}<span class="tools"><a class="lang" hreflang="${other}" href="/console/lang/${other}?next=${encodeURIComponent(ctx.path)}">${w.language}</a>${who}</span></header>
<main>
<h1>${heading ?? title}</h1>
${body}
</main>
</body></html>
`;
}
