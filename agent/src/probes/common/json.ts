/**
 * Reading JSON that other programs print (mdatp, PowerShell ConvertTo-Json): parse without
 * throwing, and read fields that vendors spell several ways or wrap in {value: ...} objects.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Parse JSON text; a parse failure is a reason (e.g. truncated output), never an exception. */
export function parseJson(text: string, what: string): Parsed<unknown> {
  const t = text.replace(/^\uFEFF/, '').trim();
  if (!t) return { ok: false, reason: `${what} printed nothing` };
  try {
    return { ok: true, value: JSON.parse(t) as unknown };
  } catch (e) {
    return { ok: false, reason: `${what} output is not valid JSON (truncated?): ${(e as Error).message.slice(0, 120)}` };
  }
}

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** ConvertTo-Json prints one object for one result and an array for several. */
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]);

/** The first present field among `names`, unwrapped from mdatp's {value: x} managed-setting objects. */
export function pick(o: JsonObject, ...names: string[]): unknown {
  for (const n of names) {
    if (!(n in o)) continue;
    const v = o[n];
    return isObject(v) && 'value' in v ? v.value : v;
  }
  return undefined;
}

export const boolOf = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
export const numOf = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : null);
export const strOf = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/**
 * A date as programs print it: ISO 8601, Windows PowerShell 5.1's "/Date(1666084709000)/",
 * PowerShell 7's {DateTime, value} object, or epoch milliseconds (number or digit string).
 */
export function dateOf(v: unknown): Date | null {
  let d: Date | null = null;
  if (isObject(v)) return dateOf(v.value ?? v.DateTime);
  if (typeof v === 'number') d = new Date(v);
  else if (typeof v === 'string') {
    const ms = v.match(/^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/);
    if (ms) d = new Date(Number(ms[1]));
    else if (/^\d{12,14}$/.test(v)) d = new Date(Number(v));
    else if (/^\d{4}-\d{2}-\d{2}T/.test(v)) d = new Date(v);
  }
  // Year 1601/1970 placeholders mean "never".
  return d && !Number.isNaN(d.getTime()) && d.getUTCFullYear() > 1990 ? d : null;
}
