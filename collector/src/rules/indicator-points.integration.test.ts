/**
 * Evaluation results reach a real InfluxDB as the `indicator` measurement (tags indicator,
 * scope, unit; fields pass, total, ratio, target, met) through the outbox, and the state store
 * keeps the same figures as history. No-data scopes have no ratio and no met field.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { cleanupInfluxd, startInfluxd, type Influxd } from '../../../testing/influxd.js';
import { seedHosts } from '../../../testing/fleet.js';
import { sqlGet } from '../../../testing/sql.js';

let influx: Influxd;
let dir: string;
let c: Collector;

beforeAll(async () => {
  influx = await startInfluxd();
  dir = await mkdtemp(join(tmpdir(), 'posture-indicator-'));
  c = openCollector(
    validateConfig(
      {
        dataDir: dir,
        units: [
          { id: 'A', name: 'Cục A' },
          { id: 'B', name: 'Cục B' },
        ],
        influx: { url: influx.url, database: 'posture_ind' },
      },
      'test',
    ),
  );
});

afterAll(async () => {
  c?.db.close();
  await cleanupInfluxd(influx);
  await rm(dir, { recursive: true, force: true });
});

describe('indicator measurement', () => {
  it('writes per-unit and ministry results of the shipped rules', async () => {
    const t = new Date();
    seedHosts(c, 'A', 4, 3, t);
    c.engine.evaluateAndRecord(t);
    await c.influx!.flush();
    expect(c.outbox.depth()).toBe(0);
    expect(sqlGet(c.db, 'SELECT count(*) AS n FROM outbox_rejected')).toEqual({ n: 0 });
    const r = await influx.query('posture_ind', `SELECT "pass", "total", "ratio", "target", "met" FROM "indicator" WHERE "indicator" = 'endpoint_protection' GROUP BY "scope", "unit"`);
    const series = Object.fromEntries(r.results[0]!.series!.map((s) => [`${s.tags!.scope}:${s.tags!.unit ?? ''}`, Object.fromEntries(s.columns.map((col, i) => [col, s.values[0]![i]]))]));
    expect(Object.keys(series).sort()).toEqual(['ministry:', 'unit:A', 'unit:B']);
    expect(series['unit:A']).toMatchObject({ pass: 3, total: 4, ratio: 0.75, target: 0.9, met: false });
    expect(series['ministry:']).toMatchObject({ pass: 3, total: 4, ratio: 0.75, met: false });
    expect(series['unit:B']).toMatchObject({ pass: 0, total: 0, ratio: null, met: null }); // no data
    expect(sqlGet(c.db, `SELECT pass, total, target FROM indicator_results WHERE indicator = 'endpoint_protection' AND scope = 'unit:A'`)).toEqual({ pass: 3, total: 4, target: 0.9 });
  });
});
