#!/usr/bin/env node
// Where the CPU per report goes outside HTTP: each step of the ingest path timed alone
// (single-threaded CPU, so steadier than the HTTP benches on a shared machine), against
// JSON.parse of the same text, which the bare node:http + ajv server of bench/ingest.mjs pays
// too. On the event loop: the body parser (secure-json-parse, as app.ts calls it), the report
// schema (ajv), the credential lookup (sha256, then the cache of live agents; the first round
// reads SQLite), the checks (ingest/accept.ts checkReport: agent, unit, clock, storability),
// handing batches of 16 accepted reports to a worker thread (structured clone; the process's
// CPU, both threads). On the commit thread: the stored row made from an accepted report
// (ingest/rows.ts rowOfAccepted: JSON.parse again, InfluxDB points, line protocol, content hash,
// product facts, rule facts), and the rule facts alone (ingest/rule-facts.ts).
// Reports: the benches' sample (8 baseline checks) and one the size of a real agent's (62).
// Usage: npm run build && node bench/ingest-steps.mjs [--n 20000]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import secureJson from 'secure-json-parse';
import { openCollector } from '../collector/dist/app.js';
import { validateConfig } from '../collector/dist/config.js';
import { checkReport } from '../collector/dist/ingest/accept.js';
import { ruleFactsOf } from '../collector/dist/ingest/rule-facts.js';
import { rowOfAccepted } from '../collector/dist/ingest/rows.js';
import { validateReport } from '../collector/dist/ingest/validate.js';
import { benchReport, withChecks } from './lib/report.mjs';
import { SMOKE } from './lib/smoke.mjs';
import { cpuMicros, median } from './lib/proc.mjs';

const { values: a } = parseArgs({ options: { n: { type: 'string', default: '20000' }, smoke: { type: 'boolean' } } });
const N = SMOKE ? 50 : Number(a.n);
const ROUNDS = SMOKE ? 1 : 5;

const dir = mkdtempSync(join(tmpdir(), 'posture-bench-steps-'));
const c = openCollector(validateConfig({ dataDir: join(dir, 'data'), units: [{ id: 'TTCNTT', name: 'Trung tâm Công nghệ thông tin' }] }, 'bench'));
const worker = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.on("message", (m) => { if (m.last) parentPort.postMessage(m.reports.length); });', { eval: true });
try {
  const agents = Array.from({ length: 500 }, (_, i) => c.agents.enroll('TTCNTT', `srv-${i}`, ''));
  console.log(`steps of the ingest path, CPU µs per report (median of ${ROUNDS} rounds of ${N.toLocaleString('en-US')}), node ${process.version}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  console.log('| report | step | CPU µs per report | vs JSON.parse |');
  console.log('|---|---|---|---|');
  for (const checks of SMOKE ? [8] : [8, 62]) {
    const reports = agents.map((ag, i) => {
      const r = { ...benchReport(ag.agentId, 'TTCNTT', i, new Date(Date.now() - 60_000)) };
      return checks === 8 ? r : withChecks(r, checks);
    });
    const texts = reports.map((r) => JSON.stringify(r));
    for (const r of reports) if (!validateReport(r)) throw new Error(`bench report is invalid: ${JSON.stringify(validateReport.errors)}`);
    const now = new Date();
    const sender = (r) => ({ id: r.agentId, unit: 'TTCNTT', relayed: false });
    const accepted = reports.map((r, i) => checkReport(c, r, sender(r), texts[i], now).accepted);
    const at = (k) => k % reports.length;
    let sink = 0;
    const steps = [
      [
        'JSON.parse (the floor)',
        () => {
          for (let k = 0; k < N; k++) sink += JSON.parse(texts[at(k)]).schemaVersion;
        },
      ],
      [
        'body parser (secure-json-parse)',
        () => {
          for (let k = 0; k < N; k++) sink += secureJson.parse(texts[at(k)], null, { protoAction: 'error', constructorAction: 'error' }).schemaVersion;
        },
      ],
      [
        'report schema (ajv)',
        () => {
          for (let k = 0; k < N; k++) sink += validateReport(reports[at(k)]) ? 1 : 0;
        },
      ],
      [
        'credential lookup (sha256 + cache of live agents)',
        () => {
          for (let k = 0; k < N; k++) sink += c.agents.byCredential(agents[at(k)].credential) ? 1 : 0;
        },
      ],
      [
        'checks (checkReport)',
        () => {
          for (let k = 0; k < N; k++) sink += checkReport(c, reports[at(k)], sender(reports[at(k)]), texts[at(k)], now).points;
        },
      ],
      [
        'commit thread: the stored row (rowOfAccepted)',
        () => {
          for (let k = 0; k < N; k++) sink += rowOfAccepted(accepted[at(k)]).n;
        },
      ],
      [
        '  of which rule facts (ruleFactsOf)',
        () => {
          for (let k = 0; k < N; k++) sink += ruleFactsOf(reports[at(k)]).facts.length;
        },
      ],
    ];
    const us = new Map(steps.map(([name]) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) for (const [name, fn] of steps) us.get(name).push(cpuMicros(fn) / N);
    // Accepted reports to the commit thread as the batcher hands them over: batches of 16, both threads' CPU.
    const batches = Math.max(1, Math.floor(N / 16));
    const handOver = [];
    for (let round = 0; round < ROUNDS; round++) {
      const c0 = process.cpuUsage();
      for (let b = 0; b < batches; b++) worker.postMessage({ reports: Array.from({ length: 16 }, (_, k) => accepted[at(b * 16 + k)]), last: b === batches - 1 });
      await new Promise((r) => worker.once('message', r));
      const cpu = process.cpuUsage(c0);
      handOver.push((cpu.user + cpu.system) / (batches * 16));
    }
    const floor = median(us.get('JSON.parse (the floor)'));
    const print = (name, v) => console.log(`| ${checks} checks, ${texts[0].length.toLocaleString('en-US')} chars | ${name} | ${v.toFixed(1)} | ${(v / floor).toFixed(2)}x |`);
    for (const [name] of steps) print(name, median(us.get(name)));
    print('accepted reports to the commit thread (postMessage, both threads)', median(handOver));
    if (sink === 0.5) console.log('');
  }
} finally {
  await worker.terminate();
  c.db.close();
  rmSync(dir, { recursive: true, force: true });
}
