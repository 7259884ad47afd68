/**
 * Integration (real parts): the agent reaches the collector process through Debian's tinyproxy
 * (collector.proxy), for an http and an https collector (the agent's transport tunnels both with
 * CONNECT), the collector's CA pinned end to end through the tunnel. The proxy's log proves the traffic went through it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { AGENT_BIN, TEST_UNITS, collectorFixture, runNode, startCollectorProcess, type CollectorFixture, type CollectorProcess } from '../../testing/collector.js';
import { startTinyproxy, type Proxy } from '../../testing/proxy.js';
import { issue, makeCa, type TestCa } from '../../testing/tls.js';

let dir: string;
let proxy: Proxy;
let ca: TestCa;
const collectors: { fx: CollectorFixture; proc: CollectorProcess }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-proxy-test-'));
  proxy = await startTinyproxy();
  ca = await makeCa(dir, 'proxy-test-ca');
});

afterAll(async () => {
  for (const c of collectors) {
    await c.proc.stop();
    await rm(c.fx.dir, { recursive: true, force: true });
  }
  await proxy?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function agentConfig(collector: Record<string, unknown>): Promise<string> {
  const d = await mkdtemp(join(dir, 'agent-'));
  const file = join(d, 'agent.yaml');
  await writeFile(file, stringify({ unit: 'TTCNTT', role: 'server', stateDir: join(d, 'state'), collector }));
  return file;
}

async function enrollAndSend(cfg: string): Promise<void> {
  const e = await runNode(AGENT_BIN, ['-c', cfg, 'enroll', '--secret', TEST_UNITS[0]!.enrollmentSecret]);
  expect(e.stderr).toBe('');
  expect(e.stdout).toMatch(/enrolled as agent/);
  const r = await runNode(AGENT_BIN, ['-c', cfg, 'run', '--once']);
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(/report [0-9a-f-]{36} accepted/);
}

describe('agent through an HTTP proxy', () => {
  it('sends plain HTTP through the proxy (tunnelled with CONNECT too)', async () => {
    const fx = await collectorFixture();
    collectors.push({ fx, proc: await startCollectorProcess(fx) });
    await enrollAndSend(await agentConfig({ url: fx.url, proxy: proxy.url }));
    expect(await proxy.log()).toMatch(new RegExp(`Request \\(file descriptor \\d+\\): CONNECT 127\\.0\\.0\\.1:${fx.port} `));
  });

  it('tunnels HTTPS with CONNECT, the collector CA still pinned', async () => {
    const server = await issue(dir, ca, 'proxied-server', 'server');
    const fx = await collectorFixture();
    await writeFile(fx.configFile, stringify({ listen: { host: '127.0.0.1', port: fx.port, tls: server }, dataDir: join(fx.dir, 'data'), units: TEST_UNITS }));
    const httpsUrl = `https://127.0.0.1:${fx.port}`;
    const dispatcher = new Agent({ connect: { ca: await readFile(ca.certFile, 'utf8') } });
    const proc = await startCollectorProcess({ ...fx, url: httpsUrl }, { healthy: async () => (await request(`${httpsUrl}/healthz`, { dispatcher })).statusCode === 200 });
    await dispatcher.close();
    collectors.push({ fx, proc });
    await enrollAndSend(await agentConfig({ url: httpsUrl, caFile: ca.certFile, proxy: proxy.url }));
    expect(await proxy.log()).toMatch(new RegExp(`CONNECT 127\\.0\\.0\\.1:${fx.port}`));
    // Through the tunnel, another CA is still refused: the proxy cannot stand in for the collector.
    const other = await makeCa(dir, 'not-the-collector-ca');
    const bad = await runNode(AGENT_BIN, ['-c', await agentConfig({ url: httpsUrl, caFile: other.certFile, proxy: proxy.url }), 'enroll', '--secret', TEST_UNITS[0]!.enrollmentSecret]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not signed by the CA pinned in collector\.caFile/);
  });

  it('a proxy that is down gives an error naming the proxy', async () => {
    const fx = await collectorFixture();
    const cfg = await agentConfig({ url: fx.url, proxy: 'http://127.0.0.1:9' });
    const e = await runNode(AGENT_BIN, ['-c', cfg, 'enroll', '--secret', TEST_UNITS[0]!.enrollmentSecret]);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/via proxy http:\/\/127\.0\.0\.1:9: ECONNREFUSED/);
    await rm(fx.dir, { recursive: true, force: true });
  });
});
