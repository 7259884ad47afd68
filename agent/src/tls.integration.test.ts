/**
 * Integration (real parts): the collector process listening HTTPS with a certificate from a
 * test CA made here with openssl; the real agent CLI enrolls and sends over it. Pinned to that
 * CA it succeeds; pinned to another CA, or with no CA, it refuses with a message saying what
 * to fix. With listen.tls.clientCaFile the collector also requires the agent's client cert.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { AGENT_BIN, TEST_UNITS, collectorFixture, runNode, startCollectorProcess, type CollectorFixture, type CollectorProcess } from '../../testing/collector.js';
import { issue, makeCa, type TestCa } from '../../testing/tls.js';

let dir: string;
let ca: TestCa;
let otherCa: TestCa;
let client: { certFile: string; keyFile: string };
const started: { fx: CollectorFixture; proc: CollectorProcess }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-tls-'));
  ca = await makeCa(dir, 'posture-test-ca');
  otherCa = await makeCa(dir, 'some-other-ca');
  client = await issue(dir, ca, 'agent-client', 'client');
});

afterAll(async () => {
  for (const s of started) {
    await s.proc.stop();
    await rm(s.fx.dir, { recursive: true, force: true });
  }
  await rm(dir, { recursive: true, force: true });
});

/** An HTTPS collector with a fresh server certificate from `ca`. */
async function httpsCollector(clientCa?: string, sans?: string, host = '127.0.0.1'): Promise<CollectorFixture & { httpsUrl: string }> {
  const server = await issue(dir, ca, `server-${started.length}`, 'server', sans);
  const fx = await collectorFixture({});
  const { port } = fx;
  // collectorFixture wrote plain listen settings; add tls to them.
  await writeFile(fx.configFile, stringify({ listen: { host, port, tls: { ...server, ...(clientCa ? { clientCaFile: clientCa } : {}) } }, dataDir: join(fx.dir, 'data'), units: TEST_UNITS }));
  const httpsUrl = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const tls = { ca: await readFile(ca.certFile, 'utf8'), ...(clientCa ? { cert: await readFile(client.certFile, 'utf8'), key: await readFile(client.keyFile, 'utf8') } : {}) };
  const dispatcher = new Agent({ connect: { ...tls, checkServerIdentity: () => undefined } });
  // The certificate may name another host: the health check verifies the chain, not the name.
  const healthy = async () => (await request(`${httpsUrl}/healthz`, { dispatcher })).statusCode === 200;
  const proc = await startCollectorProcess({ ...fx, url: httpsUrl }, { healthy });
  await dispatcher.close();
  started.push({ fx, proc });
  return { ...fx, httpsUrl };
}

async function agentWith(collector: Record<string, unknown>): Promise<string> {
  const d = await mkdtemp(join(dir, 'agent-'));
  const file = join(d, 'agent.yaml');
  await writeFile(file, stringify({ unit: 'TTCNTT', role: 'server', stateDir: join(d, 'state'), collector }));
  return file;
}

const enroll = (cfg: string) => runNode(AGENT_BIN, ['-c', cfg, 'enroll', '--secret', TEST_UNITS[0]!.enrollmentSecret]);

describe('agent <-> collector over TLS', () => {
  let fx: CollectorFixture & { httpsUrl: string };
  beforeAll(async () => {
    fx = await httpsCollector();
  });

  it('enrolls and delivers when the collector CA is pinned', async () => {
    const cfg = await agentWith({ url: fx.httpsUrl, caFile: ca.certFile });
    const e = await enroll(cfg);
    expect(e.stderr).toBe('');
    expect(e.stdout).toMatch(/enrolled as agent/);
    const r = await runNode(AGENT_BIN, ['-c', cfg, 'run', '--once']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`report [0-9a-f-]{36} accepted by ${fx.httpsUrl}`));
  });

  it('refuses a collector whose certificate another CA signed, and says so', async () => {
    const cfg = await agentWith({ url: fx.httpsUrl, caFile: otherCa.certFile });
    const e = await enroll(cfg);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/enrollment failed: https:\/\/127\.0\.0\.1:\d+: .*(UNABLE_TO_VERIFY|unable to verify)/);
    expect(e.stderr).toMatch(/not signed by the CA pinned in collector\.caFile/);
  });

  it('without a pinned CA, does not fall back silently: the test CA is not trusted', async () => {
    const cfg = await agentWith({ url: fx.httpsUrl });
    const e = await enroll(cfg);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/not trusted; set collector\.caFile/);
  });

  it('refuses a certificate issued for another name', async () => {
    const other = await httpsCollector(undefined, 'DNS:posture.example.gov.vn');
    const cfg = await agentWith({ url: other.httpsUrl, caFile: ca.certFile });
    const e = await enroll(cfg);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID.*does not name the host/);
  });

  it('mutual TLS: no client certificate is refused with a hint, the CA-signed one is accepted', async () => {
    const mfx = await httpsCollector(ca.certFile);
    const without = await enroll(await agentWith({ url: mfx.httpsUrl, caFile: ca.certFile }));
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/enrollment failed: .*requires a client certificate, set collector\.certFile and collector\.keyFile/);
    const withCert = await enroll(await agentWith({ url: mfx.httpsUrl, caFile: ca.certFile, ...client }));
    expect(withCert.stderr).toBe('');
    expect(withCert.stdout).toMatch(/enrolled as agent/);
  });

  it('reaches a collector over IPv6 alone (::1), certificate checked against the IPv6 address', async () => {
    const v6 = await httpsCollector(undefined, 'IP:::1', '::1');
    const cfg = await agentWith({ url: v6.httpsUrl, caFile: ca.certFile });
    const e = await enroll(cfg);
    expect(e.stderr).toBe('');
    const r = await runNode(AGENT_BIN, ['-c', cfg, 'run', '--once']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/accepted by https:\/\/\[::1\]:\d+/);
  });
});
