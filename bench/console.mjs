// Server time of the console's pages at 100,000 hosts and 2,000 systems in 30 units, against a
// same-run baseline: GET /healthz on the same app. Requests go through fastify's inject (the
// whole server path: routing, the guard, the session lookup, rendering; no socket), timed as
// wall time and as this process's CPU time (user + system), which a machine shared with other
// work disturbs less than wall time.
//   npx tsc -b protocol agent collector && node bench/console.mjs
// The store is filled directly (hosts with compact reports, agents, the registry, and 14 days of
// indicator history at one evaluation every 5 minutes, ~500,000 rows), then the collector's app
// listens on loopback, a client signs in as a browser does, and asks each page RUNS times. "warm": the page shows
// the last evaluation (what a person clicking through pages gets: serve hands the console each
// scheduled evaluation); "cold": that evaluation was dropped, so the request includes evaluating
// every rule over the whole fleet (the first page after a change made in the console). Prints
// medians and the page weights.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../collector/dist/app.js';
import { openCollector } from '../collector/dist/compose.js';
import { validateConfig } from '../collector/dist/config.js';
import { consoleData } from '../collector/dist/console/data.js';
import { HostRuleFactsStore } from '../collector/dist/store/host-rule-facts.js';
import { ASSET_PATHS } from '../collector/dist/console/assets.js';
import { consoleSession } from './lib/console-session.mjs';
import { sized } from './lib/smoke.mjs';

const HOSTS = sized(100_000, 300),
  SYSTEMS = sized(2_000, 20),
  UNITS = 30,
  RUNS = sized(15, 1),
  COLD_RUNS = sized(5, 1),
  DAYS = sized(14, 2);
const now = Date.now();
const units = Array.from({ length: UNITS }, (_, i) => ({ id: `U${String(i).padStart(2, '0')}`, name: `Đơn vị số ${i}` }));
let seed = 42;
const rnd = () => ((seed = (seed + 0x6d2b79f5) | 0), (((seed ^ (seed >>> 15)) * (1 | seed)) >>> 0) / 4294967296);
const TOKEN = 'pt_bench-admin-token-0123456789abcdefghijklmnopqrst';
const dir = mkdtempSync(join(tmpdir(), 'posture-bench-console-'));
const config = validateConfig(
  { listen: { host: '127.0.0.1', port: 0 }, dataDir: join(dir, 'data'), units, staleAfterMinutes: 60, auth: { tokens: [{ name: 'bench', role: 'admin', sha256: createHash('sha256').update(TOKEN).digest('hex') }] } },
  'bench',
);
const c = openCollector(config);
const checks = [
  ['firewall.active', 1],
  ['time.synced', 1],
  ['audit.enabled', 2],
  ['updates.pending', 2],
  ['ssh.root_login', 3],
  ['disk.encryption', 4],
];

console.error('filling the store ...');
c.db.transaction(() => {
  const a = c.db.prepare('INSERT INTO agents (id, unit, credential_hash, hostname, machine_id, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)');
  const h = c.db.prepare(`INSERT INTO hosts (agent_id, unit, hostname, role, systems, protected, protection_reasons, ipv6_readiness, last_report_id, collected_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const hr = c.db.prepare('INSERT INTO host_reports (agent_id, report) VALUES (?, ?)');
  for (let i = 0; i < HOSTS; i++) {
    const id = `a-${i}`;
    const unit = units[i % UNITS].id;
    const at = new Date(now - (rnd() < 0.03 ? 5 * 3600_000 : 60_000)).toISOString();
    const prot = rnd() < 0.02 ? null : rnd() < 0.88;
    const reasons = prot === null ? ['protection probe failed: PROBE_TIMEOUT'] : prot ? ['Defender: protecting'] : ['Defender: real-time protection off'];
    const report = {
      probes: {
        host: { ok: true, facts: { hostname: `h${i}`, os: { family: 'windows' } } },
        protection: { ok: true, facts: { products: [{ id: 'defender' }] } },
        ipv6: { ok: true, facts: { reasons: [] } },
        baseline: { ok: true, facts: { checks: checks.map(([cid, level]) => ({ id: cid, level, result: rnd() < 0.9 ? 'pass' : rnd() < 0.5 ? 'fail' : 'unknown', title: { vi: cid, en: cid }, evidence: 'bench' })) } },
      },
    };
    a.run(id, unit, `hash-${id}`, `h${i}`, '', at);
    h.run(
      id,
      unit,
      `h${i}`,
      rnd() < 0.8 ? 'workstation' : 'server',
      JSON.stringify(i % 25 === 0 ? [`s${i % SYSTEMS}`] : []),
      prot === null ? null : prot ? 1 : 0,
      JSON.stringify(reasons),
      ['none', 'address', 'routed', 'dual-stack-services', 'ready'][Math.floor(rnd() * 5)],
      id,
      at,
      at,
    );
    hr.run(id, JSON.stringify(report));
  }
  // Rows written straight into hosts: their rule facts come from the stored reports (the ingest builds them itself).
  new HostRuleFactsStore(c.db).rebuildFromReports();
  // 14 days of history: every indicator, the ministry and every unit, every 5 minutes.
  const ins = c.db.prepare('INSERT INTO indicator_results (evaluated_at, indicator, scope, pass, total, target) VALUES (?, ?, ?, ?, ?, ?)');
  const scopes = ['ministry', ...units.map((u) => `unit:${u.id}`)];
  for (let t = now - DAYS * 86400_000; t < now; t += 300_000) {
    const at = new Date(t).toISOString();
    for (const ind of ['systems_classified', 'endpoint_protection', 'ipv6_portals', 'agent_coverage']) for (const s of scopes) ins.run(at, ind, s, Math.floor(rnd() * 100), 100, 0.9);
  }
})();
c.systems.replaceAll(
  Array.from({ length: SYSTEMS }, (_, i) => ({
    id: `s${i}`,
    name: `Hệ thống ${i}`,
    ownerUnit: units[i % UNITS].id,
    tags: i % 10 === 0 ? ['portal'] : [],
    ...(rnd() < 0.85 ? { level: 1 + Math.floor(rnd() * 4) } : {}),
    ...(rnd() < 0.8 ? { approval: { number: `${i}/QĐ`, date: '2025-01-01' } } : {}),
    protectionPlan: { deployed: rnd() < 0.75 },
  })),
);

console.error(`filled in ${((Date.now() - now) / 1000).toFixed(0)} s; measuring ...`);
const app = build(c);
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${app.server.address().port}`;

const session = await consoleSession(base, TOKEN);

const data = consoleData(c);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function get(path) {
  const t = performance.now();
  const c0 = process.cpuUsage();
  const res = await app.inject({ method: 'GET', url: path, headers: { cookie: session } });
  const cpu = process.cpuUsage(c0);
  const ms = performance.now() - t;
  if (res.statusCode !== 200) throw new Error(`${path}: HTTP ${res.statusCode}`);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, bytes: res.rawPayload.byteLength };
}
async function measure(path, cold) {
  await get(path); // warm-up (JIT, and the kept evaluation for warm runs)
  const ms = [];
  const cpuMs = [];
  let bytes = 0;
  for (let i = 0; i < (cold ? COLD_RUNS : RUNS); i++) {
    if (cold) data.invalidate();
    const r = await get(path);
    ms.push(r.ms);
    cpuMs.push(r.cpuMs);
    bytes = r.bytes;
  }
  return { ms: median(ms), cpuMs: median(cpuMs), bytes };
}

const health = await measure('/healthz', false);
const pages = [
  ['overview', '/console'],
  ['unit page', '/console/units/U07'],
  ['registry', '/console/systems'],
];
const rows = [];
for (const [name, path] of pages) rows.push({ name, path, warm: await measure(path, false), cold: await measure(path, true) });
const evalStart = performance.now();
c.engine.evaluateNowWithMembers(new Date());
const evalMs = performance.now() - evalStart;
const assets = [];
for (const p of [ASSET_PATHS.css, ASSET_PATHS.js]) assets.push([p.split('/').pop(), (await get(p)).bytes]);

console.log(`console: ${HOSTS} hosts, ${SYSTEMS} systems, ${UNITS} units, ${DAYS} days of indicator history; median of ${RUNS} (warm) and ${COLD_RUNS} (cold) requests`);
console.log(`baseline: GET /healthz ${health.ms.toFixed(2)} ms wall, ${health.cpuMs.toFixed(2)} ms CPU`);
console.log(`${'page'.padEnd(12)} ${'warm wall'.padStart(10)} ${'warm CPU'.padStart(9)} ${'x base'.padStart(7)} ${'cold wall'.padStart(10)} ${'cold CPU'.padStart(9)} ${'HTML bytes'.padStart(11)}`);
for (const r of rows)
  console.log(
    `${r.name.padEnd(12)} ${r.warm.ms.toFixed(1).padStart(10)} ${r.warm.cpuMs.toFixed(1).padStart(9)} ${(r.warm.cpuMs / health.cpuMs).toFixed(0).padStart(7)} ${r.cold.ms.toFixed(0).padStart(10)} ${r.cold.cpuMs.toFixed(0).padStart(9)} ${String(r.warm.bytes).padStart(11)}`,
  );
console.log(`one evaluation of every rule over the fleet (what "cold" adds): ${evalMs.toFixed(0)} ms`);
console.log(`assets (once per browser, cached a day): ${assets.map(([n, b]) => `${n} ${b} bytes`).join(', ')}`);
await app.close();
c.db.close();
await c.ingest.close();
rmSync(dir, { recursive: true, force: true });
