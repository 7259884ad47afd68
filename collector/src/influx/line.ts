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

const escMeasurement = (s: string) => s.replace(/[, ]/g, (c) => `\\${c}`);
const escKey = (s: string) => s.replace(/[,= ]/g, (c) => `\\${c}`);
const escString = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

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
    if (v !== '') line += `,${escKey(k)}=${escKey(v)}`;
  }
  const fields = Object.entries(p.fields).map(([k, v]) => `${escKey(k)}=${fieldValue(v)}`);
  if (!fields.length) throw new Error(`point of ${p.measurement} has no fields`);
  return `${line} ${fields.join(',')} ${Math.trunc(p.timestamp)}`;
}

export const toLines = (points: readonly Point[]): string => points.map(toLine).join('\n');

/** An outbox row as line protocol: rows written by the walking skeleton hold JSON points. */
export const legacyRow = (text: string): string => (text.startsWith('[') ? toLines(JSON.parse(text) as Point[]) : text);
