/** The sign-in page: paste an API token (admin or viewer). */
import { html, type Html } from '../html.js';
import { WORDS } from '../i18n.js';
import { layout, type PageContext } from '../layout.js';

export function loginPage(ctx: PageContext, loginCsrf: string, next: string, failed: boolean): Html {
  const w = WORDS[ctx.lang];
  const body = html`<section class="card login">${failed ? html`<p class="error" id="login-error">${w.signInFailed}</p>` : ''}
<form method="post" action="/console/login"><input type="hidden" name="_csrf" value="${loginCsrf}"><input type="hidden" name="next" value="${next}">
<label for="token">${w.token}</label><input type="password" id="token" name="token" required autocomplete="current-password" autofocus>
<p class="meta">${w.signInHelp}</p><button type="submit">${w.signIn}</button></form></section>`;
  return layout(ctx, 'login', w.signIn, body);
}

/** An error page (403, 404, 400) in the page's language. */
export function errorPage(ctx: PageContext, title: string, message: string): Html {
  const w = WORDS[ctx.lang];
  return layout(ctx, 'other', title, html`<p class="error" id="error">${message}</p><p><a href="/console">${w.back}</a></p>`);
}
