/**
 * Integration (real influxd): `influx.provision: false`, the setting for engines that refuse
 * set-up calls (InfluxDB 3, an operator-managed Enterprise cluster). The collector then creates
 * nothing: writes go to the database the operator made, no retention policy or continuous
 * query appears; a missing database is reported by the writer, not created behind the
 * operator's back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_UNITS } from '../../../testing/collector.js';
import { cleanupInfluxd, startInfluxd, type Influxd } from '../../../testing/influxd.js';
import { sampleReport } from '../../../testing/reports.js';
import { openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import { pointsOfReport } from './points.js';
import { sqlRun } from '../../../testing/sql.js';

let influx: Influxd;
let dir: string;

beforeAll(async () => {
  influx = await startInfluxd();
  dir = await mkdtemp(join(tmpdir(), 'posture-provision-'));
});
afterAll(async () => {
  await cleanupInfluxd(influx);
  await rm(dir, { recursive: true, force: true });
});

const collectorFor = (database: string, provision: boolean) =>
  openCollector(
    validateConfig(
      { dataDir: join(dir, database), units: TEST_UNITS, influx: { url: influx.url, database, provision, retentionPolicy: { name: 'posture_90d', duration: '90d' }, downsample: { retentionPolicy: 'posture_long', duration: 'INF', every: '1h' } } },
      'test',
    ),
  );

async function storeOneReport(c: ReturnType<typeof collectorFor>): Promise<void> {
  const r = sampleReport({ agentId: 'a-prov-1', unit: 'TTCNTT' });
  sqlRun(c.db, 'INSERT INTO agents (id, unit, credential_hash, hostname, machine_id, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)', 'a-prov-1', 'TTCNTT', 'h', 'h', '', new Date().toISOString());
  c.storeReport(r, 'TTCNTT', pointsOfReport(r, 'TTCNTT'), new Date());
}

describe('influx.provision: false', () => {
  it('writes into the database the operator made and creates no retention policy or continuous query', async () => {
    const db = 'posture_operator';
    expect((await influx.query('', `CREATE DATABASE ${db}`)).results[0]!.error).toBeUndefined();
    const c = collectorFor(db, false);
    try {
      await storeOneReport(c);
      await c.influx!.flush();
      expect(c.outbox.depth()).toBe(0);
      const hosts = await influx.query(db, 'SELECT count(protected) FROM host');
      expect(hosts.results[0]!.series?.[0]!.values[0]![1]).toBe(1);
      const rps = (await influx.query(db, `SHOW RETENTION POLICIES ON ${db}`)).results[0]!.series![0]!.values.map((v) => v[0]);
      expect(rps).toEqual(['autogen']);
      const cqs = (await influx.query(db, 'SHOW CONTINUOUS QUERIES')).results[0]!.series!.find((s) => s.name === db);
      expect(cqs?.values ?? []).toEqual([]);
    } finally {
      await c.influx!.close();
      await c.ingest.close();
      c.db.close();
    }
  });

  it('does not create a missing database: the write fails and the points stay in the outbox', async () => {
    const c = collectorFor('posture_missing', false);
    try {
      await storeOneReport(c);
      await c.influx!.flush();
      expect(c.influx!.stats.lastError).toMatch(/database not found/);
      expect(c.outbox.depth()).toBe(1);
      expect(JSON.stringify(await influx.query('', 'SHOW DATABASES'))).not.toContain('posture_missing');
    } finally {
      await c.influx!.close();
      await c.ingest.close();
      c.db.close();
    }
  });
});
