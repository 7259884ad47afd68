// Time from a unit falling below its target to the alert in Alertmanager, end to end: reports
// through the real API, the collector's evaluation loop, a real Alertmanager. The bound is the
// evaluation interval + the rule's `for` + 5 s: what the security team on duty was promised.
// Run: npm run build && node bench/alert-latency.mjs [--interval 5] [--for 10] [--runs 3]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { buildFleet, reportOf } from '../collector/dist/simulate/fleet.js';
import { freePort } from './lib/influxd.mjs';
import { start, stop, waitHttp } from './lib/proc.mjs';
import { SMOKE } from './lib/smoke.mjs';

const { values: a } = parseArgs({ options: { interval: { type: 'string', default: '5' }, for: { type: 'string', default: '10' }, runs: { type: 'string', default: '3' }, smoke: { type: 'boolean' } } });
if (SMOKE) Object.assign(a, { interval: '1', for: '1', runs: '1' });
const INTERVAL = Number(a.interval);
const FOR = Number(a.for);
const dir = mkdtempSync(join(tmpdir(), 'posture-bench-alert-'));
const node = process.execPath;
const SECRET = 'bench-secret-0123456789';

try {
  const amPort = await freePort();
  writeFileSync(join(dir, 'am.yml'), 'route: {receiver: none}\nreceivers: [{name: none}]\n');
  const am = start('/usr/bin/prometheus-alertmanager', [`--config.file=${join(dir, 'am.yml')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=', `--storage.path=${join(dir, 'am')}`]);
  await waitHttp(`http://127.0.0.1:${amPort}/-/ready`);
  writeFileSync(
    join(dir, 'r.rules.yaml'),
    stringify({
      groups: [{ name: 'bench', rules: [{ indicator: 'endpoint_protection', title: { vi: 'Bảo vệ', en: 'Protected' }, basis: 'QĐ 2224/QĐ-BGTVT', population: 'hosts', pass: 'host.protection.protected', by: ['unit'], target: 0.9, for: `${FOR}s` }] }],
    }),
  );
  const port = await freePort();
  writeFileSync(
    join(dir, 'collector.yaml'),
    stringify({
      listen: { host: '127.0.0.1', port },
      dataDir: join(dir, 'data'),
      units: [{ id: 'CHHVN', name: 'Cục Hàng hải Việt Nam', enrollmentSecret: SECRET }],
      evaluationIntervalSeconds: INTERVAL,
      rules: { files: [join(dir, 'r.rules.yaml')] },
      alerting: { alertmanager: { urls: [`http://127.0.0.1:${amPort}`] } },
    }),
  );
  const col = start(node, ['collector/bin/posture.js', '-c', join(dir, 'collector.yaml'), 'serve'], { env: { ...process.env, POSTURE_LOG_LEVEL: 'warn' } });
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/healthz`);
  const post = (path, body, cred) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(cred ? { authorization: `Bearer ${cred}` } : {}) }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const hosts = buildFleet({ hosts: 10, units: ['CHHVN'], shares: { protected: 1, stale: 0, ipv6Ready: 0 }, seed: 1, systemsPerUnit: 1 });
  const creds = [];
  for (const h of hosts) creds.push((await post('/api/v1/enroll', { unit: 'CHHVN', secret: SECRET, hostname: h.hostname, machineId: h.machineId })).body);
  const send = async (protectedCount, cycle) => {
    for (const [i, h] of hosts.entries()) {
      const r = await post('/api/v1/reports', reportOf({ ...h, protected: i < protectedCount }, creds[i].agentId, new Date(), cycle), creds[i].credential);
      if (r.status !== 201) throw new Error(`report refused: ${r.status} ${JSON.stringify(r.body)}`);
    }
  };
  const firing = async () => (await (await fetch(`http://127.0.0.1:${amPort}/api/v2/alerts?active=true`)).json()).some((x) => x.labels.unit === 'CHHVN');
  const bound = INTERVAL + FOR + 5;
  console.log(`evaluation interval ${INTERVAL} s, for ${FOR} s: bound ${bound} s`);
  let cycle = 0;
  for (let run = 1; run <= Number(a.runs); run++) {
    await send(10, cycle++); // healthy: wait until Alertmanager holds no alert
    const healthyEnd = Date.now() + (INTERVAL + 60) * 1000;
    while ((await firing()) && Date.now() < healthyEnd) await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    await send(7, cycle++); // 70% < 90%
    while (!(await firing())) {
      if ((performance.now() - t0) / 1000 > bound * 3) throw new Error('no alert within 3x the bound');
      await new Promise((r) => setTimeout(r, 100));
    }
    const s = (performance.now() - t0) / 1000;
    console.log(`run ${run}: unit below target -> alert in Alertmanager after ${s.toFixed(1)} s (${(s / bound).toFixed(2)} x the bound)`);
  }
  await stop(col);
  await stop(am);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
