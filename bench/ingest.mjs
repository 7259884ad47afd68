#!/usr/bin/env node
// Ingest benchmark: realistic 2-4 KB reports over keep-alive HTTP on loopback, measured against
// a same-run baseline (a bare node:http + ajv server that only parses and validates).
//   A  baseline: bare node:http + ajv                      (closed loop; A and B alternate, medians)
//   B  collector accept path: auth, validate, persist (SQLite, synchronous=FULL, group commit), 2xx
//   C  collector end to end: B + outbox drained into a real influxd (reports/s until drained)
//   D  latency at a fixed 1,000 reports/s against C's collector (open loop, p50/p99/max)
//   E  3,000 reports/s offered (open loop) against C's collector: sustained end-to-end rate
// B also prints the collector's CPU per report split into its event loop (the main thread, which
// every request waits for) and its other threads (the commit thread making and storing rows, GC).
// Usage: npm run build && node bench/ingest.mjs   (BENCH_SECONDS=5 BENCH_ROUNDS=3 BENCH_CONNECTIONS=32 BENCH_AGENTS=500)
// BENCH_CHECKS=62: reports the size of a real agent's on an unhardened Debian server (17 KB,
// 62 baseline checks) instead of the sample's 8 checks (3.6 KB), on which the goals are set.
// BENCH_GZIP=1: bodies gzip-encoded, as agents send them (the load generator compresses each).
import { fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { openCollector } from '../collector/dist/app.js';
import { validateConfig } from '../collector/dist/config.js';
import { validateReport } from '../collector/dist/ingest/validate.js';
import { freePort, startInfluxd, waitUntil } from './lib/influxd.mjs';
import { closedLoop, openLoop } from './lib/load.mjs';
import { between, scrape } from './lib/metrics.mjs';
import { benchReport, withChecks } from './lib/report.mjs';
import { sized } from './lib/smoke.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const SECONDS = sized(Number(process.env.BENCH_SECONDS ?? 5), 1);
const CONNECTIONS = sized(Number(process.env.BENCH_CONNECTIONS ?? 32), 4);
const AGENTS = sized(Number(process.env.BENCH_AGENTS ?? 500), 20);
const ROUNDS = sized(Number(process.env.BENCH_ROUNDS ?? 3), 1);
const CHECKS = Number(process.env.BENCH_CHECKS ?? 8);
const GZIP = process.env.BENCH_GZIP === '1';
/** Offered rates of phases D and E. */
const D_RATE = sized(1000, 50);
const E_RATE = sized(3000, 100);
const UNITS = [
  { id: 'TTCNTT', name: 'Trung tâm Công nghệ thông tin', enrollmentSecret: 'bench-secret-ttcntt-0000' },
  { id: 'CHHVN', name: 'Cục Hàng hải Việt Nam', enrollmentSecret: 'bench-secret-chhvn-00000' },
  { id: 'TCDBVN', name: 'Tổng cục Đường bộ Việt Nam', enrollmentSecret: 'bench-secret-tcdbvn-0000' },
];

// Reports: one template per agent, stringified once; each request swaps in a fresh id and a
// distinct collection time (so every report is its own point in InfluxDB).
function makeSource(agents) {
  const templates = agents.map((a, i) => {
    const sample = benchReport(a.agentId, a.unit, i);
    const r = CHECKS === sample.probes.baseline.facts.checks.length ? sample : withChecks(sample, CHECKS);
    if (!validateReport(r)) throw new Error(`bench report is invalid: ${JSON.stringify(validateReport.errors)}`);
    return { auth: `Bearer ${a.credential}`, json: JSON.stringify({ ...r, reportId: '@ID@', collectedAt: '@AT@' }) };
  });
  const bytes = templates[0].json.length;
  let n = 0;
  const base = Date.now() - 20 * 60_000;
  const id = () => randomUUID();
  return {
    bytes,
    next() {
      const t = templates[n % templates.length];
      const at = new Date(base + n++).toISOString();
      const json = t.json.replace('"@ID@"', `"${id()}"`).replace('"@AT@"', `"${at}"`);
      return { auth: t.auth, body: GZIP ? gzipSync(json) : json };
    },
  };
}

async function collectorDir(influx) {
  const dir = await mkdtemp(join(tmpdir(), 'posture-bench-'));
  const port = await freePort();
  const config = {
    listen: { host: '127.0.0.1', port },
    dataDir: join(dir, 'data'),
    units: UNITS,
    auth: { metricsPublic: true },
    evaluationIntervalSeconds: 3600,
    ...(influx ? { influx: { url: influx.url, database: 'posture_bench', flushIntervalMs: 200, batchSize: 5000 } } : {}),
  };
  const file = join(dir, 'collector.yaml');
  await writeFile(file, stringify(config));
  // Enroll agents straight in the store: scrypt per enrollment would dominate set-up time.
  const c = openCollector(validateConfig(config, file, dir));
  const agents = Array.from({ length: AGENTS }, (_, i) => {
    const unit = UNITS[i % UNITS.length].id;
    return { unit, ...c.agents.enroll(unit, `srv-${i}`, '') };
  });
  c.db.close();
  return { dir, file, url: `http://127.0.0.1:${port}`, agents };
}

async function startCollector(file, url) {
  const proc = spawn(process.execPath, [join(ROOT, 'collector/bin/posture.js'), '-c', file, 'serve'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, POSTURE_LOG_LEVEL: 'error' } });
  await waitUntil('collector', async () => (await fetch(`${url}/healthz`)).ok);
  return { proc, stop: () => new Promise((r) => (proc.once('exit', r), proc.kill('SIGTERM'))) };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}
/** CPU seconds of a process's main thread (its event loop: the thread whose id is the pid). */
function mainThreadSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
/** Run `fn` and add the CPU seconds that `pids` spent meanwhile to its result (`loop`: the first one's event loop alone). */
async function withCpu(pids, fn) {
  const before = pids.map(cpuSeconds);
  const loop0 = mainThreadSeconds(pids[0]);
  const client0 = process.cpuUsage();
  const r = await fn();
  const each = pids.map((p, i) => cpuSeconds(p) - before[i]);
  const loop = mainThreadSeconds(pids[0]) - loop0;
  const used = process.cpuUsage(client0);
  const cpu = each.reduce((a, b) => a + b, 0);
  // `client`: this process, the load generator, which shares the cores with the servers.
  return { ...r, cpu, each, loop, client: (used.user + used.system) / 1e6, perCpuSecond: (r.statuses[201] ?? 0) / cpu };
}

const metric = async (url, name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${url}/metrics`)).text())?.[1]);
const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function main() {
  const rows = [];
  // A and B alternate for ROUNDS rounds and the median round counts: the machine is shared, so
  // a single run of each would mostly measure who else was busy at that moment.
  const port = await freePort();
  const bare = fork(join(import.meta.dirname, 'lib/bare-server.mjs'), [String(port)], { stdio: 'inherit' });
  await new Promise((r) => bare.once('message', r));
  const bareUrl = `http://127.0.0.1:${port}`;
  const seedA = await collectorDir(null);
  const srcA = makeSource(seedA.agents);
  const b0 = await startCollector(seedA.file, seedA.url);
  await closedLoop(bareUrl, '/api/v1/reports', srcA.next, { connections: CONNECTIONS, seconds: 1 }); // warm-up
  await closedLoop(seedA.url, '/api/v1/reports', srcA.next, { connections: CONNECTIONS, seconds: 1 });
  const as = [];
  const bs = [];
  for (let r = 0; r < ROUNDS; r++) {
    as.push(await withCpu([bare.pid], () => closedLoop(bareUrl, '/api/v1/reports', srcA.next, { connections: CONNECTIONS, seconds: SECONDS })));
    bs.push(await withCpu([b0.proc.pid], () => closedLoop(seedA.url, '/api/v1/reports', srcA.next, { connections: CONNECTIONS, seconds: SECONDS })));
  }
  const median = (xs, k) => [...xs].sort((x, y) => x[k] - y[k])[Math.floor(xs.length / 2)];
  const a = { ...median(as, 'perSecond'), perCpuSecond: median(as, 'perCpuSecond').perCpuSecond };
  const b = { ...median(bs, 'perSecond'), perCpuSecond: median(bs, 'perCpuSecond').perCpuSecond };
  const roundRatios = bs.map((x, i) => `${fmt((x.perSecond / as[i].perSecond) * 100, 0)}%/${fmt((x.perCpuSecond / as[i].perCpuSecond) * 100, 0)}%`).join(' ');
  const commits = await metric(seedA.url, 'posture_ingest_commits_total');
  const accepted = await metric(seedA.url, 'posture_reports_accepted_total');
  bare.kill();
  await b0.stop();
  rows.push([`A bare node:http + ajv (parse, validate), median of ${ROUNDS}`, a]);
  rows.push([`B collector accept path (auth, validate, persist, 2xx), median of ${ROUNDS}`, b]);

  // C: end to end with a real influxd.
  const influx = await startInfluxd();
  const seedC = await collectorDir(influx);
  const srcC = makeSource(seedC.agents);
  const c0 = await startCollector(seedC.file, seedC.url);
  // Warm-up, not counted, as for B: a fresh process's first second (JIT, the commit thread's and
  // the InfluxDB writer's first batches) is a start-up cost, not the rate it sustains.
  await closedLoop(seedC.url, '/api/v1/reports', srcC.next, { connections: CONNECTIONS, seconds: 1 });
  await waitUntil('warm-up outbox drained', async () => (await metric(seedC.url, 'posture_outbox_points')) === 0, 300_000);
  const writtenBefore = await metric(seedC.url, 'posture_influx_points_written_total');
  const t0 = performance.now();
  const c = await withCpu([c0.proc.pid, influx.pid], async () => {
    const r = await closedLoop(seedC.url, '/api/v1/reports', srcC.next, { connections: CONNECTIONS, seconds: SECONDS });
    await waitUntil('outbox drained', async () => (await metric(seedC.url, 'posture_outbox_points')) === 0, 300_000);
    return r;
  });
  const drained = (performance.now() - t0) / 1000;
  const written = (await metric(seedC.url, 'posture_influx_points_written_total')) - writtenBefore;
  const e2e = { ...c, perSecond: (c.statuses[201] ?? 0) / drained };
  // Nothing else scrapes the collector during D, so its event-loop figures cover exactly D.
  const mD0 = await scrape(seedC.url);
  const d = await openLoop(seedC.url, '/api/v1/reports', srcC.next, { rate: D_RATE, seconds: SECONDS });
  const mD1 = await scrape(seedC.url);
  // E: sustained 3,000 reports/s offered (open loop, as many agents arrive), end to end.
  const tE = performance.now();
  const eRun = await openLoop(seedC.url, '/api/v1/reports', srcC.next, { rate: E_RATE, seconds: SECONDS, connections: sized(256, 8) });
  const offeredEnd = (performance.now() - tE) / 1000;
  await waitUntil('outbox drained', async () => (await metric(seedC.url, 'posture_outbox_points')) === 0, 300_000);
  const eDrained = (performance.now() - tE) / 1000;
  // Sustained means: every offered report accepted and in InfluxDB at >= 95% of the offered rate
  // (the load generator shares the machine and can itself fall behind by a few percent).
  const eRate = (eRun.statuses[201] ?? 0) / eDrained;
  const eKept = (eRun.statuses[201] ?? 0) === E_RATE * SECONDS && eRate >= 0.95 * E_RATE;
  rows.push(['C collector end to end (C accepted / time until InfluxDB wrote all)', e2e]);

  await c0.stop();
  await influx.stop();

  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`\ningest benchmark: ${fmt(srcA.bytes)} B reports (${CHECKS} baseline checks${GZIP ? ', sent gzip' : ''}), ${AGENTS} agents, ${CONNECTIONS} keep-alive connections, ${SECONDS} s per phase, node ${process.version}, load average ${load}`);
  console.log('wall: reports/s as measured (the machine is shared, so wall rates move with other load);');
  console.log('cpu:  reports per CPU-second of the server processes (A: bare server; B: collector; C: collector + influxd), steadier under shared load.');
  console.log(`${'phase'.padEnd(64)} ${'wall/s'.padStart(8)} ${'vs A'.padStart(7)} ${'cpu/s'.padStart(8)} ${'vs A'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)}  statuses`);
  for (const [name, r] of rows) {
    const pct = (x, y) => (fmt((x / y) * 100, 1) + '%').padStart(7);
    console.log(
      `${name.padEnd(64)} ${fmt(r.perSecond).padStart(8)} ${pct(r.perSecond, a.perSecond)} ${fmt(r.perCpuSecond).padStart(8)} ${pct(r.perCpuSecond, a.perCpuSecond)} ${fmt(r.p50, 1).padStart(7)} ${fmt(r.p99, 1).padStart(7)}  ${JSON.stringify(r.statuses)}`,
    );
  }
  console.log(`B vs A per round (wall/cpu): ${roundRatios}`);
  // Where the collector's CPU goes: its event loop (HTTP, parse, schema, checks) and its other threads (the commit thread, GC, libuv).
  const perReport = (x) => (x.statuses[201] ? (x.loop / x.statuses[201]) * 1e6 : NaN);
  const bLoop = median(
    bs.map((x) => ({ ...x, us: perReport(x), other: ((x.cpu - x.loop) / (x.statuses[201] ?? 1)) * 1e6 })),
    'us',
  );
  console.log(
    `B collector CPU per report (median round): event loop ${fmt(bLoop.us)} µs, other threads ${fmt(bLoop.other)} µs (commit thread, GC, libuv); A bare server ${fmt(
      median(
        as.map((x) => ({ ...x, us: (x.cpu / (x.statuses[201] ?? 1)) * 1e6 })),
        'us',
      ).us,
    )} µs`,
  );
  console.log(`B group commit: ${fmt(accepted)} reports in ${fmt(commits)} SQLite commits (${fmt(accepted / commits, 1)} per commit)`);
  console.log(
    `C end to end: ${fmt(c.statuses[201] ?? 0)} reports accepted in ${fmt(c.elapsed, 1)} s, all written by ${fmt(drained, 1)} s; ${fmt(written)} points (${fmt(written / drained)} points/s); ${fmt(c.cpu, 2)} CPU-s (collector ${fmt(c.each[0], 2)} + influxd ${fmt(c.each[1], 2)}) -> ${fmt(2 * c.perCpuSecond)} reports/s if both cores were ours`,
  );
  // What one report costs the whole machine in C, and so the most this machine could carry with
  // every core busy on this work alone.
  const perC = (x) => (x / (c.statuses[201] ?? 1)) * 1e6;
  const machineUs = perC(c.cpu + c.client);
  console.log(
    `C CPU per report: collector ${fmt(perC(c.each[0]))} µs + influxd ${fmt(perC(c.each[1]))} µs + load generator ${fmt(perC(c.client))} µs = ${fmt(machineUs)} µs -> at most ${fmt((availableParallelism() / machineUs) * 1e6)} reports/s on ${availableParallelism()} cores`,
  );
  const dw = between(mD0, mD1);
  console.log(`D in the collector: event-loop delay p99/max ${dw.eventLoop} ms, GC ${dw.gcMs} ms, ingest wait p99 ${dw.ingestWaitP99} ms, evaluations ${dw.evaluations}`);
  console.log(`D fixed ${fmt(D_RATE)} reports/s for ${SECONDS} s (end-to-end config): p50 ${fmt(d.p50, 1)} ms, p99 ${fmt(d.p99, 1)} ms, max ${fmt(d.max, 1)} ms, statuses ${JSON.stringify(d.statuses)}`);
  console.log(
    `E offered ${fmt(E_RATE)} reports/s for ${SECONDS} s: ${fmt(eRun.statuses[201] ?? 0)} accepted, all sent by ${fmt(offeredEnd, 1)} s, all in InfluxDB by ${fmt(eDrained, 2)} s (${fmt((eDrained - offeredEnd) * 1000)} ms after the last send) -> ${fmt(eRate)} reports/s end to end; p50 ${fmt(eRun.p50, 1)} ms, p99 ${fmt(eRun.p99, 1)} ms, statuses ${JSON.stringify(eRun.statuses)}`,
  );
  // C does B's work and more (the outbox, the writer, influxd) on the same cores: C above B
  // would mean storing more cost less. B is the most C can reach on this machine.
  console.log(`C against B: C carried ${fmt((e2e.perSecond / b.perSecond) * 100, 1)}% of B's ${fmt(b.perSecond)}/s (B: the same collector without InfluxDB, the most C can reach here)`);
  console.log(
    `goals: B >= 25% of A (cpu) -> ${b.perCpuSecond / a.perCpuSecond >= 0.25 ? 'met' : 'NOT met'}, (wall) -> ${b.perSecond / a.perSecond >= 0.25 ? 'met' : 'NOT met'}; C >= 3,000/s (wall, closed loop) -> ${e2e.perSecond >= 3000 ? 'met' : 'NOT met'}, (E, 3,000/s offered and kept up with) -> ${eKept ? 'met' : 'NOT met'}; D p99 < 50 ms -> ${d.p99 < 50 ? 'met' : 'NOT met'}`,
  );
  await rm(seedA.dir, { recursive: true, force: true });
  await rm(seedC.dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
