/**
 * A reason as a code with parameters, rendered in Vietnamese or English by one catalogue.
 *
 * Agents and the collector say *why* (a host is not protected, a check failed, a portal is not
 * ready) as `{code, params}`; words are chosen when a person reads them, in the reader's
 * language. Text that no code describes (an OS error message, a command's output) is evidence,
 * never the reason. Codes are stable identifiers: a code is never reused with another meaning.
 */
import { Type, type Static } from '@sinclair/typebox';

/** Parameter values are short strings, numbers or booleans; names are identifiers. */
export const ReasonParams = Type.Record(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_]{0,31}$' }), Type.Union([Type.String({ maxLength: 512 }), Type.Number(), Type.Boolean()]), { maxProperties: 12, additionalProperties: false });
export type ReasonParams = Static<typeof ReasonParams>;

export const Reason = Type.Object(
  {
    /** e.g. PROTECTION_SIGNATURES_OLD, BASELINE_CHECK_FAILED, PORTAL_NO_AAAA. */
    code: Type.String({ pattern: '^[A-Z][A-Z0-9_]{1,63}$', maxLength: 64 }),
    params: Type.Optional(ReasonParams),
  },
  { additionalProperties: false },
);
export type Reason = Static<typeof Reason>;

export type Lang = 'vi' | 'en';

/**
 * One catalogue entry: a template per language. `{name}` is replaced by the parameter `name`;
 * both languages must name the same parameters (a test checks every entry).
 */
export interface ReasonText {
  readonly vi: string;
  readonly en: string;
}
export type ReasonCatalogue = Readonly<Record<string, ReasonText>>;

export const reason = (code: string, params?: ReasonParams): Reason => (params ? { code, params } : { code });

const PLACEHOLDER = /\{([a-zA-Z][a-zA-Z0-9_]*)\}/g;

/** The parameter names a template uses, sorted. */
export const placeholders = (template: string): string[] => [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string))].sort();

const formatValue = (v: string | number | boolean, lang: Lang): string => {
  if (typeof v === 'number') {
    // Vietnamese writes a decimal comma (67,3); integers stay as they are.
    const s = Number.isInteger(v) ? String(v) : String(Math.round(v * 10) / 10);
    return lang === 'vi' ? s.replace('.', ',') : s;
  }
  if (typeof v === 'boolean') return lang === 'vi' ? (v ? 'có' : 'không') : v ? 'yes' : 'no';
  return v;
};

/**
 * Render a reason in `lang`. An unknown code is rendered as the code itself with its parameters,
 * so that a newer agent's reason is still shown, never dropped.
 */
export const renderReason = (r: Reason, lang: Lang, catalogue: ReasonCatalogue): string => {
  const entry = catalogue[r.code];
  const params = r.params ?? {};
  if (!entry) {
    const args = Object.entries(params).map(([k, v]) => `${k}=${String(v)}`);
    return args.length ? `${r.code} (${args.join(', ')})` : r.code;
  }
  return entry[lang].replace(PLACEHOLDER, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : formatValue(v, lang);
  });
};
