/**
 * The only module that writes to InfluxDB: drains the outbox in batches of line protocol over
 * the v1 /write API (InfluxDB 1.x, and the v1-compatible API of 2.x/3.x). A batch leaves the
 * outbox only after InfluxDB acknowledged it, so an outage loses nothing: the outbox grows and
 * drains when InfluxDB is back. A resent batch is harmless: a point with the same measurement,
 * tags and time overwrites itself. Rows that InfluxDB refuses as malformed (400) are moved aside
 * with the error, so one bad point cannot block the queue forever.
 */
import { InfluxDB } from 'influx';
import type { FastifyBaseLogger } from 'fastify';
import { Agent, request } from 'undici';
import { backoffDelayMs } from '@posture/protocol';
import type { Outbox, OutboxBatch } from '../store/outbox.js';
import { legacyRow } from './line.js';
import { provision, type ProvisionOptions } from './provision.js';

export interface InfluxOptions extends ProvisionOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  batchSize: number;
  flushIntervalMs: number;
  /**
   * Create the database, retention policy and continuous queries at start (InfluxDB 1.x). false
   * for engines that refuse those calls (InfluxDB 3, InfluxDB Enterprise managed by its operator):
   * only /write is used then.
   */
  provision?: boolean | undefined;
}

/** node-influx, for provisioning and InfluxQL queries only. */
export function influxClient(o: Pick<InfluxOptions, 'url' | 'database' | 'username' | 'password'>): InfluxDB {
  const u = new URL(o.url);
  return new InfluxDB({
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || (u.protocol === 'https:' ? 443 : 8086)),
    protocol: u.protocol === 'https:' ? 'https' : 'http',
    database: o.database,
    ...(o.username ? { username: o.username, password: o.password ?? '' } : {}),
  });
}

class WriteError extends Error {
  constructor(
    readonly status: number | null,
    message: string,
  ) {
    super(message);
  }
}

export class InfluxWriter {
  readonly client: InfluxDB;
  private readonly dispatcher = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: 10_000 }, headersTimeout: 30_000, bodyTimeout: 30_000 });
  private readonly writeUrl: URL;
  private readonly headers: Record<string, string>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private dbReady = false;
  private failures = 0;
  /** Counters for /metrics. */
  readonly stats = { pointsWritten: 0, writeErrors: 0, lastError: '', setAside: 0 };

  constructor(
    private readonly opts: InfluxOptions,
    private readonly outbox: Outbox,
    private readonly log: FastifyBaseLogger,
    /** How acknowledged rows leave the outbox (the server hands them to the commit thread). */
    private readonly removeBatch: (b: OutboxBatch) => Promise<void> | void = (b) => outbox.removeBatch(b),
  ) {
    this.client = influxClient(opts);
    this.writeUrl = new URL('/write', opts.url);
    this.writeUrl.searchParams.set('db', opts.database);
    this.writeUrl.searchParams.set('precision', 'ms');
    this.headers = { 'content-type': 'text/plain; charset=utf-8' };
    if (opts.username) this.headers.authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}`;
  }

  start(): void {
    const tick = () => {
      this.running = this.flush().finally(() => {
        this.running = undefined;
        // Back off while InfluxDB is failing: about 2x, 4x, 8x ... the interval, up to 30 s
        // (the shared retry policy, jittered so that a restarted InfluxDB is not hit in step).
        const delay = this.failures === 0 ? this.opts.flushIntervalMs : backoffDelayMs(this.failures, { initialMs: 2 * this.opts.flushIntervalMs, maxMs: Math.max(30_000, this.opts.flushIntervalMs) });
        if (this.timer !== undefined) this.timer = setTimeout(tick, delay);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    const t = this.timer;
    this.timer = undefined;
    clearTimeout(t);
    await this.running;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.dispatcher.close();
  }

  private async write(body: string): Promise<void> {
    let res;
    try {
      res = await request(this.writeUrl, { method: 'POST', body, headers: this.headers, dispatcher: this.dispatcher });
    } catch (e) {
      throw new WriteError(null, `InfluxDB unreachable at ${this.opts.url}: ${(e as Error).message}`);
    }
    const text = await res.body.text();
    if (res.statusCode !== 204) throw new WriteError(res.statusCode, `InfluxDB answered ${res.statusCode} to a write: ${text.slice(0, 500)}`);
  }

  /**
   * Write what is in the outbox now (used at shutdown and by tests), a batch after the other
   * while batches come out full (draining an outage). A batch that is not full ends the flush:
   * rows committed while it was written wait for the next tick. Peeking again at once wrote ~50
   * small batches a second under a steady 2,000 reports/s instead of one per interval, and each
   * write has costs of its own whatever its size (a request, InfluxDB's answer and WAL write, the
   * removal of its rows).
   */
  async flush(): Promise<void> {
    try {
      if (!this.dbReady && this.opts.provision !== false) {
        await provision(this.client, this.opts, this.log);
        this.dbReady = true;
      }
      for (;;) {
        const batch = this.outbox.peek(this.opts.batchSize, legacyRow);
        if (!batch.ids.length) break;
        try {
          await this.write(batch.body);
        } catch (e) {
          if (!(e instanceof WriteError) || e.status !== 400) throw e;
          await this.isolate(batch.ids);
          continue;
        }
        await this.removeBatch(batch);
        this.stats.pointsWritten += batch.points;
        if (!batch.more) break;
      }
      if (this.failures) this.log.info({ afterFailures: this.failures }, 'InfluxDB writes recovered; outbox drained');
      this.failures = 0;
    } catch (e) {
      this.failures++;
      this.stats.writeErrors++;
      this.stats.lastError = (e as Error).message;
      if (this.failures === 1 || this.failures % 10 === 0) {
        this.log.warn({ err: (e as Error).message, outboxPoints: this.outbox.pointCount(), outboxMaxPoints: this.outbox.maxPoints, failures: this.failures }, 'InfluxDB write failed; points stay in the outbox and will be retried');
      }
    }
  }

  /** A malformed batch: write row by row so only the bad rows are set aside. */
  private async isolate(ids: number[]): Promise<void> {
    for (const id of ids) {
      const one = this.outbox.peekId(id, legacyRow);
      if (one === undefined) continue;
      try {
        await this.write(one);
      } catch (e) {
        if (!(e instanceof WriteError) || e.status !== 400) throw e;
        this.outbox.setAside(id, e.message);
        this.stats.setAside++;
        this.log.error({ outboxId: id, err: e.message }, 'InfluxDB refused a point batch; set aside in outbox_rejected');
        continue;
      }
      this.outbox.remove([id]);
    }
  }
}
