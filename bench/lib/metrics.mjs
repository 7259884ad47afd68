// The collector's /metrics for benches: scrape, sum a family, and the figures that say where a
// latency came from between two scrapes (event-loop delay since the first scrape, GC pause
// time, ingest wait as a histogram bucket, evaluations that ran).

/** The collector's /metrics as `name{labels}` -> value. */
export async function scrape(url) {
  const m = new Map();
  for (const line of (await (await fetch(`${url}/metrics`)).text()).split('\n')) {
    const s = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (s) m.set(s[1], Number(s[2]));
  }
  return m;
}

/** The sum of a metric over its label sets. */
export const sumOf = (m, name) => [...m].filter(([k]) => k === name || k.startsWith(`${name}{`)).reduce((x, [, v]) => x + v, 0);

/** The upper bound (ms) of the histogram bucket holding the q-quantile of what was observed between two scrapes. */
export function bucketQuantile(before, after, name, q) {
  const buckets = [...after]
    .filter(([k]) => k.startsWith(`${name}_bucket{`))
    .map(([k, v]) => ({ le: k.includes('le="+Inf"') ? Infinity : Number(/le="([^"]+)"/.exec(k)[1]), n: v - (before.get(k) ?? 0) }))
    .sort((x, y) => x.le - y.le);
  const total = buckets.at(-1)?.n ?? 0;
  if (!total) return '-';
  const b = buckets.find((x) => x.n >= q * total);
  return b.le === Infinity ? `> ${buckets.at(-2).le * 1000}` : `<= ${b.le * 1000}`;
}

/**
 * Where the time went between scrapes `before` and `after` (the event-loop figures are since
 * `before`: each scrape starts them afresh).
 */
export function between(before, after) {
  const ms = (s) => (s * 1000).toFixed(1);
  const evals = sumOf(after, 'posture_evaluation_duration_seconds_count') - sumOf(before, 'posture_evaluation_duration_seconds_count');
  return {
    eventLoop: `${ms(after.get('nodejs_eventloop_lag_p99_seconds'))}/${ms(after.get('nodejs_eventloop_lag_max_seconds'))}`,
    gcMs: ((sumOf(after, 'nodejs_gc_duration_seconds_sum') - sumOf(before, 'nodejs_gc_duration_seconds_sum')) * 1000).toFixed(0),
    ingestWaitP99: bucketQuantile(before, after, 'posture_ingest_wait_seconds', 0.99),
    evaluations: evals ? `${evals} (last ${(after.get('posture_evaluation_seconds') * 1000).toFixed(0)} ms)` : '0',
  };
}
