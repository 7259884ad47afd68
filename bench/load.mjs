// End-to-end ingest at increasing rates until p99 passes 100 ms or errors appear.
// Prints reports/s, p50/p99, collector CPU and RSS, InfluxDB write rate, and the ratio against
// a bare node:http + ajv server (parse + validate only) measured in the same run with the same
// load generator. Run: npm run build && node bench/load.mjs [--hosts 5000] [--step 8]
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { buildFleet } from '../collector/dist/simulate/fleet.js';
import { simulate } from '../collector/dist/simulate/run.js';
import { freePort, startInfluxd } from './lib/influxd.mjs';
import { cpuSeconds, influxCount, rssMB, start, stop, waitHttp } from './lib/proc.mjs';
import { SMOKE } from './lib/smoke.mjs';

const { values: a } = parseArgs({ options: { hosts: { type: 'string', default: '5000' }, step: { type: 'string', default: '8' }, rates: { type: 'string', default: '250,500,1000,2000,3000,4000,6000,8000' }, smoke: { type: 'boolean' } } });
if (SMOKE) Object.assign(a, { hosts: '100', step: '1', rates: '50' });
const HOSTS = Number(a.hosts);
const STEP = Number(a.step);
const dir = mkdtempSync(join(tmpdir(), 'posture-bench-load-'));
const node = process.execPath;

try {
  // 1. The ceiling: bare node:http + ajv, same generator, as fast as it goes.
  const bport = await freePort();
  const base = start(node, ['bench/lib/bare-server.mjs', String(bport)]);
  await waitHttp(`http://127.0.0.1:${bport}/`);
  const units = ['U1', 'U2', 'U3'];
  const fleet = buildFleet({ hosts: HOSTS, units, shares: { protected: 0.88, stale: 0, ipv6Ready: 0.3 }, seed: 1, systemsPerUnit: 4 });
  const c0 = cpuSeconds(base.pid);
  const ceiling = await simulate({ url: `http://127.0.0.1:${bport}`, hosts: fleet, secrets: new Map(units.map((u) => [u, 'x'])), rate: 1e6, durationSeconds: STEP, gzip: false });
  const baseCpu = cpuSeconds(base.pid) - c0;
  await stop(base);
  const ceilRate = ceiling.accepted / ceiling.seconds;
  console.log(`baseline node:http+ajv: ${ceilRate.toFixed(0)} reports/s (p50 ${ceiling.p50Ms.toFixed(1)} ms, p99 ${ceiling.p99Ms.toFixed(1)} ms, server CPU ${((baseCpu / ceiling.seconds) * 100).toFixed(0)}%)`);

  // 2. The collector, end to end, with a real InfluxDB.
  const influx = await startInfluxd();
  const cport = await freePort();
  const init = start(node, ['collector/bin/posture.js', 'simulate', 'init', '--dir', join(dir, 'c'), '--port', String(cport), '--units', '30']);
  await new Promise((r) => init.once('exit', r));
  const cfgFile = join(dir, 'c/collector.yaml');
  const cfg = parse(readFileSync(cfgFile, 'utf8'));
  cfg.listen.host = '127.0.0.1';
  cfg.influx = { url: influx.url, database: 'posture', flushIntervalMs: 200 };
  writeFileSync(cfgFile, stringify(cfg));
  const col = start(node, ['collector/bin/posture.js', '-c', cfgFile, 'serve'], { env: { ...process.env, POSTURE_LOG_LEVEL: 'warn' } });
  const url = `http://127.0.0.1:${cport}`;
  // A shared, loaded machine can take more than the default 30 s to start a collector with InfluxDB.
  await waitHttp(`${url}/healthz`, 120_000);
  const secrets = new Map(cfg.units.map((u) => [u.id, u.enrollmentSecret]));
  const cfleet = buildFleet({ hosts: HOSTS, units: [...secrets.keys()], shares: { protected: 0.88, stale: 0, ipv6Ready: 0.3 }, seed: 1, systemsPerUnit: 4 });
  const state = join(dir, 'creds.json');
  const t0 = performance.now();
  await simulate({ url, hosts: cfleet, secrets, rate: 1, durationSeconds: 0.01, stateFile: state });
  console.log(`enrolled ${HOSTS} virtual hosts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  console.log('\n| target/s | achieved/s | p50 ms | p99 ms | errors | collector CPU % | RSS MB | InfluxDB host points/s |');
  console.log('|---|---|---|---|---|---|---|---|');
  let best = 0;
  for (const rate of a.rates.split(',').map(Number)) {
    const cpu0 = cpuSeconds(col.pid);
    const p0 = await influxCount(influx.url, 'posture', 'SELECT count(collect_ms) FROM host');
    const s = await simulate({ url, hosts: cfleet, secrets, rate, durationSeconds: STEP, stateFile: state, gzip: false });
    await new Promise((r) => setTimeout(r, 1500)); // let the outbox drain
    const p1 = await influxCount(influx.url, 'posture', 'SELECT count(collect_ms) FROM host');
    const cpu = ((cpuSeconds(col.pid) - cpu0) / s.seconds) * 100;
    const errs = Object.values(s.errors).reduce((x, y) => x + y, 0);
    const achieved = s.accepted / s.seconds;
    console.log(`| ${rate} | ${achieved.toFixed(0)} | ${s.p50Ms.toFixed(1)} | ${s.p99Ms.toFixed(1)} | ${errs} | ${cpu.toFixed(0)} | ${rssMB(col.pid).toFixed(0)} | ${((p1 - p0) / (s.seconds + 1.5)).toFixed(0)} |`);
    if (s.p99Ms > 100 || errs > 0 || achieved < rate * 0.9) break;
    best = achieved;
  }
  console.log(`\nsustained with p99 < 100 ms: ${best.toFixed(0)} reports/s = ${(best / ceilRate).toFixed(2)} x the bare node:http+ajv ceiling (${ceilRate.toFixed(0)}/s)`);
  console.log(`hosts carried at a 5-minute interval: ${Math.floor(best * 300).toLocaleString('en')}`);
  console.log("(load generator, collector and InfluxDB share this machine's cores)");
  await stop(col);
  await influx.stop();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
