/**
 * Integration: forwarding over HTTPS to a ministry collector whose certificate a private CA
 * signed (openssl-made PKI). With upstream.caFile the forwarder trusts that CA and only it: a
 * unit collector given another CA refuses the connection and keeps its reports queued.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { TEST_UNITS } from '../../../testing/collector.js';
import { sampleReport } from '../../../testing/reports.js';
import { issue, makeCa } from '../../../testing/tls.js';
import { build, openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { sqlRun } from '../../../testing/sql.js';

const CHHVN = TEST_UNITS[1]!;
let dir: string;
let m: Collector;
let app: FastifyInstance;
let url: string;
let credentialFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-fed-tls-'));
  const ca = await makeCa(dir, 'ministry-ca');
  const server = await issue(dir, ca, 'ministry', 'server');
  m = openCollector(validateConfig({ dataDir: join(dir, 'ministry'), units: TEST_UNITS }, 'ministry.yaml'));
  app = build(m, { https: { cert: await readFile(server.certFile), key: await readFile(server.keyFile) } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `https://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const res = await app.inject({ method: 'POST', url: '/api/v1/relay/enroll', payload: { unit: CHHVN.id, secret: CHHVN.enrollmentSecret, name: 'tls-unit' } });
  credentialFile = join(dir, 'relay.credential');
  await writeFile(credentialFile, res.json<{ credential: string }>().credential);
});

afterAll(async () => {
  await app.close();
  await m.ingest.close();
  m.db.close();
  await rm(dir, { recursive: true, force: true });
});

async function unitWith(caFile: string, name: string) {
  const u = openCollector(validateConfig({ dataDir: join(dir, name), units: [CHHVN], upstream: { url, caFile, credentialFile } }, `${name}.yaml`));
  const r = sampleReport({ agentId: `a-${name}`, unit: CHHVN.id });
  sqlRun(u.db, 'INSERT INTO agents (id, unit, credential_hash, hostname, machine_id, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)', r.agentId, CHHVN.id, 'h', 'h', '', new Date().toISOString());
  u.storeReport(r, CHHVN.id, [], new Date());
  return { u, r };
}

const close = async (u: Collector) => {
  await u.forwarder!.stop();
  await u.ingest.close();
  u.db.close();
};

describe('forwarding over HTTPS', () => {
  it("trusts the ministry's private CA from upstream.caFile", async () => {
    const { u, r } = await unitWith(join(dir, 'ministry-ca.pem'), 'unit-good');
    try {
      await u.forwarder!.once();
      expect(u.forwarder!.depth()).toBe(0);
      expect(m.hosts.get(r.agentId)).toMatchObject({ unit: CHHVN.id });
    } finally {
      await close(u);
    }
  });

  it('refuses a ministry whose certificate another CA signed, and keeps the report queued', async () => {
    await makeCa(dir, 'other-ca');
    const { u, r } = await unitWith(join(dir, 'other-ca.pem'), 'unit-wrong-ca');
    try {
      await u.forwarder!.once();
      expect(u.forwarder!.depth()).toBe(1);
      expect(u.forwarder!.stats.lastError).toMatch(/certificate/i);
      expect(m.hosts.get(r.agentId)).toBeUndefined();
    } finally {
      await close(u);
    }
  });
});
