/**
 * InfluxDB line protocol, written here rather than by node-influx: node-influx 5.12 leaves a
 * trailing backslash in a tag value unescaped (InfluxDB then reads `\,` as an escaped comma and
 * refuses the batch) and the outbox is faster as ready-made text (no JSON round trip, no
 * serialisation on the drain path). Escaping per the InfluxDB 1.x reference:
 *   measurement         `,` and space
 *   tag keys and values `,` `=` and space (newlines and a trailing `\` cannot be expressed:
 *                       ingest refuses them in the one free-text tag, hostname)
 *   field keys          `,` `=` and space
 *   string field values inside double quotes, `"` and `\` escaped; newlines are fine
 * Tags are sorted by key (what InfluxDB recommends); empty tag values are left out (InfluxDB has
 * none). Numbers are written as floats, so a field keeps one type for ever.
 */
import type { Point } from './points.js';

// Escaping runs on the ingest path for every tag and field of every report: most strings need
// none, so a test comes first (a replace with a callback costs far more than a test), and keys,
// which are few and repeat, are escaped once and remembered.
const MEASUREMENT_SPECIAL = /[, ]/;
const KEY_SPECIAL = /[,= ]/;
const STRING_SPECIAL = /[\\"]/;
const escMeasurement = (s: string) => (MEASUREMENT_SPECIAL.test(s) ? s.replace(/[, ]/g, (c) => `\\${c}`) : s);
const escKey = (s: string) => (KEY_SPECIAL.test(s) ? s.replace(/[,= ]/g, (c) => `\\${c}`) : s);
const escString = (s: string) => `"${STRING_SPECIAL.test(s) ? s.replace(/[\\"]/g, (c) => `\\${c}`) : s}"`;
const KEYS_MAX = 1000;
const escapedKeys = new Map<string, string>();
function escName(k: string): string {
  let e = escapedKeys.get(k);
  if (e === undefined) {
    e = escKey(k);
    // Keys are the schema's few names; the bound only guards against a caller with free-form keys.
    if (escapedKeys.size < KEYS_MAX) escapedKeys.set(k, e);
  }
  return e;
}

function fieldValue(v: number | boolean | string): string {
  if (typeof v === 'string') return escString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (!Number.isFinite(v)) throw new Error(`field value ${v} is not a finite number`);
  return String(v);
}

/** One point as one line (no trailing newline), timestamp in milliseconds. */
export function toLine(p: Point): string {
  let line = escMeasurement(p.measurement);
  for (const k of Object.keys(p.tags).sort()) {
    const v = p.tags[k]!;
    if (v !== '') line += `,${escName(k)}=${escKey(v)}`;
  }
  let sep = ' ';
  for (const k in p.fields) {
    line += `${sep}${escName(k)}=${fieldValue(p.fields[k]!)}`;
    sep = ',';
  }
  if (sep === ' ') throw new Error(`point of ${p.measurement} has no fields`);
  return `${line} ${Math.trunc(p.timestamp)}`;
}

export function toLines(points: readonly Point[]): string {
  let text = '';
  for (let i = 0; i < points.length; i++) text += (i ? '\n' : '') + toLine(points[i]!);
  return text;
}

/** An outbox row as line protocol: rows written by the walking skeleton hold JSON points. */
export const legacyRow = (text: string): string => (text.startsWith('[') ? toLines(JSON.parse(text) as Point[]) : text);
