/**
 * The only module that talks to InfluxDB: drains the outbox in batches. A batch leaves the
 * outbox only after InfluxDB acknowledged it, so an outage loses nothing: the outbox grows and
 * drains when InfluxDB is back. Rows that InfluxDB refuses as malformed (400) are moved aside
 * with the error, so one bad point cannot block the queue forever.
 */
import { InfluxDB, type IPoint } from 'influx';
import type { FastifyBaseLogger } from 'fastify';
import type { Outbox } from '../store/outbox.js';
import { provision, type ProvisionOptions } from './provision.js';

export interface InfluxOptions extends ProvisionOptions {
  url: string;
  database: string;
  username?: string | undefined;
  password?: string | undefined;
  batchSize: number;
  flushIntervalMs: number;
}

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

export class InfluxWriter {
  readonly client: InfluxDB;
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
  ) {
    this.client = influxClient(opts);
  }

  start(): void {
    const tick = () => {
      this.running = this.flush().finally(() => {
        this.running = undefined;
        // Back off while InfluxDB is failing: 1x, 2x, 4x ... up to 30 s.
        const delay = Math.min(30_000, this.opts.flushIntervalMs * 2 ** Math.min(this.failures, 8));
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

  /** Write everything currently in the outbox (used at shutdown and by tests). */
  async flush(): Promise<void> {
    try {
      if (!this.dbReady) {
        await provision(this.client, this.opts, this.log);
        this.dbReady = true;
      }
      for (;;) {
        const { ids, points } = this.outbox.peek(this.opts.batchSize);
        if (!ids.length) break;
        try {
          await this.client.writePoints(points as IPoint[], { precision: 'ms', database: this.opts.database });
        } catch (e) {
          const status = (e as { res?: { statusCode?: number } }).res?.statusCode;
          if (status === 400) {
            // A malformed batch: write row by row so only the bad row is set aside.
            for (const id of ids) {
              const one = this.outbox.peekId(id);
              if (!one) continue;
              try {
                await this.client.writePoints(one as IPoint[], { precision: 'ms', database: this.opts.database });
              } catch (e2) {
                this.outbox.setAside(id, (e2 as Error).message);
                this.stats.setAside++;
                this.log.error({ outboxId: id, err: (e2 as Error).message }, 'InfluxDB refused a point batch; set aside in outbox_rejected');
                continue;
              }
              this.outbox.remove([id]);
            }
            continue;
          }
          throw e;
        }
        this.outbox.remove(ids);
        this.stats.pointsWritten += points.length;
      }
      if (this.failures) this.log.info({ afterFailures: this.failures }, 'InfluxDB writes recovered; outbox drained');
      this.failures = 0;
    } catch (e) {
      this.failures++;
      this.stats.writeErrors++;
      this.stats.lastError = (e as Error).message;
      if (this.failures === 1 || this.failures % 10 === 0) {
        this.log.warn(
          { err: (e as Error).message, outboxPoints: this.outbox.pointCount(), outboxMaxPoints: this.outbox.maxPoints, failures: this.failures },
          'InfluxDB write failed; points stay in the outbox and will be retried',
        );
      }
    }
  }
}
