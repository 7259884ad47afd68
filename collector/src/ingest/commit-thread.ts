/**
 * Worker thread entry: commits batches of accepted reports through its own SQLite connection.
 * With synchronous=FULL every commit waits for an fsync (about 2 ms on this machine's disk);
 * here that wait blocks only this thread, while the main thread goes on parsing and validating
 * the next requests, which queue up and form the next batch (group commit).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from '../store/db.js';
import { HostStore, type IngestRow } from '../store/hosts.js';
import { Outbox } from '../store/outbox.js';

export interface CommitRequest {
  rows: IngestRow[];
}
/** Per row: stored (true), a resend (false), or the error that kept it out. */
export interface CommitResult {
  results: (boolean | { error: string })[];
  /** Points added to the outbox. */
  points: number;
}

const db = openDb((workerData as { dataDir: string }).dataDir);
const hosts = new HostStore(db, new Outbox(db));

parentPort!.on('message', ({ rows }: CommitRequest) => {
  let results: CommitResult['results'];
  try {
    results = hosts.ingestRows(rows);
  } catch {
    // One bad row must not fail its neighbours: each alone, in its own transaction.
    results = rows.map((r) => {
      try {
        return hosts.ingestRows([r])[0]!;
      } catch (e) {
        return { error: (e as Error).message };
      }
    });
  }
  const points = rows.reduce((n, r, i) => n + (results[i] === true ? r.n : 0), 0);
  parentPort!.postMessage({ results, points } satisfies CommitResult);
});
