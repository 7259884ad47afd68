/**
 * Integration (real parts, root): the agent's state dir is a 256 KiB tmpfs the test mounts;
 * the collector process is down while the daemon collects every second, and a ballast file
 * leaves room for a handful of reports. When the disk is full the agent keeps running, says
 * "spool cannot write" in its log and in `status`, counts what it could not keep as dropped,
 * leaves no half-written files; once the collector is back every report it kept arrives exactly
 * once, and a later report carries the dropped count.
 */
import { mkdir, mkdtemp, readdir, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { agentFixture, spooledIds, startAgentProcess, type AgentFixture, type AgentProcess } from '../../testing/agent.js';
import { AGENT_BIN, TEST_UNITS, collectorFixture, runNode, startCollectorProcess, type CollectorFixture, type CollectorProcess } from '../../testing/collector.js';
import { waitFor } from '../../testing/ports.js';
import { latestStoredReport, recordReliability, sh, storedReportIds } from '../../testing/reliability.js';
import { sampleReport } from '../../testing/reports.js';
import { Spool } from './spool.js';

let fx: CollectorFixture;
let collector: CollectorProcess | undefined;
let af: AgentFixture;
let agent: AgentProcess | undefined;
let mounted = false;

beforeAll(async () => {
  fx = await collectorFixture();
  collector = await startCollectorProcess(fx);
  af = await agentFixture({});
  await mkdir(af.stateDir, { recursive: true });
  sh('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'posture-test-spool', af.stateDir]);
  mounted = true;
  await writeFile(af.configFile, stringify({ unit: 'TTCNTT', role: 'server', stateDir: af.stateDir, collector: { url: fx.url, timeoutMs: 2000 }, schedule: { cron: '* * * * * *', splaySeconds: 0 }, spool: { backoffMinMs: 100, backoffMaxMs: 300 } }));
  const e = await runNode(AGENT_BIN, ['-c', af.configFile, 'enroll', '--secret', TEST_UNITS[0]!.enrollmentSecret]);
  expect(e.code, e.stderr).toBe(0);
}, 30_000);

afterAll(async () => {
  await agent?.kill();
  await collector?.stop();
  // Unmount even when the test failed; a lazy unmount if something still holds it.
  if (mounted) sh('umount', ['-l', af.stateDir]);
  await rm(fx.dir, { recursive: true, force: true });
  await rm(af.dir, { recursive: true, force: true });
});

const status = async () => JSON.parse((await runNode(AGENT_BIN, ['-c', af.configFile, 'status', '--json'])).stdout) as { spoolDepth: number; dropped: number; rejected: number; spoolError: { message: string } | null; enrolled: { agentId: string } };

describe('agent spool on a full disk', () => {
  it('keeps running, says the spool cannot write, counts drops, and delivers what it kept exactly once', async () => {
    await collector!.stop();
    collector = undefined;
    agent = startAgentProcess(af);
    await waitFor('a first report in the spool', async () => (await spooledIds(af.stateDir)).length >= 1, 20_000, 50);
    const [first] = await readdir(join(af.stateDir, 'spool', 'queue'));
    const reportBytes = (await stat(join(af.stateDir, 'spool', 'queue', first!))).size;
    // Fill the disk but for room for about three more reports (tmpfs counts whole 4 KiB pages).
    const fs = await statfs(af.stateDir);
    const pages = (n: number) => Math.ceil(n / 4096) * 4096;
    const ballast = fs.bavail * fs.bsize - 3 * pages(reportBytes) - 4096;
    expect(ballast, `a report is ${reportBytes} bytes; the 256 KiB disk must hold several`).toBeGreaterThan(0);
    await writeFile(join(af.stateDir, 'ballast'), Buffer.alloc(ballast));

    await waitFor('three reports the spool could not write', async () => (agent!.output().match(/spool cannot write/g) ?? []).length >= 3, 30_000, 100);
    expect(agent.proc.exitCode, agent.output().slice(-2000)).toBeNull();
    expect(agent.output()).toMatch(/error spool cannot write.* error="spool cannot write to \S+\/spool\/queue: ENOSPC .*Free space on that filesystem/);
    const during = await status();
    expect(during.dropped).toBeGreaterThanOrEqual(1);
    expect(during.spoolError?.message).toMatch(/ENOSPC/);
    // No half-written reports hold the space (the spool removes a failed write's tmp file).
    expect(await readdir(join(af.stateDir, 'spool', 'tmp'))).toEqual([]);

    // Stop producing, note what was kept and what was counted as dropped, then the collector is back.
    expect(await agent.stop()).toBe(0);
    const agent1Output = agent.output();
    agent = undefined;
    const kept = await spooledIds(af.stateDir);
    const after = await status();
    expect(kept.length).toBeGreaterThan(0);
    expect(after.spoolDepth).toBe(kept.length);
    const produced = kept.length + after.dropped;
    // No loop: at most one write and three make-room retries per report collected.
    expect((agent1Output.match(/spool cannot write/g) ?? []).length).toBeLessThanOrEqual(4 * produced);
    collector = await startCollectorProcess(fx);
    // Back in the ordinary schedule (every minute): only the spool's reports are sent now.
    await writeFile(af.configFile, stringify({ unit: 'TTCNTT', role: 'server', stateDir: af.stateDir, collector: { url: fx.url, timeoutMs: 2000 }, schedule: { cron: '0 0 1 1 *', splaySeconds: 0 }, spool: { backoffMinMs: 100, backoffMaxMs: 300 } }));
    agent = startAgentProcess(af);
    const dataDir = join(fx.dir, 'data');
    await waitFor('every kept report stored', async () => kept.every((id) => storedReportIds(dataDir).includes(id)), 30_000, 50);
    await waitFor('an empty spool', async () => (await spooledIds(af.stateDir)).length === 0, 10_000, 50);
    // One more cycle with room on the disk: it carries the dropped count to the collector.
    await rm(join(af.stateDir, 'ballast'));
    const once = await runNode(AGENT_BIN, ['-c', af.configFile, 'run', '--once']);
    expect(once.code, once.stderr).toBe(0);
    expect(await agent.stop()).toBe(0);
    agent = undefined;

    const stored = storedReportIds(dataDir);
    expect(new Set(stored).size).toBe(stored.length);
    expect(stored.slice(0, kept.length)).toEqual(kept);
    const end = await status();
    const latest = latestStoredReport(dataDir, end.enrolled.agentId)!;
    expect(latest.reportId).toBe(stored.at(-1));
    expect(latest.agent.dropped).toBe(after.dropped);
    expect(end.spoolError).toBeNull();
    expect(end.rejected).toBe(0); // so every kept report left the spool on a 2xx
    recordReliability({
      fault: 'agent spool disk full (256 KiB tmpfs)',
      sent: produced,
      acknowledged: kept.length,
      stored: stored.filter((id) => kept.includes(id)).length,
      lost: kept.filter((id) => !stored.includes(id)).length,
      duplicated: stored.length - new Set(stored).size,
      note: `${after.dropped} dropped on the full disk, counted and reported (agent.dropped=${latest.agent.dropped})`,
    });
  }, 90_000);

  it('with no older report to drop, drops the new one, counts it, and recovers when space returns', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'posture-spool-full-'));
    sh('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'posture-test-spool', dir]);
    try {
      const spool = await Spool.open(dir, { maxReports: 100, maxBytes: 64 * 1024 * 1024, backoffMinMs: 100, backoffMaxMs: 1000, keepRejected: 1 });
      // Leave less room than a report needs (tmpfs counts whole pages).
      const fs = await statfs(dir);
      await writeFile(join(dir, 'ballast'), Buffer.alloc(fs.bavail * fs.bsize - 1024)).catch(() => undefined);
      const r = sampleReport({ agentId: 'a-1', unit: 'TTCNTT' });
      const full = await spool.enqueue(r);
      expect(full).toMatchObject({ kind: 'dropped', dropped: 1 });
      expect(full.kind === 'dropped' && full.message).toMatch(new RegExp(`ENOSPC.*report ${r.reportId} dropped.*Free space on that filesystem`));
      expect(spool.stats).toMatchObject({ dropped: 1, spoolError: { message: expect.stringMatching(/spool cannot write/) } });
      expect(await readdir(join(dir, 'spool', 'tmp'))).toEqual([]);
      expect(await spool.depth()).toBe(0);

      await rm(join(dir, 'ballast'));
      expect(await spool.enqueue(sampleReport({ agentId: 'a-1', unit: 'TTCNTT' }))).toEqual({ kind: 'kept', dropped: 0 });
      expect(spool.stats.spoolError).toBeNull();
      // The count survives a restart once there is room to save it.
      expect(await Spool.readState(dir)).toMatchObject({ dropped: 1, spoolError: null });
    } finally {
      sh('umount', ['-l', dir]);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
