/**
 * Real Alertmanager: a unit falls below 90% -> after `for` the alert is in Alertmanager's API
 * with the right labels and annotations, and Alertmanager notifies its receiver; the unit
 * recovers -> Alertmanager gets endsAt, drops it from its active alerts and sends "resolved".
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
        for: 1s
        labels: {severity: warning}
        annotations:
          summary: "{{ $scopeName }}: {{ $percent }} thiết bị được bảo vệ (mục tiêu {{ $targetPercent }})"
`;

interface Notification {
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

let dir: string;
let am: Alertmanager;
let hook: Server;
const notifications: Notification[] = [];
let c: Collector;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-am-'));
  const hookPort = await freePort();
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      notifications.push(JSON.parse(body) as Notification);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hook.listen(hookPort, '127.0.0.1', r));
  am = await startAlertmanager(`http://127.0.0.1:${hookPort}/am`);
  await writeFile(join(dir, 'r.rules.yaml'), RULES);
  c = openCollector(
    validateConfig(
      {
        dataDir: join(dir, 'data'),
        units: [
          { id: 'CHHVN', name: 'Cục Hàng hải Việt Nam' },
          { id: 'TTCNTT', name: 'Trung tâm CNTT' },
        ],
        rules: { files: [join(dir, 'r.rules.yaml')] },
        alerting: { alertmanager: { urls: [am.url] } },
      },
      'test',
    ),
  );
});

afterAll(async () => {
  c?.db.close();
  await am?.stop();
  hook?.close();
  await rm(dir, { recursive: true, force: true });
});

const unitAlert = (alerts: Awaited<ReturnType<Alertmanager['alerts']>>) => alerts.find((a) => a.labels.unit === 'CHHVN');

describe('Alertmanager sink', () => {
  it('fires after `for`, with the right labels, and resolves when the unit recovers', async () => {
    seedHosts(c, 'CHHVN', 10, 8, new Date()); // 80% < 90%
    seedHosts(c, 'TTCNTT', 10, 10, new Date()); // 100%: never alerts
    c.engine.evaluateAndRecord(new Date());
    await c.alertmanager!.settle();
    expect(c.alerts.all().find((a) => a.scope === 'unit:CHHVN')?.state).toBe('pending');
    expect(await am.alerts()).toEqual([]); // pending alerts are not sent

    await new Promise((r) => setTimeout(r, 1100));
    c.engine.evaluateAndRecord(new Date());
    await c.alertmanager!.settle();
    expect(c.alertmanager!.stats.errors).toBe(0);
    const alerts = await am.alerts();
    const a = unitAlert(alerts)!;
    expect(a.labels).toEqual({ alertname: 'endpoint_protection', indicator: 'endpoint_protection', scope: 'unit', unit: 'CHHVN', severity: 'warning' });
    expect(a.annotations.summary).toBe('Cục Hàng hải Việt Nam: 80% thiết bị được bảo vệ (mục tiêu 90%)');
    expect(a.status.state).toBe('active');
    // Ministry-wide is 18/20 = 90%: met, so no ministry alert; the healthy unit has none either.
    expect(alerts.map((x) => x.labels.scope + ':' + (x.labels.unit ?? ''))).toEqual(['unit:CHHVN']);
    await waitFor('firing notification from Alertmanager', async () => notifications.some((n) => n.status === 'firing' && n.alerts[0]!.labels.unit === 'CHHVN'));

    // Re-sent while firing: a second evaluation keeps one alert in Alertmanager, not two.
    c.engine.evaluateAndRecord(new Date());
    await c.alertmanager!.settle();
    expect((await am.alerts()).filter((x) => x.labels.unit === 'CHHVN')).toHaveLength(1);

    seedHosts(c, 'CHHVN', 10, 10, new Date()); // recovers: 100%
    c.engine.evaluateAndRecord(new Date());
    await c.alertmanager!.settle();
    expect(c.alerts.all().find((a) => a.scope === 'unit:CHHVN')?.state).toBe('resolved');
    await waitFor('alert resolved in Alertmanager', async () => unitAlert(await am.alerts()) === undefined);
    await waitFor('resolved notification from Alertmanager', async () => notifications.some((n) => n.status === 'resolved' && n.alerts[0]!.labels.unit === 'CHHVN'));
  });
});
