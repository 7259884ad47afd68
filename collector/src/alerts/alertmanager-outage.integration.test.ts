/**
 * Real Alertmanager, under faults and scale-out:
 * - Alertmanager is down while an alert fires: evaluation goes on, the failure is counted, and
 *   the alert reaches Alertmanager once it is back (alerts are re-sent while firing).
 * - Two collectors evaluating the same fleet (scale-out with several evaluators) post the same
 *   alert to one Alertmanager: it holds one alert, not two, and one resolve ends it.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { startAlertmanager, type Alertmanager } from '../../../testing/alertmanager.js';
import { seedHosts } from '../../../testing/fleet.js';
import { freePort, waitFor } from '../../../testing/ports.js';
import { recordReliability } from '../../../testing/reliability.js';

const RULES = `groups:
  - name: directive
    interval: 1s
    rules:
      - indicator: endpoint_protection
        tt: 12
        title: {vi: "Tỷ lệ thiết bị đầu cuối được cài đặt giải pháp bảo vệ", en: "Endpoints with a protection solution installed"}
        basis: "Quyết định số 2224/QĐ-BGTVT ngày 27/12/2021"
        population: hosts
        pass: host.protection.protected
        target: 0.9
        for: 0s
        labels: {severity: critical}
`;

let dir: string;
let hook: Server;
let hookUrl: string;
let amPort: number;
const opened: Collector[] = [];
const started: Alertmanager[] = [];

const collector = (name: string): Collector => {
  const c = openCollector(
    validateConfig({ dataDir: join(dir, name), units: [{ id: 'CHHVN', name: 'Cục Hàng hải Việt Nam' }], rules: { files: [join(dir, 'r.rules.yaml')] }, alerting: { alertmanager: { urls: [`http://127.0.0.1:${amPort}`], timeoutMs: 1000 } } }, 'test'),
  );
  opened.push(c);
  return c;
};

const evaluate = async (c: Collector) => {
  c.engine.evaluateAndRecord(new Date());
  await c.alertmanager!.settle();
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-am-outage-'));
  await writeFile(join(dir, 'r.rules.yaml'), RULES);
  const hookPort = await freePort();
  hook = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((r) => hook.listen(hookPort, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${hookPort}/am`;
  amPort = await freePort();
});

afterAll(async () => {
  for (const c of opened) c.db.close();
  for (const a of started) await a.stop();
  hook?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Alertmanager down, and several evaluators', () => {
  it('an alert that fires while Alertmanager is down reaches it when it is back; two evaluators give one alert', async () => {
    const a = collector('a');
    seedHosts(a, 'CHHVN', 10, 7, new Date()); // 70% < 90%
    await evaluate(a);
    expect(a.alerts.all().find((x) => x.scope === 'unit:CHHVN')?.state).toBe('firing');
    // Nothing listens on the Alertmanager address: the post failed, evaluation was not blocked.
    expect(a.alertmanager!.stats.errors).toBeGreaterThan(0);
    await evaluate(a);
    expect(a.alerts.all().find((x) => x.scope === 'unit:CHHVN')?.state).toBe('firing');

    const am = await startAlertmanager(hookUrl, amPort);
    started.push(am);
    expect(await am.alerts()).toEqual([]);
    await evaluate(a); // still firing: re-sent, now delivered
    await waitFor('the alert in Alertmanager after its outage', async () => (await am.alerts()).some((x) => x.labels.unit === 'CHHVN'));

    // A second collector evaluating the same fleet posts the same labels.
    const b = collector('b');
    seedHosts(b, 'CHHVN', 10, 7, new Date());
    await evaluate(b);
    await evaluate(a);
    const alerts = (await am.alerts()).filter((x) => x.labels.alertname === 'endpoint_protection');
    expect(alerts.map((x) => `${x.labels.scope}:${x.labels.unit ?? ''}`).sort()).toEqual(['ministry:', 'unit:CHHVN']);
    // Counted in alerts, not reports: what fired during the outage against what Alertmanager holds.
    const firing = a.alerts
      .all()
      .filter((x) => x.state === 'firing')
      .map((x) => x.scope);
    const held = alerts.map((x) => (x.labels.scope === 'ministry' ? 'ministry' : `unit:${x.labels.unit}`));
    recordReliability({
      fault: 'Alertmanager down while an alert fires (then two evaluators)',
      sent: firing.length,
      acknowledged: a.alertmanager!.stats.sent > 0 ? new Set(held).size : 0,
      stored: new Set(held).size,
      lost: firing.filter((f) => !held.includes(f)).length,
      duplicated: held.length - new Set(held).size,
      note: `alerts, not reports; ${a.alertmanager!.stats.errors} failed post(s) during the outage, ${a.alertmanager!.stats.sent + b.alertmanager!.stats.sent} alert post(s) after`,
    });

    // Both see the recovery; Alertmanager drops the alert.
    seedHosts(a, 'CHHVN', 10, 10, new Date());
    seedHosts(b, 'CHHVN', 10, 10, new Date());
    await evaluate(a);
    await evaluate(b);
    await waitFor('alert resolved in Alertmanager', async () => !(await am.alerts()).some((x) => x.labels.unit === 'CHHVN' && x.status.state === 'active'));
  });
});
