/** Reading the "Key: value" / "Key    value" status text that vendor CLIs print. */

/**
 * Lines of `Key: value` or `Key<two or more spaces>value` into a map (first occurrence wins, keys
 * lower-cased). Lines that fit neither shape are skipped, so a truncated output yields fewer keys,
 * never wrong ones.
 */
export function keyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const m = line.match(/^([^:]+?):\s+(.+)$/) ?? line.match(/^(\S.*?)\s{2,}(\S.*)$/);
    if (!m) continue;
    const key = m[1]!.trim().toLowerCase();
    if (!out.has(key)) out.set(key, m[2]!.trim());
  }
  return out;
}

/** The first value whose key matches. */
export function valueOf(kv: ReadonlyMap<string, string>, key: RegExp): string | null {
  for (const [k, v] of kv) if (key.test(k)) return v;
  return null;
}

/**
 * A local wall-clock time printed without a zone ("2018-08-23 04:11:00"), read as UTC. Vendors
 * print the host's local time; UTC keeps the age within the host's UTC offset (at most 14 h),
 * which the evidence says.
 */
export function localTimeAsUtc(s: string): Date | null {
  const m = s.match(/^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/);
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)));
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1990 ? null : d;
}
