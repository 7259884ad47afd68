// Shared helpers for benchmarks: processes, CPU and RSS from /proc, free ports.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';

export const CLK_TCK = 100;

/** CPU seconds (user+sys) of a process, children that were waited for included. */
export function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // fields after "comm) ": state=0 ... utime=11 stime=12 cutime=13 cstime=14
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK;
}

export function rssMB(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitHttp(url, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${url}`);
}

export function start(cmd, args, opts = {}) {
  const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
  let err = '';
  p.stderr?.on('data', (d) => (err = (err + d).slice(-2000)));
  p.stderrTail = () => err;
  return p;
}

export const stop = (p) => new Promise((r) => (p.exitCode !== null ? r() : (p.once('exit', () => r()), p.kill('SIGTERM'))));

/** A real influxd (Debian package) on a free port with a temporary data dir. */
export async function startInfluxd(dir) {
  const { writeFileSync, mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const rpc = await freePort();
  const conf = `${dir}/influxdb.conf`;
  writeFileSync(
    conf,
    `reporting-disabled = true\nbind-address = "127.0.0.1:${rpc}"\n[meta]\n  dir = "${dir}/meta"\n[data]\n  dir = "${dir}/data"\n  wal-dir = "${dir}/wal"\n  query-log-enabled = false\n[http]\n  bind-address = "127.0.0.1:${port}"\n  log-enabled = false\n[monitor]\n  store-enabled = false\n`,
  );
  const proc = start('/usr/bin/influxd', ['-config', conf]);
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/ping`);
  return { proc, url };
}

export async function influxCount(url, db, q) {
  const r = await fetch(`${url}/query?db=${db}&q=${encodeURIComponent(q)}`);
  const j = await r.json();
  return j.results?.[0]?.series?.[0]?.values?.[0]?.[1] ?? 0;
}
