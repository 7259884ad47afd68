/**
 * A real InfluxDB 1.x (Debian package `influxdb`) on free loopback ports with a temporary data
 * dir, for integration tests. Missing influxd is a loud failure, never a skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';

export const INFLUXD = process.env.INFLUXD ?? '/usr/bin/influxd';

export interface Influxd {
  url: string;
  port: number;
  dir: string;
  /** Run an InfluxQL query over HTTP and return the parsed JSON. */
  query(db: string, q: string): Promise<InfluxQueryResult>;
  stop(): Promise<void>;
  /** Stop and start again on the same port and data (outage tests). */
  restart(): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
}

export interface InfluxQueryResult {
  results: { statement_id: number; error?: string; series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[] }[];
}

export async function startInfluxd(): Promise<Influxd> {
  if (!existsSync(INFLUXD)) {
    throw new Error(`${INFLUXD} not found: integration tests need Debian's influxdb package (apt-get install -y influxdb; see scripts/install-deps.sh)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'posture-influxd-'));
  const port = await freePort();
  const rpc = await freePort();
  const conf = join(dir, 'influxdb.conf');
  await writeFile(
    conf,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpc}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = true
`,
  );
  const url = `http://127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;
  let stderr = '';
  const start = async () => {
    proc = spawn(INFLUXD, ['-config', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    await waitFor(`influxd on ${url} (stderr: ${stderr.slice(-500)})`, async () => (await fetch(`${url}/ping`)).status === 204, 30_000);
  };
  const stopWith = async (signal: NodeJS.Signals) => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill(signal);
    });
  };
  await start();
  return {
    url,
    port,
    dir,
    async query(db, q) {
      const res = await fetch(`${url}/query?db=${encodeURIComponent(db)}&q=${encodeURIComponent(q)}&epoch=ms`);
      return (await res.json()) as InfluxQueryResult;
    },
    start,
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    async restart() {
      await stopWith('SIGTERM');
      await start();
    },
  };
}

/** Remove a stopped influxd's temporary directory. */
export async function cleanupInfluxd(i: Influxd | undefined): Promise<void> {
  if (!i) return;
  await i.stop();
  await rm(i.dir, { recursive: true, force: true });
}
