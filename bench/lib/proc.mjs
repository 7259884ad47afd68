// Process helpers for benchmarks: CPU and RSS from /proc, start/stop, waiting for HTTP.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

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

export async function waitHttp(url, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not answering yet: try again
    }
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

export async function influxCount(url, db, q) {
  const r = await fetch(`${url}/query?db=${db}&q=${encodeURIComponent(q)}`);
  const j = await r.json();
  return j.results?.[0]?.series?.[0]?.values?.[0]?.[1] ?? 0;
}

/** This process's CPU time (user + system) while `fn` runs, in µs: single-threaded steps, steadier than wall time on a shared machine. */
export const cpuMicros = (fn) => {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return c.user + c.system;
};

/** The middle value (the upper one of an even count). */
export const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
