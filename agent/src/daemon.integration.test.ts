/**
 * Integration (real parts): the agent daemon against the collector process. SIGHUP with a
 * broken config keeps the running one (and says which file and key); a report the collector
 * refuses is set aside with its reason, never resent, and shown by `status`; after each cycle it
 * gives back memory (logged at debug); SIGTERM exits 0.
 */
import { rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { agentFixture, spooledIds, startAgentProcess, type AgentFixture, type AgentProcess } from '../../testing/agent.js';
import { TEST_TOKENS, AGENT_BIN, TEST_UNITS, collectorFixture, runNode, startCollectorProcess, type CollectorFixture, type CollectorProcess } from '../../testing/collector.js';
import { waitFor } from '../../testing/ports.js';

let fx: CollectorFixture;
let collector: CollectorProcess;
let af: AgentFixture;
let agent: AgentProcess | undefined;

const accepted = async () => Number(/posture_reports_accepted_total (\d+)/.exec(await (await fetch(`${fx.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKENS.viewer}` } })).text())?.[1]);
const config = (extra: Record<string, unknown> = {}) => stringify({ unit: 'TTCNTT', role: 'server', stateDir: af.stateDir, collector: { url: fx.url }, schedule: { cron: '* * * * * *', splaySeconds: 0 }, ...extra });

beforeAll(async () => {
  fx = await collectorFixture();
  collector = await startCollectorProcess(fx);
  af = await agentFixture({});
  await writeFile(af.configFile, config());
  const e = await runNode(AGENT_BIN, ['-c', af.configFile, 'enroll', '--secret', TEST_UNITS[0]!.enrollmentSecret]);
  expect(e.code, e.stderr).toBe(0);
});

afterAll(async () => {
  await agent?.kill();
  await collector?.stop();
  await rm(fx.dir, { recursive: true, force: true });
  await rm(af.dir, { recursive: true, force: true });
});

describe('agent daemon', () => {
  it('reloads on SIGHUP, keeps the old config when the new one is broken, sets refused reports aside', async () => {
    agent = startAgentProcess(af);
    await waitFor('a first report', async () => (await accepted()) >= 1, 20_000, 50);

    await writeFile(af.configFile, config({ schedul: {} }));
    agent.proc.kill('SIGHUP');
    await waitFor('the reload to be refused', async () => /config reload failed; keeping the previous config/.test(agent!.output()), 10_000, 50);
    expect(agent.output()).toMatch(/agent\.yaml:\d+: unknown key \\?"schedul\\?"/);
    const before = await accepted();
    await waitFor('reports to keep coming', async () => (await accepted()) >= before + 2, 10_000, 50);
    // After each cycle the daemon gives back its young generation's idle pages (memory.ts).
    expect(agent.output()).toMatch(/memory given back youngResidentKb=\d+->\d+ scavenges=\d+/);

    // A unit this agent is not enrolled for: the collector refuses (403 UNIT_MISMATCH).
    await writeFile(af.configFile, config({ unit: 'CHHVN' }));
    agent.proc.kill('SIGHUP');
    await waitFor('the reload', async () => /config reloaded/.test(agent!.output()), 10_000, 50);
    const st = async () => JSON.parse((await runNode(AGENT_BIN, ['-c', af.configFile, 'status', '--json'])).stdout) as { rejected: number; spoolDepth: number; rejectedReports: { reason: string }[] };
    await waitFor('two reports set aside', async () => (await st()).rejected >= 2, 15_000, 100);
    const status = await st();
    expect(status.rejectedReports.at(-1)!.reason).toMatch(/^403 UNIT_MISMATCH: report claims unit "CHHVN" but this agent is enrolled for unit "TTCNTT"/);
    // Refused reports are not retried: nothing piles up in the queue.
    expect((await spooledIds(af.stateDir)).length).toBeLessThanOrEqual(1);
    expect(agent.output()).toMatch(/reports rejected by the collector and set aside/);
    const text = await runNode(AGENT_BIN, ['-c', af.configFile, 'status']);
    expect(text.stdout).toMatch(/last success: +\d{4}-/);
    expect(text.stdout).toMatch(/rejected: +\d+ \(set aside in .*rejected\)/);

    expect(await agent.stop()).toBe(0);
    expect(agent.output()).toMatch(/stopping signal=SIGTERM/);
  }, 60_000);
});
