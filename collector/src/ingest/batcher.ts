/**
 * Group commit: reports that arrive in the same turn of the event loop are stored in ONE SQLite
 * transaction (one WAL fsync with synchronous=FULL) and acknowledged together once it commits.
 * Nothing is acknowledged before its transaction is durable. Under light load a batch is one
 * report and costs nothing extra; under heavy load the fsync is shared by up to `maxBatch`.
 */
import type { HostStore, IngestItem } from '../store/hosts.js';

interface Pending {
  item: IngestItem;
  resolve: (stored: boolean) => void;
  reject: (e: unknown) => void;
}

export class IngestBatcher {
  private queue: Pending[] = [];
  private scheduled = false;
  /** Counters for /metrics: commits and reports committed. */
  readonly stats = { commits: 0, reports: 0 };

  constructor(
    private readonly hosts: HostStore,
    private readonly maxBatch = 256,
  ) {}

  /** Resolves true when stored, false when the report id was already stored (a resend). */
  submit(item: IngestItem): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate runs after the current I/O phase: every request parsed in it joins.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const stored = this.hosts.ingestMany(batch.map((p) => p.item));
        this.stats.commits++;
        this.stats.reports += batch.length;
        batch.forEach((p, i) => p.resolve(stored[i]!));
      } catch {
        // One bad item must not fail its neighbours: retry each alone, each in its own transaction.
        for (const p of batch) {
          try {
            p.resolve(this.hosts.ingest(p.item.report, p.item.unit, p.item.points, p.item.receivedAt));
            this.stats.commits++;
            this.stats.reports++;
          } catch (e) {
            p.reject(e);
          }
        }
      }
    }
  }
}
