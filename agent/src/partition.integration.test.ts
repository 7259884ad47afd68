/**
 * Integration (real parts, root): a network partition between agent and collector. The test
 * makes two network namespaces joined by a veth pair with IPv6-only ULA addresses (the design
 * promises agents reach the collector over IPv6 alone); the collector process runs in one, the
 * agent daemon in the other, reporting every second. Three faults while it reports:
 *   1. replies lost (nft drops collector -> agent): reports reach the collector and are stored,
 *      the agent never sees the 201, times out and resends after the heal;
 *   2. both directions dropped: nothing gets through, connections time out;
 *   3. the agent's link down: the network is unreachable at once.
 * After each heal the spool drains; in the end every report the agent made is stored exactly
 * once, the resends of fault 1 are acknowledged without being counted twice, and `status`
 * showed the errors during the partition.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { agentFixture, spooledIds, startAgentProcess, type AgentFixture, type AgentProcess } from '../../testing/agent.js';
import { AGENT_BIN, TEST_TOKENS, TEST_UNITS, collectorFixture, runNode, startCollectorProcess, type CollectorFixture, type CollectorProcess } from '../../testing/collector.js';
import { createNetPair, type NetPair } from '../../testing/netns.js';
import { waitFor } from '../../testing/ports.js';
import { recordReliability, storedReportIds } from '../../testing/reliability.js';

const PORT = 8080; // a namespace of our own: any port is free
let net: NetPair | undefined;
let fx: CollectorFixture;
let url: string;
let collector: CollectorProcess | undefined;
let af: AgentFixture;
let agent: AgentProcess | undefined;

/** GET a collector URL from inside its namespace (the host's namespace cannot reach it). */
const curl = (path: string, token?: string) => net!.run(net!.server, ['curl', '-sf', '--max-time', '2', ...(token ? ['-H', `authorization: Bearer ${token}`] : []), `${url}${path}`]);
const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(curl('/metrics', TEST_TOKENS.viewer))?.[1]);
const status = async () => JSON.parse((await runNode(AGENT_BIN, ['-c', af.configFile, 'status', '--json'])).stdout) as { spoolDepth: number; lastError: { at: string; message: string } | null };
const stored = () => storedReportIds(join(fx.dir, 'data'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  net = createNetPair();
  url = `http://[${net.serverAddr}]:${PORT}`;
  fx = await collectorFixture({ listen: { host: net.serverAddr, port: PORT } });
  collector = await startCollectorProcess(fx, {
    prefix: net.exec(net.server),
    healthy: async () => {
      curl('/healthz');
      return true;
    },
  });
  af = await agentFixture({});
  await writeFile(
    af.configFile,
    stringify({
      unit: 'TTCNTT',
      role: 'server',
      stateDir: af.stateDir,
      collector: { url, connectTimeoutMs: 1000, timeoutMs: 1500 },
      schedule: { cron: '* * * * * *', splaySeconds: 0 },
      spool: { backoffMinMs: 100, backoffMaxMs: 400 },
    }),
  );
  net.run(net.client, [process.execPath, AGENT_BIN, '-c', af.configFile, 'enroll', '--secret', TEST_UNITS[0]!.enrollmentSecret]);
}, 30_000);

afterAll(async () => {
  await agent?.kill();
  await collector?.stop();
  net?.destroy();
  if (fx) await rm(fx.dir, { recursive: true, force: true });
  if (af) await rm(af.dir, { recursive: true, force: true });
});

/** Hold a fault for `ms`; the agent must record an error meanwhile, and drain after the heal. */
async function fault(name: string, ms: number, on: () => void, off: () => void, error: RegExp): Promise<void> {
  const t0 = new Date().toISOString();
  on();
  await sleep(ms);
  const during = await status();
  off();
  expect(during.lastError, `${name}: status shows no error`).not.toBeNull();
  expect(during.lastError!.at > t0, `${name}: the last error (${during.lastError!.at}) predates the fault (${t0})`).toBe(true);
  expect(during.lastError!.message, name).toMatch(error);
  await waitFor(`${name}: the spool drained after the heal`, async () => (await spooledIds(af.stateDir)).length === 0, 20_000, 100);
}

describe('network partition between agent and collector (IPv6 only, namespaces)', () => {
  it('delivers every report exactly once across lost replies, a full partition and a link down', async () => {
    agent = startAgentProcess(af, {}, net!.exec(net!.client));
    await waitFor('reports over IPv6', async () => stored().length >= 2, 20_000, 100);

    const beforeReplies = stored().length;
    await fault(
      'replies lost',
      4000,
      () => net!.partition('replies'),
      () => net!.heal(),
      /timeout|UND_ERR|ETIMEDOUT|ECONNRESET/i,
    );
    const dupsAfterReplies = metric('posture_reports_duplicate_total');
    await fault(
      'both directions dropped',
      3000,
      () => net!.partition('both'),
      () => net!.heal(),
      /timeout|UND_ERR|ETIMEDOUT/i,
    );
    await fault(
      'link down',
      2500,
      () => net!.link(false),
      () => net!.link(true),
      /ENETUNREACH|EHOSTUNREACH|EADDRNOTAVAIL|timeout|UND_ERR/i,
    );

    expect(await agent.stop()).toBe(0);
    // A report queued by the last cycle after its drain goes with one more run.
    const once = net!.run(net!.client, [process.execPath, AGENT_BIN, '-c', af.configFile, 'run', '--once']);
    const onceId = /report ([0-9a-f-]{36}) accepted/.exec(once)?.[1];
    expect(onceId, once).toBeDefined();
    expect(await spooledIds(af.stateDir)).toEqual([]);

    const made = [...agent.output().matchAll(/report queued reportId=([0-9a-f-]{36})/g)].map((m) => m[1]!).concat(onceId!);
    // 2xx answers the daemon counted, resends of already stored reports included (+1: run --once).
    const acks = [...agent.output().matchAll(/reports delivered sent=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0) + 1;
    // A report leaves the spool only on a 2xx or a refusal (set aside, counted as rejected).
    const { rejected } = JSON.parse((await runNode(AGENT_BIN, ['-c', af.configFile, 'status', '--json'])).stdout) as { rejected: number };
    expect(rejected).toBe(0);
    const left = await spooledIds(af.stateDir);
    const ids = stored();
    expect(made.length).toBeGreaterThanOrEqual(6);
    expect(
      made.filter((id) => !ids.includes(id)),
      'reports made but not stored',
    ).toEqual([]);
    expect(
      ids.filter((id) => !made.includes(id)),
      'stored reports the agent never made',
    ).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(metric('posture_reports_accepted_total')).toBe(ids.length);
    // Fault 1 really hit the ambiguous case: reports stored whose 201 never reached the agent,
    // resent after the heal and acknowledged as known.
    expect(dupsAfterReplies, 'no report reached the collector while replies were dropped').toBeGreaterThanOrEqual(1);
    expect(beforeReplies).toBeLessThan(ids.length);
    expect(agent.output()).toMatch(/collector unreachable; reports stay in the spool/);
    expect(curl('/healthz')).toBeTruthy();
    recordReliability({
      fault: 'network partition (netns, IPv6 only: replies lost, both ways, link down)',
      sent: made.length,
      acknowledged: made.filter((id) => !left.includes(id)).length - rejected,
      stored: ids.length,
      lost: made.filter((id) => !ids.includes(id)).length,
      duplicated: ids.length - new Set(ids).size + (metric('posture_reports_accepted_total') - ids.length),
      note: `${metric('posture_reports_duplicate_total')} resend(s) of already stored reports reached the collector and were not counted again (the agent got ${acks} 2xx in all)`,
    });
  }, 90_000);
});
