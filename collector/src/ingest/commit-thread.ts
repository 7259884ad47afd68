/**
 * Worker thread entry: derives the stored row of each accepted report (ingest/rows.ts) and
 * commits batches of them through its own SQLite connection.
 * With synchronous=FULL every commit waits for an fsync (about 2 ms on this machine's disk);
 * here that wait blocks only this thread, while the main thread goes on parsing and validating
 * the next requests, which queue up and form the next batch (group commit).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AgentStore } from '../store/agents.js';
import { openDb } from '../store/db.js';
import { ForwardOutbox } from '../store/forward-outbox.js';
import { HostStore, type IngestRow } from '../store/hosts.js';
import { IngestCommit } from '../store/ingest-commit.js';
import { Outbox } from '../store/outbox.js';
import { ReportStore, type IngestOutcome } from '../store/reports.js';
import { rowOfAccepted, type AcceptedReport } from './rows.js';

export interface CommitRequest {
  reports: AcceptedReport[];
  /** Outbox rows InfluxDB has acknowledged: deleted in the same transaction (no fsync of their own). */
  remove?: { from: number; to: number } | undefined;
}
/** Per row: what storing it did (store/reports.ts), or the error that kept it out. */
export interface CommitResult {
  results: (IngestOutcome | { error: string })[];
  /** Points added to the outbox. */
  points: number;
  /** Outbox rows deleted for `remove`. */
  removed: number;
}

export interface CommitThreadData {
  dataDir: string;
  /** The unit whose reports are queued for the ministry's collector (config upstream.unit). */
  forwardUnit: string | null;
}

const data = workerData as CommitThreadData;
const db = openDb(data.dataDir);
const outbox = new Outbox(db);
const ingest = new IngestCommit(db, { reports: new ReportStore(db), hosts: new HostStore(db), outbox, forwardOutbox: new ForwardOutbox(db), agents: new AgentStore(db) }, data.forwardUnit);

parentPort!.on('message', ({ reports, remove }: CommitRequest) => {
  let results: CommitResult['results'];
  let removed: number;
  // A report whose row cannot be made fails alone; the others of the batch commit together.
  const made = reports.map((a): IngestRow | { error: string } => {
    try {
      return rowOfAccepted(a);
    } catch (e) {
      return { error: (e as Error).message };
    }
  });
  const rows = made.filter((m): m is IngestRow => !('error' in m));
  try {
    const done = ingest.commit(rows, remove);
    results = done.outcomes;
    removed = done.removed;
  } catch {
    // One bad row must not fail its neighbours: each alone, in its own transaction.
    removed = remove ? ingest.commit([], remove).removed : 0;
    results = rows.map((r) => {
      try {
        return ingest.commit([r]).outcomes[0]!;
      } catch (e) {
        return { error: (e as Error).message };
      }
    });
  }
  const points = rows.reduce((n, r, i) => n + (results[i] === 'stored' ? r.n : 0), 0);
  let k = 0;
  parentPort!.postMessage({ results: made.map((m) => ('error' in m ? m : results[k++]!)), points, removed } satisfies CommitResult);
});
