// Signing in to the console as a browser does, for the benches that time its pages.

/** The session cookie (`pc_session=...`) for `token`: the sign-in form's cookie and hidden token, then the form posted. */
export async function consoleSession(base, token) {
  const form = await fetch(`${base}/console/login`);
  const loginCookie = form.headers
    .getSetCookie()
    .find((x) => x.startsWith('pc_login='))
    ?.split(';')[0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!loginCookie || !csrf) throw new Error(`console sign-in form: HTTP ${form.status} without its cookie or token`);
  const signed = await fetch(`${base}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie, origin: base },
    body: new URLSearchParams({ _csrf: csrf, token, next: '/console' }),
  });
  const session = signed.headers
    .getSetCookie()
    .find((x) => x.startsWith('pc_session='))
    ?.split(';')[0];
  if (signed.status !== 303 || !session) throw new Error(`console sign-in failed: HTTP ${signed.status}`);
  return session;
}
