#!/usr/bin/env node
/**
 * Agent footprint against Debian's prometheus-node-exporter, both measured in this run:
 *   idle RSS           the agent daemon just after a warm cycle          vs  node_exporter idle
 *                      (and settled, 12 s later, when V8's memory reducer may have run)
 *   peak RSS           the daemon's VmHWM across cycles                 vs  node_exporter after scrapes
 *   CPU / collection   one full collection incl. child processes       vs  one full /metrics scrape
 * plus what each probe costs alone and the full cycle (CPU incl. children, warm, under the unit's
 * environment, in a child process: bench/lib/agent-cycle.mjs), to show where the time goes.
 * The agent measured is what ships: the esbuild bundle, with the Environment= of the systemd unit
 * (NODE_OPTIONS, glibc malloc tunables), and for comparison the same bundle with none of it.
 * RSS is split into anonymous (private heap) and file-backed (pages of the node binary, shared
 * and reclaimable). Needs the built agent (npx tsc -b protocol agent).
 * Usage: node bench/agent-footprint.mjs [--runs N] [--compare DIR] [--clamd]
 *   --compare DIR  also measure each probe and the collection cycle of the agent built in DIR
 *                  (another checkout, e.g. main in a scratch worktree after `npx tsc -b protocol
 *                  agent` there), interleaved with this one, and its daemon's idle RSS, peak and CPU per cycle
 *                  (its bundle under its own unit's environment); prints after/before ratios
 *   --clamd        run a real clamd (temp config, test database) with clamonacc on a tmpfs, so
 *                  the ClamAV effective-state reads (socket requests, fanotify marks) are paid
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sized } from './lib/smoke.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = sized(Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5, 1);
const COMPARE = process.argv.includes('--compare') ? resolve(process.argv[process.argv.indexOf('--compare') + 1]) : null;
const WITH_CLAMD = process.argv.includes('--clamd');
const TICK = 100; // USER_HZ on Linux
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  return new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}
/** utime+stime (+ waited-for children) of a process, in ms. */
async function cpuMs(pid, withChildren = true) {
  const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  const [ut, st, cut, cst] = [f[11], f[12], f[13], f[14]].map(Number);
  return ((ut + st + (withChildren ? cut + cst : 0)) * 1000) / TICK;
}
/**
 * The Environment= settings of deploy/systemd/posture-agent.service (NODE_OPTIONS, glibc malloc
 * tunables), so the bench runs what ships. systemd syntax: space-separated assignments, each
 * optionally in double quotes.
 */
async function unitEnvironment(root = ROOT) {
  const unit = await readFile(join(root, 'deploy/systemd/posture-agent.service'), 'utf8');
  const env = {};
  for (const [, list] of unit.matchAll(/^Environment=(.*)$/gm)) {
    for (const [, quoted, bare] of list.matchAll(/"([^"]*)"|(\S+)/g)) {
      const a = quoted ?? bare;
      const i = a.indexOf('=');
      if (i > 0) env[a.slice(0, i)] = a.slice(i + 1);
    }
  }
  return env;
}
async function memKb(pid, key) {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]);
}
const mb = (kb) => (kb / 1024).toFixed(1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function nodeExporter() {
  const port = await freePort();
  const p = spawn('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  p.on('error', (e) => {
    console.error(`cannot start prometheus-node-exporter (apt-get install prometheus-node-exporter): ${e.message}`);
    process.exit(1);
  });
  const url = `http://127.0.0.1:${port}/metrics`;
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await sleep(50);
  }
  await sleep(1500);
  const idle = await memKb(p.pid, 'VmRSS');
  const anon = await memKb(p.pid, 'RssAnon');
  const cpu = [];
  for (let i = 0; i < RUNS; i++) {
    const before = await cpuMs(p.pid);
    await (await fetch(url)).text();
    await sleep(200); // let its goroutines finish accounting
    cpu.push((await cpuMs(p.pid)) - before);
  }
  const peak = await memKb(p.pid, 'VmHWM');
  p.kill();
  return { idle, anon, peak, cpu: median(cpu) };
}

/** The agent daemon from the bundle, enrolled against a closed port (reports go to the spool). */
async function startAgent(bundle, unitEnv, cron) {
  const dir = await mkdtemp(join(tmpdir(), 'posture-bench-agent-'));
  const state = join(dir, 'state');
  await mkdir(state, { recursive: true });
  const port = await freePort();
  await writeFile(join(state, 'credential.json'), JSON.stringify({ collector: `http://127.0.0.1:${port}`, agentId: 'a-bench', unit: 'TTCNTT', credential: 'x'.repeat(43) }), { mode: 0o600 });
  await writeFile(join(dir, 'agent.yaml'), `unit: TTCNTT\nrole: server\nstateDir: ${state}\nschedule: {cron: "${cron}", splaySeconds: 0}\nspool: {backoffMinMs: 3600000, backoffMaxMs: 3600000}\n`);
  const p = spawn(process.execPath, [bundle, '-c', join(dir, 'agent.yaml'), 'run'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_OPTIONS: '', ...unitEnv, POSTURE_AGENT_LOG_LEVEL: 'debug' } });
  let log = '';
  p.stderr.on('data', (d) => (log += d));
  const queued = () => (log.match(/report queued/g) ?? []).length;
  return {
    p,
    queued,
    async waitQueued(n) {
      // A cold first cycle under a loaded machine can take tens of seconds (the baseline probe's apt simulation).
      for (let i = 0; i < 4000 && queued() < n; i++) await sleep(25);
      if (queued() < n) throw new Error(`agent did not collect: ${log.slice(-500)}`);
    },
    async stop() {
      p.kill('SIGTERM');
      await new Promise((r) => p.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Cycles every 3 s: idle just after the second (warm) cycle, CPU per warm cycle, peak. */
async function agent(bundle, unitEnv) {
  const a = await startAgent(bundle, unitEnv, '*/3 * * * * *');
  await a.waitQueued(1);
  // Idle: 1.5 s into the next 3 s slot, i.e. just after the second cycle.
  await sleep(3000 - (Date.now() % 3000) + 1500);
  const idle = await memKb(a.p.pid, 'VmRSS');
  const anon = await memKb(a.p.pid, 'RssAnon');
  const cpu = [];
  for (let i = 0; i < RUNS; i++) {
    const n = a.queued();
    const before = await cpuMs(a.p.pid);
    await a.waitQueued(n + 1);
    await sleep(300);
    cpu.push((await cpuMs(a.p.pid)) - before);
  }
  const peak = await memKb(a.p.pid, 'VmHWM');
  await a.stop();
  return { idle, anon, peak, cpu: median(cpu) };
}

/**
 * Settled idle: what `ps` shows for most of a real interval (minutes between cycles). About 8 s
 * after some full collections (startup's; later only once the old generation has grown by
 * ~10 MB), V8's memory reducer finds the isolate idle and runs a memory-reducing GC (shrinks the
 * young generation, compacts), which a 3 s schedule never lets it do. The agent gives back the
 * young generation itself after every cycle (agent/src/memory.ts), so this figure and the idle
 * one agree: a gap says that give-back stopped working (a V8 with other heuristics). Cycles every
 * 20 s; measured SETTLE_MS after a warm one, before the next starts (else after the next). The
 * memory reducer's delay is V8's own, so a smoke run waits as long.
 */
const SETTLE_MS = 12_000;
const SLOT_MS = 20_000;
async function agentSettled(bundle, unitEnv) {
  const a = await startAgent(bundle, unitEnv, '*/20 * * * * *');
  try {
    for (let n = 2; n < 6; n++) {
      await a.waitQueued(n);
      const next = SLOT_MS - (Date.now() % SLOT_MS);
      if (next < SETTLE_MS + 500) continue; // a slow cycle: the next one would start first
      await sleep(SETTLE_MS);
      return { idle: await memKb(a.p.pid, 'VmRSS'), anon: await memKb(a.p.pid, 'RssAnon') };
    }
    throw new Error(`no warm cycle ended ${SETTLE_MS} ms before the next one`);
  } finally {
    await a.stop();
  }
}

/**
 * Each probe alone, then the full collection cycle (every probe, as the daemon runs them), for
 * the agent built under each root, in a child process under the unit's environment (what ships:
 * interpreter-only V8, 1 MB young generation), warm as in the daemon (one reader kept across
 * runs), roots interleaved run by run so machine noise hits all alike (bench/lib/agent-cycle.mjs).
 * CPU includes child processes (ss, nft, auditctl...); wall is the run's duration.
 */
function probeCycles(roots, unitEnv) {
  const out = execFileSync(process.execPath, [join(import.meta.dirname, 'lib/agent-cycle.mjs'), String(RUNS), ...roots], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, NODE_OPTIONS: '', ...unitEnv },
  });
  return JSON.parse(out.trim().split('\n').at(-1));
}

/** A real clamd + clamonacc watching a tmpfs (see --clamd); returns a stop function. */
async function startClamav() {
  const d = await mkdtemp(join(tmpdir(), 'posture-bench-clamav-'));
  const mnt = join(d, `mnt-${process.pid}`);
  await mkdir(join(d, 'db'), { recursive: true });
  await mkdir(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', `posture-bench-${process.pid}`, mnt]);
  await writeFile(join(d, 'db', 'bench.hdb'), '44d88612fea8a8f36de82e1278abb02f:68:Posture.Bench.EICAR\n');
  const conf = join(d, 'clamd.conf');
  await writeFile(conf, `LocalSocket ${join(d, 'clamd.sock')}\nDatabaseDirectory ${join(d, 'db')}\nTemporaryDirectory ${d}\nOnAccessMountPath ${mnt}\nOnAccessExcludeUname clamav\n`);
  const clamd = spawn('/usr/sbin/clamd', ['-c', conf, '--foreground'], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const up = await new Promise((r) =>
      net
        .createConnection(join(d, 'clamd.sock'))
        .on('connect', function () {
          this.destroy();
          r(true);
        })
        .on('error', () => r(false)),
    );
    if (up) break;
    await sleep(100);
  }
  const onacc = spawn('/usr/sbin/clamonacc', ['-c', conf, '--foreground', '--fdpass'], { stdio: 'ignore' });
  // A bench that fails half-way must not leave clamd, clamonacc and the mount behind.
  const leftover = () => {
    for (const p of [onacc, clamd]) if (p.exitCode === null) p.kill('SIGKILL');
    try {
      execFileSync('umount', ['-l', mnt]);
    } catch {
      // already unmounted
    }
  };
  process.once('exit', leftover);
  process.once('SIGTERM', () => process.exit(143));
  process.once('SIGINT', () => process.exit(130));
  await sleep(3000);
  return async () => {
    process.removeListener('exit', leftover);
    for (const p of [onacc, clamd]) {
      p.kill('SIGTERM');
      await new Promise((r) => (p.exitCode !== null ? r() : p.once('exit', r)));
    }
    execFileSync('umount', ['-l', mnt]);
    await rm(d, { recursive: true, force: true });
  };
}

const stopClamav = WITH_CLAMD ? await startClamav() : null;
const pkgDir = await mkdtemp(join(tmpdir(), 'posture-bench-pkg-'));
execFileSync(process.execPath, [join(ROOT, 'agent/scripts/package.mjs'), '--out', pkgDir, 'bundle'], { stdio: 'ignore' });
const bundle = join(pkgDir, 'posture-agent.cjs');
const shipped = await unitEnvironment();
const ne = await nodeExporter();
const ag = await agent(bundle, shipped);
const agDefault = await agent(bundle, {});
const agSettled = await agentSettled(bundle, shipped);
// --compare: the other checkout's bundle under its own unit's environment, in this same run.
let before = null;
if (COMPARE) {
  const dirBefore = join(pkgDir, 'before');
  execFileSync(process.execPath, [join(COMPARE, 'agent/scripts/package.mjs'), '--out', dirBefore, 'bundle'], { stdio: 'ignore' });
  before = await agent(join(dirBefore, 'posture-agent.cjs'), await unitEnvironment(COMPARE));
}
const bare = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
await sleep(1500);
const bareIdle = await memKb(bare.pid, 'VmRSS');
const bareAnon = await memKb(bare.pid, 'RssAnon');
bare.kill();
const measured = probeCycles(COMPARE ? [COMPARE, ROOT] : [ROOT], shipped);
const here = measured.at(-1);
const cycle = measured.map((m) => ({ root: m.root, ...m.cycle }));
await rm(pkgDir, { recursive: true, force: true });
await stopClamav?.();
const ratio = (a, b) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
const line = (label, a, b) => `  ${label.padEnd(50)} ${a.padEnd(30)} ${b.padEnd(26)}`;
console.log(`agent footprint, median of ${RUNS} (same-run baseline: Debian prometheus-node-exporter)`);
console.log(line('', 'agent', 'node_exporter') + 'ratio');
const shippedText =
  Object.entries(shipped)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || 'no Environment=';
console.log(`  shipped environment (systemd unit): ${shippedText}`);
console.log(line("idle RSS (the unit's environment)", `${mb(ag.idle)} MB (anon ${mb(ag.anon)})`, `${mb(ne.idle)} MB (anon ${mb(ne.anon)})`) + `${ratio(ag.idle, ne.idle)}   goal <= 50 MB`);
console.log(line('idle RSS of a bare node process', `${mb(bareIdle)} MB (anon ${mb(bareAnon)})`, '') + `${ratio(bareIdle, ne.idle)}   the floor of any Node agent`);
console.log(line("idle RSS above bare node (the agent's own part)", `+${mb(ag.idle - bareIdle)} MB (anon +${mb(ag.anon - bareAnon)}, file +${mb(ag.idle - ag.anon - (bareIdle - bareAnon))})`, '') + `${ratio(ag.idle, bareIdle)}x bare node`);
console.log(
  line(`settled idle RSS (${SETTLE_MS / 1000} s after a cycle)`, `${mb(agSettled.idle)} MB (anon ${mb(agSettled.anon)})`, '') +
    `${ratio(agSettled.idle, ne.idle)}   what ps shows between real cycles; about idle RSS while the agent's young-generation give-back works`,
);
console.log(line('idle RSS (none of it: node and glibc defaults)', `${mb(agDefault.idle)} MB (anon ${mb(agDefault.anon)})`, '') + ratio(agDefault.idle, ne.idle));
console.log(line('peak RSS (VmHWM, across cycles)', `${mb(ag.peak)} MB`, `${mb(ne.peak)} MB`) + `${ratio(ag.peak, ne.peak)}   goal <= 60 MB`);
console.log(line('CPU per collection / scrape', `${ag.cpu.toFixed(0)} ms incl. children`, `${ne.cpu.toFixed(0)} ms`) + `${ratio(ag.cpu, ne.cpu)}   goal <= 80 ms (warm)`);
if (before) {
  console.log(`  before (${COMPARE}, its bundle under its unit's environment), same run:`);
  console.log(
    line('    idle RSS / peak RSS / CPU per cycle', `${mb(before.idle)} MB / ${mb(before.peak)} MB / ${before.cpu.toFixed(0)} ms`, '') +
      `after / before: idle ${ratio(ag.idle, before.idle)}, peak ${ratio(ag.peak, before.peak)}, CPU ${ratio(ag.cpu, before.cpu)}`,
  );
}
console.log(`  per probe (alone, warm, the unit's environment; CPU incl. children = agent + children / wall)${COMPARE ? '; before, same run' : ''}:`);
const cpuText = (p) => `${p.cpu.toFixed(1).padStart(6)} ms CPU (${p.self.toFixed(1)} + ${p.children.toFixed(1)})  ${p.wall.toFixed(0).padStart(4)} ms wall`;
for (const [name, p] of Object.entries(here.probes)) {
  const b = COMPARE ? measured[0].probes[name] : null;
  console.log(`    ${name.padEnd(12)} ${cpuText(p)}${b ? `   before ${cpuText(b)}` : ''}`);
}
console.log(`  full collection cycle (every probe, warm, the unit's environment, median of ${RUNS}${WITH_CLAMD ? ', clamd + clamonacc running' : ''}):`);
for (const c of cycle) {
  console.log(
    `    ${c.root === ROOT ? 'this checkout' : `before (${c.root})`}`.padEnd(52) +
      `${c.cpu.toFixed(1).padStart(6)} ms CPU (${c.self.toFixed(1)} + ${c.children.toFixed(1)})  ${c.wall.toFixed(0).padStart(5)} ms wall  (protection ${c.protection.toFixed(1)} ms, ipv6 ${c.ipv6.toFixed(1)} ms)`,
  );
}
if (cycle.length === 2) {
  const [before, after] = cycle;
  console.log(`    after / before: cycle CPU ${ratio(after.cpu, before.cpu)}, cycle wall ${ratio(after.wall, before.wall)}, protection ${ratio(after.protection, before.protection)}, ipv6 ${ratio(after.ipv6, before.ipv6)}   goal <= 1.5`);
}
