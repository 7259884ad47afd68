#!/usr/bin/env node
/**
 * Spool drain throughput after an outage: 1,000 reports queued in the agent's spool are sent
 * to a real collector process (oldest first, one at a time, each removed after its 2xx).
 * Same-run baseline: the same number of fresh reports posted directly with the same Sender,
 * no spool (no disk writes, no directory listing). The ratio is the spool's cost.
 * Needs the built agent and collector (npx tsc -b protocol agent collector).
 * Usage: node bench/agent-spool-drain.mjs [--reports N]
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sized } from './lib/smoke.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const N = sized(Number(process.argv[process.argv.indexOf('--reports') + 1]) || 1000, 20);
const { collectReport } = await import(join(ROOT, 'agent/dist/collect.js'));
const { validateConfig } = await import(join(ROOT, 'agent/dist/config.js'));
const { LocalSystem } = await import(join(ROOT, 'agent/dist/system.js'));
const { Sender } = await import(join(ROOT, 'agent/dist/sender.js'));
const { Spool } = await import(join(ROOT, 'agent/dist/spool.js'));

const port = await new Promise((res) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => res(p));
  });
});
const dir = await mkdtemp(join(tmpdir(), 'posture-bench-drain-'));
const secret = 'bench-secret-0123456789';
await writeFile(join(dir, 'collector.yaml'), `listen: {host: 127.0.0.1, port: ${port}}\ndataDir: ${join(dir, 'data')}\nunits: [{id: TTCNTT, name: Bench, enrollmentSecret: ${secret}}]\nlimits: {clockSkewMinutes: 100000}\n`);
const collector = spawn(process.execPath, [join(ROOT, 'collector/bin/posture.js'), '-c', join(dir, 'collector.yaml'), 'serve'], { stdio: 'ignore', env: { ...process.env, POSTURE_LOG_LEVEL: 'warn' } });
const url = `http://127.0.0.1:${port}`;
for (let i = 0; i < 200; i++) {
  if (
    await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    )
  )
    break;
  await new Promise((r) => setTimeout(r, 50));
}
try {
  const sender = await Sender.create({ collectorUrl: url, timeoutMs: 10_000 });
  const enrolled = await sender.enroll({ unit: 'TTCNTT', secret, hostname: 'bench', machineId: '' });
  if (enrolled.kind !== 'success') throw new Error(`enroll failed: ${JSON.stringify(enrolled)}`);
  const { agentId, credential } = enrolled.body;
  const config = validateConfig({ unit: 'TTCNTT', role: 'server' }, 'bench');
  const template = await collectReport({ system: new LocalSystem(), config, agentId });
  const fresh = () => ({ ...template, reportId: randomUUID() });

  // Warm-up (JIT on both sides), then the baseline: direct posts, no spool.
  for (let i = 0; i < Math.min(200, N); i++) await sender.sendReport(fresh(), credential);
  let t = performance.now();
  for (let i = 0; i < N; i++) {
    const r = await sender.sendReport(fresh(), credential);
    if (r.kind !== 'success') throw new Error(`baseline send failed: ${JSON.stringify(r)}`);
  }
  const direct = N / ((performance.now() - t) / 1000);

  // The outage: N reports queued (durably, fsync each), then one drain.
  const spool = await Spool.open(join(dir, 'agent-state'), { maxReports: N * 2, maxBytes: 2 ** 31, backoffMinMs: 1000, backoffMaxMs: 60_000, keepRejected: 10 });
  t = performance.now();
  for (let i = 0; i < N; i++) await spool.enqueue(fresh());
  const enqueue = N / ((performance.now() - t) / 1000);
  t = performance.now();
  const r = await spool.drain((rep) => sender.sendReport(rep, credential));
  const drained = N / ((performance.now() - t) / 1000);
  if (r.kind !== 'empty' || r.sent !== N) throw new Error(`drain incomplete: ${JSON.stringify(r)}`);
  await sender.close();
  const bytes = Buffer.byteLength(JSON.stringify(template));
  console.log(`spool drain after an outage of ${N} reports (${(bytes / 1024).toFixed(1)} KB each, real collector on loopback)`);
  console.log(`  drain              ${drained.toFixed(0)} reports/s   (${(N / drained).toFixed(1)} s for the backlog)`);
  console.log(`  baseline           ${direct.toFixed(0)} reports/s   direct sends, no spool, same run`);
  console.log(`  ratio drain/direct ${(drained / direct).toFixed(2)}`);
  console.log(`  enqueue (fsync)    ${enqueue.toFixed(0)} reports/s   while the collector is away`);
} finally {
  collector.kill();
  await new Promise((r) => collector.once('exit', r));
  await rm(dir, { recursive: true, force: true });
}
