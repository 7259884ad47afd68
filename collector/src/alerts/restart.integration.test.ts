/**
 * The collector as a real process, evaluating on its own schedule: a unit below target fires
 * one webhook notice; after SIGKILL and a restart the alert is still firing and is not fired
 * again; when the unit recovers the resolve arrives. Proves server.ts runs the evaluation
 * loop and the notice dispatcher, and that alert state outlives the process.
 */
import { createServer, type Server } from 'node:http';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCollector } from '../app.js';
import { loadConfig } from '../config.js';
import { collectorFixture, startCollectorProcess, TEST_TOKENS, type CollectorFixture, type CollectorProcess } from '../../../testing/collector.js';
import { seedHosts } from '../../../testing/fleet.js';
import { freePort, waitFor } from '../../../testing/ports.js';
import { sqlGet } from '../../../testing/sql.js';

const RULES = `groups:
  - name: fast
    interval: 1s
    rules:
      - indicator: endpoint_protection
        title: {vi: "Tỷ lệ thiết bị đầu cuối được bảo vệ", en: "Endpoints protected"}
        basis: "QĐ 2224/QĐ-BGTVT"
        population: hosts
        pass: host.protection.protected
        target: 0.9
        for: 0s
`;

interface Notice {
  status: string;
  alerts: { labels: Record<string, string> }[];
}

let fx: CollectorFixture;
let proc: CollectorProcess | undefined;
let hook: Server;
const notices: Notice[] = [];
const forUnit = (status: string) => notices.filter((n) => n.status === status && n.alerts[0]!.labels.unit === 'CHHVN').length;

// Another connection to the same store, as a second writer while the collector runs (WAL).
const seed = (protectedCount: number) => {
  const c = openCollector(loadConfig(fx.configFile));
  try {
    seedHosts(c, 'CHHVN', 10, protectedCount, new Date());
  } finally {
    c.db.close();
  }
};

beforeAll(async () => {
  const port = await freePort();
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      notices.push(JSON.parse(body) as Notice);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hook.listen(port, '127.0.0.1', r));
  fx = await collectorFixture({ rules: { files: ['fast.rules.yaml'] }, alerting: { webhook: { url: `http://127.0.0.1:${port}/hook` } } });
  await writeFile(join(fx.dir, 'fast.rules.yaml'), RULES);
});

afterAll(async () => {
  await proc?.stop();
  hook.close();
  await rm(fx.dir, { recursive: true, force: true });
});

describe('alert state across a collector crash', () => {
  it('fires once, survives SIGKILL without firing again, and resolves', async () => {
    seed(5); // 50% < 90%
    proc = await startCollectorProcess(fx);
    await waitFor('firing notice for CHHVN', async () => forUnit('firing') === 1);
    // Delivery is at least once: a crash between the receiver's 2xx and the collector's
    // bookkeeping repeats that one notice. Kill once the delivery is recorded, which is the
    // state this test is about (a restart must not fire again on its own).
    await waitFor('the delivered notice recorded in the store', async () => {
      const c = openCollector(loadConfig(fx.configFile), null, { syncAuth: false });
      try {
        return (sqlGet(c.db, 'SELECT count(*) AS n FROM alert_notifications WHERE failed_at IS NULL') as { n: number }).n === 0;
      } finally {
        c.db.close();
      }
    });

    await proc.kill();
    proc = await startCollectorProcess(fx);
    // Let the restarted collector evaluate several times (interval 1s), then count again.
    const evaluated = async () => ((await (await fetch(`${fx.url}/api/v1/rules`, { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } })).json()) as { alerts: { scope: string; state: string; lastEvalAt: string }[] }).alerts;
    const restartedAt = new Date().toISOString();
    await waitFor('evaluations after the restart', async () => (await evaluated()).some((a) => a.scope === 'unit:CHHVN' && a.lastEvalAt > restartedAt && a.state === 'firing'));
    await new Promise((r) => setTimeout(r, 1500));
    expect(forUnit('firing')).toBe(1);

    seed(10); // recovers
    await waitFor('resolved notice for CHHVN', async () => forUnit('resolved') === 1);
    expect(forUnit('firing')).toBe(1);
    expect(proc.output()).not.toMatch(/"level":(50|60)/); // no errors logged
  });
});
