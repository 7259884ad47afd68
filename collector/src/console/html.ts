/**
 * The console's one way to make HTML: the `html` tagged template escapes every interpolated
 * value unless it is already `Html` (made by `html` itself or, rarely and on purpose, `raw`).
 * Hostnames, product names and most other strings on these pages come from agents: forgetting
 * to escape must not be possible, so there is no string concatenation of markup anywhere else.
 */

/** Markup that is safe to insert as is. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escape text for an element body or a quoted attribute value. */
export const escapeText = (s: string): string => s.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);

/** A value a template may interpolate: text is escaped, Html kept, lists joined, nothing for null/false. */
export type Interpolated = Html | string | number | boolean | null | undefined | readonly Interpolated[];

function render(v: Interpolated): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return (v as readonly Interpolated[]).map(render).join('');
  return escapeText(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Interpolated[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** Trusted markup (a constant of this code base, never a value from a request or an agent). */
export const raw = (s: string): Html => new Html(s);

// Bidirectional controls and zero-width characters would let an agent's string reorder or hide
// text around it (a hostname ending in U+202E flips what follows). They are shown as visible
// code points instead, and the string is isolated in <bdi> so its direction cannot leak.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c]/g;
const HAS_INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c]/;

/** The longest agent-controlled string shown whole; longer ones are cut (the full text is the title). */
export const MAX_SHOWN = 120;

/**
 * A string an agent sent (hostname, product name, evidence): escaped, direction-isolated,
 * invisible controls made visible, very long values cut with the whole value in the tooltip.
 */
export function agentText(s: string | null | undefined, max = MAX_SHOWN): Html {
  if (s === null || s === undefined || s === '') return html`<span class="none">—</span>`;
  const code = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  const visible = (t: string) => escapeText(t).replace(INVISIBLE, (c) => `<span class="ctl">${code(c)}</span>`);
  // The tooltip cannot hold markup: the controls are written out there as [U+202E].
  const title = escapeText(s.replace(INVISIBLE, (c) => `[${code(c)}]`));
  const chars = [...s];
  if (chars.length <= max && !HAS_INVISIBLE.test(s)) return new Html(chars.length > 40 ? `<bdi class="long">${escapeText(s)}</bdi>` : `<bdi>${escapeText(s)}</bdi>`);
  const shown = chars.length > max ? `${chars.slice(0, max).join('')}` : s;
  const cut = chars.length > max ? `<span class="cut">… (+${chars.length - max})</span>` : '';
  return new Html(`<bdi class="agent" title="${title}">${visible(shown)}</bdi>${cut}`);
}

/** Join items with a separator (both may be Html). */
export const join = (items: readonly Interpolated[], sep: Interpolated = ''): Html => new Html(items.map(render).join(render(sep)));
