// Load generators over keep-alive HTTP (lean-http.mjs: the generator shares the cores with the
// servers it measures): closed loop (as fast as the server answers, `connections` in flight) and
// open loop (a fixed rate; latency counted from the scheduled send time, so a stalled server
// cannot hide its queueing). A request that fails at the socket counts as status "network".
import { LeanPool } from './lean-http.mjs';

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const send = (pool, path, body, auth) => pool.post(path, body, auth).catch(() => 'network');

/** `next()` gives {body, auth} for each request. Returns counts and latencies (ms, sorted). */
export async function closedLoop(url, path, next, { connections = 32, seconds = 5 } = {}) {
  const pool = new LeanPool(url, connections);
  const lat = [];
  const statuses = {};
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const { body, auth } = next();
        const s = performance.now();
        const status = await send(pool, path, body, auth);
        lat.push(performance.now() - s);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  pool.close();
  lat.sort((a, b) => a - b);
  return { n: lat.length, perSecond: lat.length / elapsed, elapsed, statuses, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

export async function openLoop(url, path, next, { rate = 1000, seconds = 5, connections = 64 } = {}) {
  const pool = new LeanPool(url, connections);
  const lat = [];
  const statuses = {};
  const inflight = [];
  const t0 = performance.now();
  const total = rate * seconds;
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
    for (; sent < due; sent++) {
      const scheduled = t0 + (sent / rate) * 1000;
      const { body, auth } = next();
      inflight.push(
        send(pool, path, body, auth).then((status) => {
          lat.push(performance.now() - scheduled);
          statuses[status] = (statuses[status] ?? 0) + 1;
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - t0) / 1000;
  pool.close();
  lat.sort((a, b) => a - b);
  return { n: lat.length, elapsed, statuses, p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat[lat.length - 1] };
}
