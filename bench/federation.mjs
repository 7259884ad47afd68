#!/usr/bin/env node
/**
 * Federation throughput: how fast a unit's collector forwards the reports it queued while the
 * ministry's collector was down, once it is back (batches of --batch reports, gzip, one batch in
 * flight). The unit collector queues 2N reports (the simulator's enrollment round, then N more);
 * the drain is timed from the ministry's start until the forward outbox is empty. Same-run baseline: the same number of reports from the same virtual hosts posted
 * directly to a fresh ministry collector through the agents' API (one report per request,
 * gzip, 16 keep-alive connections, the fleet simulator's client). Both ministries are real
 * collector processes on fresh data dirs; the ratio is forwarded/s over direct/s. Ministry CPU
 * per report is printed for both paths.
 * Needs the build (npx tsc -b protocol agent collector).
 * Usage: node bench/federation.mjs [--reports N] [--hosts H] [--batch B]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './lib/influxd.mjs';
import { cpuSeconds, stop, waitHttp } from './lib/proc.mjs';
import { sized } from './lib/smoke.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const arg = (name, dflt) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : dflt);
const N = sized(arg('--reports', 4000), 60);
const H = sized(arg('--hosts', 400), 10);
const BATCH = sized(arg('--batch', 500), 20);
const BIN = join(ROOT, 'collector/bin/posture.js');
const { buildFleet } = await import(join(ROOT, 'collector/dist/simulate/fleet.js'));
const { simulate } = await import(join(ROOT, 'collector/dist/simulate/run.js'));

const UNIT = { id: 'CHHVN', name: 'Cục Hàng hải Việt Nam', secret: 'bench-chhvn-secret-0123456789' };
const dir = await mkdtemp(join(tmpdir(), 'posture-bench-federation-'));
const procs = new Set();

async function collector(name, extra = '') {
  const port = await freePort();
  const file = join(dir, `${name}.yaml`);
  await writeFile(
    file,
    `listen: {host: 127.0.0.1, port: ${port}}\ndataDir: ${join(dir, name)}\nunits: [{id: ${UNIT.id}, name: "${UNIT.name}", enrollmentSecret: ${UNIT.secret}}]\n` +
      `auth: {metricsPublic: true}\nlimits: {enrollPerMinute: 1000000}\nevaluationIntervalSeconds: 3600\n${extra}`,
  );
  const url = `http://127.0.0.1:${port}`;
  const node = {
    url,
    file,
    proc: null,
    async start() {
      this.proc = spawn(process.execPath, [BIN, '-c', file, 'serve'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, POSTURE_LOG_LEVEL: 'error' } });
      procs.add(this.proc);
      await waitHttp(`${url}/healthz`);
    },
    async stop() {
      await stop(this.proc);
      procs.delete(this.proc);
    },
  };
  await node.start();
  return node;
}

const metric = async (url, name) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)$`, 'm'));
  return m ? Number(m[1]) : NaN;
};

function run(args) {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? res(out) : rej(new Error(`posture ${args.join(' ')}: ${out}`))));
  });
}

try {
  const hosts = buildFleet({ hosts: H, units: [UNIT.id], shares: { protected: 0.85, stale: 0, ipv6Ready: 0.3 }, seed: 3, systemsPerUnit: 4 });
  const secrets = new Map([[UNIT.id, UNIT.secret]]);
  const fill = (url, stateFile) => simulate({ url, hosts, secrets, rate: 1e6, durationSeconds: 600, reports: N, stateFile, connections: 16 });

  // Baseline: agents posting directly to the ministry. Enrollment first (not timed), then N reports.
  const direct = await collector('ministry-direct');
  await fill(direct.url, join(dir, 'direct-creds.json')).then(() => {}); // enroll + a warm-up round
  const cpu0 = cpuSeconds(direct.proc.pid);
  const d = await fill(direct.url, join(dir, 'direct-creds.json'));
  const directCpu = cpuSeconds(direct.proc.pid) - cpu0;
  if (d.accepted !== N) throw new Error(`baseline: ${d.accepted}/${N} acknowledged: ${JSON.stringify(d.errors)}`);
  await direct.stop();

  // Federation: a fresh ministry; the unit collector enrolls as its relay, then the ministry
  // goes down while N reports are acknowledged by the unit collector.
  const ministry = await collector('ministry-fed');
  const unit = await collector('unit', `upstream: {url: "${ministry.url}", batchSize: ${BATCH}, intervalMs: 50, backoffMinMs: 20, backoffMaxMs: 100}\n`);
  await run(['-c', unit.file, 'upstream', 'enroll', '--secret', UNIT.secret]);
  await ministry.stop();
  await fill(unit.url, join(dir, 'unit-creds.json')); // enroll + a first round, forwarded later too
  const u = await fill(unit.url, join(dir, 'unit-creds.json'));
  if (u.accepted !== N) throw new Error(`unit: ${u.accepted}/${N} acknowledged: ${JSON.stringify(u.errors)}`);
  const queued = await metric(unit.url, 'posture_forward_outbox_reports');
  await ministry.start();
  const t0 = performance.now();
  const mcpu0 = cpuSeconds(ministry.proc.pid);
  while ((await metric(unit.url, 'posture_forward_outbox_reports')) > 0) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - t0) / 1000;
  const fedCpu = cpuSeconds(ministry.proc.pid) - mcpu0;
  const stored = await metric(ministry.url, 'posture_reports_accepted_total');
  const refused = await metric(unit.url, 'posture_forwarded_total\\{result="refused"\\}');
  await unit.stop();
  await ministry.stop();

  const fwdRate = queued / seconds;
  console.log(`federation drain: ${queued} reports queued at the unit collector (ministry down), batch ${BATCH}`);
  console.log(`  forwarded after the ministry came back: ${queued} in ${seconds.toFixed(2)} s = ${fwdRate.toFixed(0)} reports/s; ministry stored ${stored}, refused ${refused}`);
  console.log(`  ministry CPU: ${((fedCpu / queued) * 1e3).toFixed(3)} ms/report`);
  console.log(`baseline, agents posting directly to the ministry: ${N} reports in ${d.seconds.toFixed(2)} s = ${d.ratePerSecond.toFixed(0)} reports/s (p50 ${d.p50Ms.toFixed(1)} ms, p99 ${d.p99Ms.toFixed(1)} ms)`);
  console.log(`  ministry CPU: ${((directCpu / N) * 1e3).toFixed(3)} ms/report`);
  console.log(`ratio forwarded/direct: ${(fwdRate / d.ratePerSecond).toFixed(2)}x reports/s; ministry CPU per report ${(fedCpu / queued / (directCpu / N)).toFixed(2)}x`);
} finally {
  for (const p of procs) p.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
}
