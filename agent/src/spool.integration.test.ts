/**
 * Integration (real parts): the collector as a process, the agent daemon as a process. The
 * collector is down while the agent queues reports; when it is back they all arrive, once, in
 * order. The agent is SIGKILLed in the middle of draining (a slow TCP relay keeps a send in
 * flight) and restarted: nothing is lost and nothing is stored twice.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { agentFixture, slowRelay, spooledIds, startAgentProcess, type AgentFixture, type AgentProcess, type Relay } from '../../testing/agent.js';
import { TEST_TOKENS, AGENT_BIN, TEST_UNITS, collectorFixture, runNode, startCollectorProcess, type CollectorFixture, type CollectorProcess } from '../../testing/collector.js';
import { waitFor } from '../../testing/ports.js';

let fx: CollectorFixture;
let collector: CollectorProcess | undefined;
let relay: Relay;
let af: AgentFixture;
const agents: AgentProcess[] = [];

/** Report ids in the collector's store, in the order it stored them. */
function storedIds(): string[] {
  const db = new Database(join(fx.dir, 'data', 'posture.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT report_id FROM reports ORDER BY rowid').all() as { report_id: string }[]).map((r) => r.report_id);
  } finally {
    db.close();
  }
}

const agentConfig = (cron: string) => ({
  collector: { url: `http://127.0.0.1:${relay.port}`, timeoutMs: 5000 },
  stateDir: af.stateDir,
  schedule: { cron, splaySeconds: 0 },
  spool: { backoffMinMs: 100, backoffMaxMs: 500 },
});

beforeAll(async () => {
  fx = await collectorFixture();
  collector = await startCollectorProcess(fx);
  relay = await slowRelay(fx.port, 0);
  af = await agentFixture({});
  await writeFile(af.configFile, stringify({ unit: 'TTCNTT', role: 'server', ...agentConfig('* * * * * *') }));
  const enroll = await runNode(AGENT_BIN, ['-c', af.configFile, 'enroll', '--secret', TEST_UNITS[0]!.enrollmentSecret]);
  expect(enroll.code, enroll.stderr).toBe(0);
});

afterAll(async () => {
  for (const a of agents) await a.kill();
  await collector?.stop();
  await relay?.close();
  await rm(fx.dir, { recursive: true, force: true });
  await rm(af.dir, { recursive: true, force: true });
});

describe('spool across a collector outage and an agent crash', () => {
  it('delivers every queued report exactly once, in order', async () => {
    const N = 5;
    await collector!.stop();
    collector = undefined;

    // Outage: a one-shot run keeps its report and says so; then the daemon collects every
    // second and can deliver nothing.
    const once = await runNode(AGENT_BIN, ['-c', af.configFile, 'run', '--once']);
    expect(once.code).toBe(1);
    expect(once.stderr).toMatch(/report [0-9a-f-]{36} not delivered: http:\/\/127\.0\.0\.1:\d+: (ECONNRESET|ECONNREFUSED|UND_ERR_SOCKET)/);
    expect(once.stderr).toMatch(/it stays in the spool \(1 waiting\) and goes with the next run/);
    const a1 = startAgentProcess(af);
    agents.push(a1);
    await waitFor(`${N} reports in the spool`, async () => (await spooledIds(af.stateDir)).length >= N, 30_000, 50);
    expect(await a1.stop()).toBe(0);
    const queued = await spooledIds(af.stateDir);
    expect(queued.length).toBeGreaterThanOrEqual(N);
    expect(a1.output()).toMatch(/collector unreachable; reports stay in the spool/);
    const status = await runNode(AGENT_BIN, ['-c', af.configFile, 'status', '--json']);
    const st = JSON.parse(status.stdout) as { spoolDepth: number; lastError: { message: string } | null; lastSuccessAt: string | null };
    expect(st.spoolDepth).toBe(queued.length);
    expect(st.lastError?.message).toMatch(/127\.0\.0\.1/);

    // Back up, over a slow network; the agent is killed while it drains.
    collector = await startCollectorProcess(fx);
    relay.setDelay(150);
    await writeFile(af.configFile, stringify({ unit: 'TTCNTT', role: 'server', ...agentConfig('0 0 1 1 *') }));
    const a2 = startAgentProcess(af);
    agents.push(a2);
    await waitFor('the first reports to arrive', async () => storedIds().length >= 2, 30_000, 20);
    await a2.kill();
    const left = await spooledIds(af.stateDir);
    expect(left.length, 'the kill came after the drain finished: nothing was tested').toBeGreaterThan(0);
    expect(storedIds().length).toBeLessThan(queued.length);

    // Restart: the rest goes, the report in flight at the kill is resent and not stored twice.
    relay.setDelay(0);
    const a3 = startAgentProcess(af);
    agents.push(a3);
    await waitFor('every queued report stored', async () => queued.every((id) => storedIds().includes(id)), 30_000, 50);
    // The restarted daemon also collects and sends its own first report (a whole cycle of probes):
    // under a loaded suite that has taken longer than 10 s.
    await waitFor('an empty spool', async () => (await spooledIds(af.stateDir)).length === 0, 30_000, 50).catch(async (e: unknown) => {
      // What the daemon and the collector said, so a failure here names its cause.
      const spooled = await spooledIds(af.stateDir);
      throw new Error(`${(e as Error).message}; still spooled: ${spooled.join(', ')}\nagent output:\n${a3.output().slice(-3000)}\ncollector output:\n${collector?.output().slice(-3000) ?? ''}`);
    });
    expect(await a3.stop()).toBe(0);

    const stored = storedIds();
    expect(new Set(stored).size).toBe(stored.length);
    expect(stored.filter((id) => queued.includes(id))).toEqual(queued);
    // Besides the outage's reports, only the restarted daemons' own first reports, after them.
    expect(stored.slice(0, queued.length)).toEqual(queued);
    expect(stored.length - queued.length).toBeLessThanOrEqual(2);
    const metrics = await (await fetch(`${fx.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } })).text();
    const accepted = Number(/posture_reports_accepted_total (\d+)/.exec(metrics)?.[1]);
    const dups = Number(/posture_reports_duplicate_total (\d+)/.exec(metrics)?.[1]);
    expect(accepted).toBe(stored.length);
    expect(dups).toBeLessThanOrEqual(1);
  }, 90_000);
});
