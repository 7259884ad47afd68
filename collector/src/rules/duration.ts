/** Prometheus-style durations: 30s, 5m, 1h30m, 1d, 0s. Returns milliseconds, or null. */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(v: unknown): number | null {
  if (typeof v !== 'string' || !/^(\d+(ms|s|m|h|d|w))+$/.test(v)) return v === 0 ? 0 : null;
  let ms = 0;
  for (const m of v.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) ms += Number(m[1]) * UNITS[m[2]!]!;
  return ms;
}
