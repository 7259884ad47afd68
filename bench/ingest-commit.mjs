#!/usr/bin/env node
// The commit thread's work per report: THE ingest transaction (store/ingest-commit.ts: the
// agent's revocation read, report id, host state and rule facts, outbox row), in batches as
// group commit makes them, on a store whose hosts all reported once before (every report
// updates its host). The commit thread makes each row first: bench/ingest-steps.mjs times that.
// Single-threaded CPU time, so steadier than the HTTP benches on a shared machine.
//   floor     the same rows' bytes inserted into one plain table (same pragmas: WAL,
//             synchronous=FULL): what durability alone costs
//   this      this checkout's IngestCommit
//   --base D  another built checkout's IngestCommit (e.g. main exported to a scratch dir, built,
//             with this checkout's node_modules linked in), on the same rows: before/after in one run
// Reports: the benches' sample (8 baseline checks, 3.6 KB) and one the size of a real agent's on an
// unhardened Debian server (62 checks, byLevel on the retention checks).
// Usage: npm run build && node bench/ingest-commit.mjs [--hosts 2000] [--batch 16] [--rounds 5] [--base DIR]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { toIngestRow } from '../collector/dist/ingest/rows.js';
import { pointsOfReport } from '../collector/dist/influx/points.js';
import { openDb } from '../collector/dist/store/db.js';
import { benchReport, withChecks } from './lib/report.mjs';
import { SMOKE } from './lib/smoke.mjs';
import { cpuMicros, median } from './lib/proc.mjs';

const { values: a } = parseArgs({ options: { hosts: { type: 'string', default: '2000' }, batch: { type: 'string', default: '16' }, rounds: { type: 'string', default: '5' }, base: { type: 'string' }, smoke: { type: 'boolean' } } });
if (SMOKE) Object.assign(a, { hosts: '20', batch: '4', rounds: '1' });
const HOSTS = Number(a.hosts);
const BATCH = Number(a.batch);
const ROUNDS = Number(a.rounds);
const BATCHES = Math.max(1, Math.floor(HOSTS / BATCH));
/** The benches' sample report as it is (bench/lib/report.mjs). */
const SAMPLE_CHECKS = 8;

/** An IngestCommit of the checkout at `root` over a fresh store (its own migrations), and that checkout's rows. */
async function committerOf(root, dir) {
  const m = (p) => import(join(root, 'collector/dist/store', p));
  const { toIngestRow: rowOf } = await import(join(root, 'collector/dist/ingest/rows.js'));
  const [{ openDb: open }, { HostStore }, { ReportStore }, { Outbox }, { ForwardOutbox }, { IngestCommit }, { AgentStore }] = await Promise.all(
    ['db.js', 'hosts.js', 'reports.js', 'outbox.js', 'forward-outbox.js', 'ingest-commit.js', 'agents.js'].map(m),
  );
  const db = open(dir);
  // Agents enrolled straight in the table (an agent's report is stored only while it is not revoked).
  db.pragma('foreign_keys = OFF');
  const enroll = db.prepare("INSERT INTO agents (id, unit, credential_hash, hostname, machine_id, enrolled_at) VALUES (?, 'TTCNTT', ?, '', '', '')");
  db.transaction(() => {
    for (let i = 0; i < BATCHES * BATCH; i++) enroll.run(`a-${i}`, `hash-${i}`);
  })();
  const ic = new IngestCommit(db, { reports: new ReportStore(db), hosts: new HostStore(db), outbox: new Outbox(db), forwardOutbox: new ForwardOutbox(db), agents: new AgentStore(db) });
  return { commit: (rows) => ic.commit(rows), close: () => db.close(), rowOf };
}

function floorOf(dir) {
  const db = openDb(dir);
  db.exec('CREATE TABLE floor (id INTEGER PRIMARY KEY, report_id TEXT, agent_id TEXT, report TEXT, lines TEXT)');
  const ins = db.prepare('INSERT INTO floor (report_id, agent_id, report, lines) VALUES (@report_id, @agent_id, @report, @lines)');
  const tx = db.transaction((rows) => rows.forEach((r) => ins.run(r)));
  return { commit: tx, close: () => db.close(), rowOf: toIngestRow };
}

/** Reports of `batches` batches: every host once (seeding), then again with newer reports. */
function reportsFor(checks, round) {
  const at = Date.now() - 3600_000 + round * HOSTS;
  return Array.from({ length: BATCHES }, (_, b) =>
    Array.from({ length: BATCH }, (_, k) => {
      const i = b * BATCH + k;
      const sample = { ...benchReport(`a-${i}`, 'TTCNTT', i, new Date(at + i)), reportId: randomUUID() };
      return checks === SAMPLE_CHECKS ? sample : withChecks(sample, checks);
    }),
  );
}

/** The rows of `batches` of reports as the checkout of `rowOf` makes them (its row format may differ from this one's). */
const rowsOf = (batches, rowOf) => batches.map((b) => b.map((r) => rowOf({ report: r, unit: 'TTCNTT', points: pointsOfReport(r, 'TTCNTT'), receivedAt: new Date(), json: JSON.stringify(r), byAgentCredential: true })));

const fmt = (x) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

const tmp = mkdtempSync(join(tmpdir(), 'posture-bench-commit-'));
try {
  const kinds = [['floor (plain insert, same bytes)', (d) => floorOf(d)], ['this checkout', (d) => committerOf(resolve(import.meta.dirname, '..'), d)], ...(a.base ? [[`base ${a.base}`, (d) => committerOf(resolve(a.base), d)]] : [])];
  console.log(`ingest transaction: ${HOSTS} hosts, batches of ${BATCH}, median of ${ROUNDS} rounds (kinds alternate), node ${process.version}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  console.log('| report | kind | CPU µs per report | vs floor |');
  console.log('|---|---|---|---|');
  for (const checks of SMOKE ? [SAMPLE_CHECKS] : [SAMPLE_CHECKS, 62]) {
    const seedReports = reportsFor(checks, 0);
    const stores = [];
    for (const [name, make] of kinds) {
      const s = await make(join(tmp, `${checks}-${stores.length}`));
      const seed = rowsOf(seedReports, s.rowOf);
      for (const b of seed) {
        // Every seeding report must be stored, or the rounds would time refusals.
        const refused = s.commit(b)?.outcomes.find((o) => o !== 'stored');
        if (refused) throw new Error(`${name}: a seeding report was not stored (${refused})`);
      }
      stores.push({ name, s, us: [] });
    }
    const bytes = JSON.stringify(seedReports[0][0]).length;
    for (let round = 1; round <= ROUNDS; round++) {
      const reports = reportsFor(checks, round);
      for (const st of stores) {
        const rows = rowsOf(reports, st.s.rowOf);
        st.us.push(cpuMicros(() => rows.forEach((b) => st.s.commit(b))) / (BATCHES * BATCH));
      }
    }
    const floor = median(stores[0].us);
    for (const st of stores) {
      console.log(`| ${checks} checks, ${fmt(bytes)} B | ${st.name} | ${fmt(median(st.us))} | ${(median(st.us) / floor).toFixed(1)}x |`);
      st.s.close();
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
