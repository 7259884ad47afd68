// A throwaway influxd (Debian package) on free loopback ports for benchmarks.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

export async function waitUntil(what, probe, ms = 30_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startInfluxd() {
  const bin = process.env.INFLUXD ?? '/usr/bin/influxd';
  if (!existsSync(bin)) throw new Error(`${bin} not found: apt-get install -y influxdb (scripts/install-deps.sh)`);
  const dir = await mkdtemp(join(tmpdir(), 'posture-bench-influxd-'));
  const [port, rpc] = [await freePort(), await freePort()];
  await writeFile(
    join(dir, 'influxdb.conf'),
    `reporting-disabled = true\nbind-address = "127.0.0.1:${rpc}"\n[meta]\n  dir = "${dir}/meta"\n[data]\n  dir = "${dir}/data"\n  wal-dir = "${dir}/wal"\n  query-log-enabled = false\n[http]\n  bind-address = "127.0.0.1:${port}"\n  log-enabled = false\n[monitor]\n  store-enabled = false\n`,
  );
  const proc = spawn(bin, ['-config', join(dir, 'influxdb.conf')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('influxd', async () => (await fetch(`${url}/ping`)).status === 204);
  return {
    url,
    pid: proc.pid,
    async stop() {
      if (proc.exitCode === null) await new Promise((r) => (proc.once('exit', r), proc.kill('SIGTERM')));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
