/**
 * Integration (real influxd): how the writer drains the outbox. After an outage it writes full
 * batches back to back until the outbox is empty; while it keeps up, a flush writes what was
 * there when it looked and rows committed meanwhile wait for the next tick, so a steady stream
 * of reports makes one write per interval, not one per report that arrived during the last
 * write. A relay between the writer and influxd counts the writes and holds one on request.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_UNITS } from '../../../testing/collector.js';
import { cleanupInfluxd, startInfluxd, type Influxd } from '../../../testing/influxd.js';
import { openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';

let influx: Influxd;
let relay: Server;
let dir: string;
/** Bodies of the /write requests the relay passed on, in order. */
let writes: string[] = [];
/** While set, a write waits at the relay until it resolves. */
let hold: Promise<void> | undefined;
let c: Collector | undefined;

beforeAll(async () => {
  influx = await startInfluxd();
  dir = await mkdtemp(join(tmpdir(), 'posture-writer-'));
  relay = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url?.startsWith('/write')) {
        writes.push(body);
        await hold;
      }
      const answer = await fetch(`${influx.url}${req.url}`, { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'text/plain' }, ...(req.method === 'GET' ? {} : { body }) });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' }).end(Buffer.from(await answer.arrayBuffer()));
    })();
  });
  relay.listen(0, '127.0.0.1');
  await once(relay, 'listening');
});
afterEach(async () => {
  await c?.influx?.close();
  await c?.ingest.close();
  c?.db.close();
  c = undefined;
  writes = [];
});
afterAll(async () => {
  relay.close();
  await cleanupInfluxd(influx);
  await rm(dir, { recursive: true, force: true });
});

/** A collector whose writer goes through the relay, batches of `batchSize` points. */
function collector(database: string, batchSize: number): Collector {
  const url = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  return openCollector(validateConfig({ dataDir: join(dir, database), units: TEST_UNITS, influx: { url, database, batchSize, flushIntervalMs: 60_000 } }, 'test'));
}

/** `rows` outbox rows of two points each, as the ingest transaction writes them (one row per report). */
function queue(o: Collector, rows: number, from: number): void {
  for (let i = from; i < from + rows; i++) o.outbox.add(`writer_test,row=r${i} a=1 ${1_700_000_000_000 + i}\nwriter_test,row=r${i} b=2 ${1_700_000_000_000 + i}`, 2);
}

async function pointsIn(database: string): Promise<number> {
  const r = await influx.query(database, 'SELECT count(a) + count(b) FROM writer_test');
  return Number(r.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
}

describe('InfluxDB writer', () => {
  it('drains an outbox left by an outage in full batches back to back, in one flush', async () => {
    c = collector('posture_drain', 5);
    queue(c, 12, 0);
    await c.influx!.flush();
    // 5 points a batch is two rows (a third would make 6): 12 rows, 6 writes.
    expect(writes.map((w) => w.split('\n').length)).toEqual([4, 4, 4, 4, 4, 4]);
    expect(c.outbox.depth()).toBe(0);
    expect(await pointsIn('posture_drain')).toBe(24);
  });

  it('leaves rows committed while a batch that was not full is written for the next flush', async () => {
    c = collector('posture_steady', 5000);
    queue(c, 3, 0);
    let release!: () => void;
    hold = new Promise((r) => (release = r));
    const flushing = c.influx!.flush();
    await expect.poll(() => writes.length).toBe(1);
    queue(c, 4, 3);
    release();
    hold = undefined;
    await flushing;
    expect(writes.map((w) => w.split('\n').length)).toEqual([6]);
    expect(c.outbox.depth()).toBe(4);
    await c.influx!.flush();
    expect(writes.map((w) => w.split('\n').length)).toEqual([6, 8]);
    expect(c.outbox.depth()).toBe(0);
    expect(await pointsIn('posture_steady')).toBe(14);
  });
});
