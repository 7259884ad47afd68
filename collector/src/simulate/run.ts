/**
 * Drives a virtual fleet through the real HTTP API: every virtual host enrolls with its unit's
 * secret and sends its own reports with its own credential, at a total rate, over keep-alive
 * connections. Credentials are cached in a state file so re-runs do not re-enroll.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { Pool } from 'undici';
import type { EnrollResponse } from '@posture/protocol';
import { reportOf, type VirtualHost } from './fleet.js';

export interface SimulateOptions {
  url: string;
  hosts: VirtualHost[];
  /** Enrollment secret per unit id. */
  secrets: ReadonlyMap<string, string>;
  /** Total reports per second across the fleet. */
  rate: number;
  /** Stop after this many seconds (or after `reports`, whichever first). */
  durationSeconds: number;
  reports?: number;
  /** Credential cache (JSON), so a second run reuses enrollments. */
  stateFile?: string;
  connections?: number;
  gzip?: boolean;
  log?: (line: string) => void;
}

export interface SimulateStats {
  enrolled: number;
  sent: number;
  accepted: number;
  duplicate: number;
  errors: Record<string, number>;
  seconds: number;
  ratePerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Report ids acknowledged with 2xx, for tests that check nothing was lost. */
  ackedIds: string[];
}

type Creds = Record<string, { agentId: string; credential: string }>;

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0);

async function post(pool: Pool, path: string, body: unknown, headers: Record<string, string>, gzip: boolean) {
  const json = JSON.stringify(body);
  const res = await pool.request({
    method: 'POST',
    path,
    body: gzip ? gzipSync(json) : json,
    headers: { 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}), ...headers },
  });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

export async function simulate(o: SimulateOptions): Promise<SimulateStats> {
  const log = o.log ?? (() => {});
  const pool = new Pool(o.url, { connections: o.connections ?? 16, pipelining: 1 });
  const creds: Creds = o.stateFile ? ((await readFile(o.stateFile, 'utf8').then(JSON.parse, () => ({}))) as Creds) : {};
  const stats: SimulateStats = { enrolled: 0, sent: 0, accepted: 0, duplicate: 0, errors: {}, seconds: 0, ratePerSecond: 0, p50Ms: 0, p99Ms: 0, ackedIds: [] };
  const fail = (k: string) => (stats.errors[k] = (stats.errors[k] ?? 0) + 1);
  try {
    // Enroll, a few at a time (enrollment is deliberately slow: hashed secrets, rate limits).
    const todo = o.hosts.filter((h) => !creds[h.hostname]);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < todo.length) {
          const h = todo[next++]!;
          const secret = o.secrets.get(h.unit);
          if (!secret) throw new Error(`no enrollment secret for unit ${h.unit}: add it to the collector config or the secrets file`);
          const r = await post(pool, '/api/v1/enroll', { unit: h.unit, secret, hostname: h.hostname, machineId: h.machineId }, {}, false);
          if (r.status !== 201) throw new Error(`enrollment of ${h.hostname} failed: ${r.status} ${r.text.slice(0, 300)}`);
          const b = JSON.parse(r.text) as EnrollResponse;
          creds[h.hostname] = { agentId: b.agentId, credential: b.credential };
          stats.enrolled++;
          if (stats.enrolled % 1000 === 0) log(`enrolled ${stats.enrolled}/${todo.length}`);
        }
      }),
    );
    if (o.stateFile) await writeFile(o.stateFile, JSON.stringify(creds), { mode: 0o600 });

    // Send: round robin over the fleet at the total rate; stale hosts send only in cycle 0.
    const latencies: number[] = [];
    const started = performance.now();
    const limit = o.reports ?? Number.POSITIVE_INFINITY;
    const maxInflight = 512;
    let inflight = 0;
    let i = 0;
    const sendOne = async (h: VirtualHost, cycle: number) => {
      const c = creds[h.hostname]!;
      const report = reportOf(h, c.agentId, new Date(), cycle);
      const t0 = performance.now();
      try {
        const r = await post(pool, '/api/v1/reports', report, { authorization: `Bearer ${c.credential}` }, o.gzip ?? true);
        latencies.push(performance.now() - t0);
        if (r.status === 201) {
          stats.accepted++;
          stats.ackedIds.push(report.reportId);
        } else if (r.status === 200) stats.duplicate++;
        else fail(String(r.status));
      } catch (e) {
        fail((e as { code?: string }).code ?? 'network');
      }
    };
    const pending = new Set<Promise<void>>();
    while (stats.sent < limit) {
      const elapsed = (performance.now() - started) / 1000;
      if (elapsed >= o.durationSeconds) break;
      const due = Math.min(limit, Math.floor(elapsed * o.rate) + 1);
      while (stats.sent < due && inflight < maxInflight) {
        const h = o.hosts[i % o.hosts.length]!;
        const cycle = Math.floor(i / o.hosts.length);
        i++;
        if (h.stale && cycle > 0) continue;
        stats.sent++;
        inflight++;
        const p = sendOne(h, cycle).finally(() => {
          inflight--;
          pending.delete(p);
        });
        pending.add(p);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(pending);
    stats.seconds = (performance.now() - started) / 1000;
    stats.ratePerSecond = stats.sent / stats.seconds;
    latencies.sort((a, b) => a - b);
    stats.p50Ms = quantile(latencies, 0.5);
    stats.p99Ms = quantile(latencies, 0.99);
    return stats;
  } finally {
    await pool.close();
  }
}
