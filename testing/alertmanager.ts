/**
 * A real Prometheus Alertmanager (Debian package `prometheus-alertmanager`) on a free loopback
 * port with a temporary storage dir, routing every alert to `webhookUrl` at once (group_wait
 * 0s, group_interval 1s, send_resolved) so tests can see both what Alertmanager holds (its
 * API) and what it notifies. The empty cluster address turns off the 0.0.0.0:9094 gossip
 * port. A missing binary is a loud failure, never a skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';

export const ALERTMANAGER = process.env.ALERTMANAGER ?? '/usr/bin/prometheus-alertmanager';

export interface Alertmanager {
  url: string;
  /** GET /api/v2/alerts */
  alerts(): Promise<{ labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; status: { state: string } }[]>;
  stop(): Promise<void>;
}

/** Start Alertmanager; `port` lets an outage test start it late on an address already configured. */
export async function startAlertmanager(webhookUrl: string, port?: number): Promise<Alertmanager> {
  if (!existsSync(ALERTMANAGER)) {
    throw new Error(`${ALERTMANAGER} not found: integration tests need Debian's prometheus-alertmanager package (apt-get install -y prometheus-alertmanager; see scripts/install-deps.sh)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'posture-alertmanager-'));
  port ??= await freePort();
  const conf = join(dir, 'alertmanager.yml');
  await writeFile(
    conf,
    `route:
  receiver: hook
  group_by: [alertname, unit, scope]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: ${JSON.stringify(webhookUrl)}
        send_resolved: true
`,
  );
  const url = `http://127.0.0.1:${port}`;
  let err = '';
  const proc: ChildProcess = spawn(ALERTMANAGER, [`--config.file=${conf}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', `--storage.path=${join(dir, 'data')}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  await waitFor(
    `alertmanager on ${url} (stderr: ${err.slice(-500)})`,
    async () => {
      if (proc.exitCode !== null) throw new Error(`alertmanager exited with ${proc.exitCode}: ${err.slice(-800)}`);
      return (await fetch(`${url}/-/ready`)).ok;
    },
    30_000,
  );
  return {
    url,
    alerts: async () => (await (await fetch(`${url}/api/v2/alerts`)).json()) as Awaited<ReturnType<Alertmanager['alerts']>>,
    async stop() {
      if (proc.exitCode === null) {
        await new Promise<void>((r) => {
          proc.once('exit', () => r());
          proc.kill('SIGTERM');
        });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
