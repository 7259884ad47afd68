/**
 * "The same page over IPv6 as over IPv4, within 10%". How we measure it:
 *
 * 1. Strip what legitimately changes on every request: values of nonce, CSRF/XSRF and
 *    anti-forgery token attributes and hidden inputs (Rails `authenticity_token`, Django
 *    `csrfmiddlewaretoken`, Laravel `_token`, ASP.NET `__RequestVerificationToken`,
 *    `__VIEWSTATE`, `__EVENTVALIDATION`), `<meta name="csrf-token">`, and any remaining run of
 *    16+ hex/base64 characters that mixes letters and digits (request ids, cache busters).
 * 2. Tokenize into words (Unicode letters and digits; markup names count as words too, so a
 *    different template shows even with the same text).
 * 3. Score = Sørensen–Dice coefficient of the multisets of word 3-shingles:
 *    2·|A ∩ B| / (|A| + |B|), in [0, 1]. 3-shingles keep local word order (a reordered page
 *    scores lower), multisets count repeats, and the cost is linear in the page size (no LCS).
 *    Two empty pages score 1.
 *
 * The page passes when score >= 0.90 (the 10% of Internet.nl's criterion).
 */

const TOKEN_ATTRS = '(?:nonce|csrf[\\w-]*|xsrf[\\w-]*|_?csrf_?token|authenticity_token|csrfmiddlewaretoken|_token|__RequestVerificationToken|__VIEWSTATE\\w*|__EVENTVALIDATION|__EVENTTARGET|__EVENTARGUMENT)';

/** name="TOKEN" ... value="x" and value="x" ... name="TOKEN" (hidden inputs, both attribute orders). */
const INPUT_BEFORE = new RegExp(`(<input\\b[^>]*\\b(?:name|id)\\s*=\\s*["']${TOKEN_ATTRS}["'][^>]*\\bvalue\\s*=\\s*)(["'])[^"']*\\2`, 'gi');
const INPUT_AFTER = new RegExp(`(<input\\b[^>]*\\bvalue\\s*=\\s*)(["'])[^"']*\\2(?=[^>]*\\b(?:name|id)\\s*=\\s*["']${TOKEN_ATTRS}["'])`, 'gi');
/** <meta name="csrf-token" content="x"> */
const META = new RegExp(`(<meta\\b[^>]*\\bname\\s*=\\s*["']${TOKEN_ATTRS}["'][^>]*\\bcontent\\s*=\\s*)(["'])[^"']*\\2`, 'gi');
/** nonce="x", csrf-token="x", data-csrf="x" as attributes of any element. */
const ATTR = new RegExp(`(\\b(?:data-)?${TOKEN_ATTRS}\\s*=\\s*)(["'])[^"']*\\2`, 'gi');
/** Long random-looking runs left over (must contain a digit and a letter). */
const RANDOM_RUN = /\b(?=[A-Za-z0-9+/_-]*\d)(?=[A-Za-z0-9+/_-]*[A-Za-z])[A-Za-z0-9+/_-]{16,}={0,2}/g;

export function stripNonces(html: string): string {
  return html.replace(INPUT_BEFORE, '$1$2$2').replace(INPUT_AFTER, '$1$2$2').replace(META, '$1$2$2').replace(ATTR, '$1$2$2').replace(RANDOM_RUN, '');
}

const WORD = /[\p{L}\p{N}]+/gu;

function shingles(text: string): Map<string, number> {
  const words = text.toLowerCase().match(WORD) ?? [];
  const out = new Map<string, number>();
  const add = (k: string) => out.set(k, (out.get(k) ?? 0) + 1);
  if (words.length < 3) {
    if (words.length) add(words.join(' '));
    return out;
  }
  for (let i = 0; i + 2 < words.length; i++) add(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
  return out;
}

/** Dice similarity of the two pages after stripping nonces, in [0, 1]. */
export function pageSimilarity(a: string, b: string): number {
  const sa = shingles(stripNonces(a));
  const sb = shingles(stripNonces(b));
  let na = 0;
  let nb = 0;
  let common = 0;
  for (const n of sa.values()) na += n;
  for (const [k, n] of sb) {
    nb += n;
    common += Math.min(n, sa.get(k) ?? 0);
  }
  if (na + nb === 0) return 1;
  return (2 * common) / (na + nb);
}
