/**
 * Per-version set-up of InfluxDB 1.x, apart from the write path: the database, the retention
 * policy (created or altered, made the default) and the downsampling continuous queries. Later
 * InfluxDB versions (3.x, 2.x with DBRP) refuse these calls; there the operator provisions and
 * sets `influx.provision: false` (to come) while writes keep working through the v1 API.
 */
import type { InfluxDB } from 'influx';
import type { FastifyBaseLogger } from 'fastify';
import { MEASUREMENTS } from './points.js';

export interface ProvisionOptions {
  database: string;
  retentionPolicy?: { name: string; duration: string; shardDuration?: string | undefined } | undefined;
  downsample?: { retentionPolicy: string; duration: string; every: string } | undefined;
}

const q = (id: string) => `"${id.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Name of a downsampled measurement, e.g. host_1h. */
export const downsampledName = (measurement: string, every: string) => `${measurement}_${every}`;

export async function provision(client: InfluxDB, o: ProvisionOptions, log: FastifyBaseLogger): Promise<void> {
  await client.createDatabase(o.database);
  const rps = await client.showRetentionPolicies(o.database);
  const rp = o.retentionPolicy;
  if (rp) {
    const spec = { database: o.database, duration: rp.duration, replication: 1, isDefault: true };
    const existing = rps.find((r) => r.name === rp.name);
    if (existing) await client.alterRetentionPolicy(rp.name, spec);
    else await client.createRetentionPolicy(rp.name, spec);
    log.info({ database: o.database, retentionPolicy: rp.name, duration: rp.duration }, 'InfluxDB retention policy in place (default)');
  }
  const ds = o.downsample;
  if (!ds) return;
  const dsSpec = { database: o.database, duration: ds.duration, replication: 1, isDefault: false };
  if (rps.some((r) => r.name === ds.retentionPolicy)) await client.alterRetentionPolicy(ds.retentionPolicy, dsSpec);
  else await client.createRetentionPolicy(ds.retentionPolicy, dsSpec);
  const source = rp?.name ?? rps.find((r) => r.default)?.name ?? 'autogen';
  const existing = new Set((await client.showContinousQueries()).filter((c) => c.name).map((c) => c.name));
  for (const m of Object.values(MEASUREMENTS)) {
    const name = `posture_${downsampledName(m, ds.every)}`;
    if (existing.has(name)) continue;
    // mean(*) keeps every numeric field as mean_<field> (booleans and strings are left out), and
    // GROUP BY * keeps the tags, so dashboards can switch to the long-term data by name.
    const query = `SELECT mean(*) INTO ${q(o.database)}.${q(ds.retentionPolicy)}.${q(downsampledName(m, ds.every))} FROM ${q(o.database)}.${q(source)}.${q(m)} GROUP BY time(${ds.every}), *`;
    await client.createContinuousQuery(name, query, o.database);
    log.info({ name, query }, 'InfluxDB continuous query created');
  }
}
