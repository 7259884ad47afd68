// Evaluation time of all shipped rules over 100,000 hosts and 2,000 systems in 30 units,
// against a same-run baseline: a plain loop that only counts one boolean field.
//   npx tsc -b protocol agent collector && node bench/rules-eval.mjs [--today DIR]
// Prints the median of 5 runs after a warm-up. Rules over in-memory members (what evaluation
// costs); the engine path from the SQLite store cold (every row read, as before the cache and at
// a restart); and from the cached inputs after 1% of the hosts reported anew (what a scheduled
// evaluation costs: store/host-inputs-cache.ts). Then the longest event-loop delay one
// evaluation causes (perf_hooks monitorEventLoopDelay): from the store in one go, cached in one
// go, cached in slices as the scheduler runs it.
// Hosts carry product facts, judged by the protection policy at evaluation time.
// --today DIR: the root of another checkout, built (e.g. main in a scratch git worktree):
// its members + evaluation is timed on the same fleet in the same run, and the ratio printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuleFiles } from '../collector/dist/rules/format.js';
import { expandRuleFiles, SHIPPED_RULES } from '../collector/dist/rules/manager.js';
import { hostFactsFor, hostMembers, hostMembersSliced, systemMembers, systemMembersSliced } from '../collector/dist/rules/members.js';
import { Engine } from '../collector/dist/rules/engine.js';
import { RuleManager } from '../collector/dist/rules/manager.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { evaluateRule } from '../collector/dist/rules/evaluate.js';
import { hostInputsInService, loadHostInputs } from '../collector/dist/store/host-facts.js';
import { openDb } from '../collector/dist/store/db.js';
import { HostRuleFactsStore } from '../collector/dist/store/host-rule-facts.js';
import { ruleFactsOf } from '../collector/dist/ingest/rule-facts.js';
import { HostStore } from '../collector/dist/store/hosts.js';
import { HostInputCache } from '../collector/dist/store/host-inputs-cache.js';
import { sized } from './lib/smoke.mjs';
import { DEFAULT_PROTECTION_POLICY, protectsAt } from '../collector/dist/policy/protection.js';

const todayArg = process.argv.indexOf('--today');
const todayRoot = todayArg > 0 ? process.argv[todayArg + 1] : undefined;

// As the engine does: each rule also records every member's verdict (for the dashboards' inventory).
const verdictsFor = (r, hosts, systems) => new Uint8Array(r.population === 'hosts' ? hosts.length : systems.length);
const HOSTS = sized(100_000, 1000),
  SYSTEMS = sized(2_000, 20),
  UNITS = 30,
  RUNS = sized(5, 1);
const now = new Date('2026-03-01T00:00:00Z');
const units = Array.from({ length: UNITS }, (_, i) => `U${String(i).padStart(2, '0')}`);
// Deterministic pseudo-random fleet (mulberry32) so runs compare.
let seed = 42;
const rnd = () => ((seed = (seed + 0x6d2b79f5) | 0), (((seed ^ (seed >>> 15)) * (1 | seed)) >>> 0) / 4294967296);
const checks = [
  ['firewall.active', 1],
  ['time.synced', 1],
  ['audit.enabled', 2],
  ['updates.pending', 2],
  ['ssh.root_login', 3],
  ['disk.encryption', 4],
];
const HOUR = 3_600_000;
const inputs = Array.from({ length: HOSTS }, (_, i) => {
  const receivedAt = new Date(now.getTime() - (rnd() < 0.03 ? 5 * HOUR : 60_000)).toISOString();
  const collectedMs = Date.parse(receivedAt);
  const failed = rnd() < 0.02;
  // Signatures 1-200 h old at collection (about 16% past 168 h at evaluation), some flag-only.
  const age = 1 + rnd() * 200;
  const flagOnly = rnd() < 0.1;
  const protection = failed
    ? { collectedMs, products: null, failure: 'PROBE_TIMEOUT', agentProtected: null, agentLimitHours: null }
    : {
        collectedMs,
        products: [
          {
            key: 'defender',
            id: 'defender',
            name: 'Microsoft Defender Antivirus',
            antiMalware: true,
            installed: true,
            running: rnd() < 0.97,
            realTime: rnd() < 0.97,
            signatureless: false,
            signatureMs: flagOnly ? null : collectedMs - age * HOUR,
            signatureAgeHours: flagOnly ? null : Math.round(age * 10) / 10,
            signatureUpToDate: flagOnly ? true : null,
          },
        ],
        failure: null,
        agentProtected: true,
        agentLimitHours: 168,
      };
  return {
    agentId: `a-${i}`,
    unit: units[i % UNITS],
    hostname: `h${i}`,
    role: rnd() < 0.8 ? 'workstation' : 'server',
    os: rnd() < 0.7 ? 'windows' : 'linux',
    systems: i % 25 === 0 ? [`s${i % SYSTEMS}`] : [],
    // The agents' own verdicts agree with the policy here, so that today's code (which counts
    // them) and this one count the same hosts as failing: the comparison is of the work, not of
    // how many footnotes each writes.
    protected: failed ? null : protectsAt(protection, now.getTime(), DEFAULT_PROTECTION_POLICY),
    protectionReasons: ['Defender: protecting'],
    protectionReasonCodes: [{ code: 'PROTECTION_PRODUCT_PROTECTS', params: { product: 'Defender' } }],
    protectionError: null,
    products: ['defender'],
    ipv6Readiness: ['none', 'address', 'routed', 'dual-stack-services', 'ready'][Math.floor(rnd() * 5)],
    ipv6Reasons: [],
    ipv6ReasonCodes: [],
    baseline: checks.map(([id, level]) => ({ id, level, result: rnd() < 0.9 ? 'pass' : rnd() < 0.5 ? 'fail' : 'unknown' })),
    receivedAt,
    decommissionedAt: null,
    protection,
  };
});
const registry = Array.from({ length: SYSTEMS }, (_, i) => ({
  id: `s${i}`,
  name: `System ${i}`,
  ownerUnit: units[i % UNITS],
  tags: i % 10 === 0 ? ['portal'] : [],
  ...(rnd() < 0.85 ? { level: 1 + Math.floor(rnd() * 4) } : {}),
  ...(rnd() < 0.8 ? { approval: { number: `${i}/QĐ`, date: '2025-01-01' } } : {}),
  protectionPlan: { deployed: rnd() < 0.75 },
}));
const rules = loadRuleFiles(expandRuleFiles([SHIPPED_RULES])).flatMap((g) => g.rules);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(fn) {
  fn();
  const ms = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

let sink = 0;
const baseline = time(() => {
  let n = 0;
  for (const h of inputs) if (h.protected === true) n++;
  sink += n;
});
const build = time(() => {
  const hosts = hostMembers(inputs, now, 60);
  sink += systemMembers(registry, hosts).length;
});
const hosts = hostMembers(inputs, now, 60);
const systems = systemMembers(registry, hosts);
const evalOnly = time(() => {
  for (const r of rules) sink += evaluateRule(r, r.population === 'hosts' ? hosts : systems, units, now, verdictsFor(r, hosts, systems)).ministry.pass;
});
const full = time(() => {
  const h = hostMembers(inputs, now, 60);
  const s = systemMembers(registry, h);
  for (const r of rules) sink += evaluateRule(r, r.population === 'hosts' ? h : s, units, now, verdictsFor(r, h, s)).ministry.pass;
});

// From the store: the same fleet as rows of the hosts table with a compact stored report.
const dir = mkdtempSync(join(tmpdir(), 'posture-bench-'));
const db = openDb(dir);
const reports = [];
db.transaction(() => {
  const un = db.prepare('INSERT INTO units (id, name) VALUES (?, ?)');
  for (const u of units) un.run(u, u);
  const a = db.prepare('INSERT INTO agents (id, unit, credential_hash, hostname, machine_id, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)');
  const hrow = db.prepare(
    `INSERT INTO hosts (agent_id, unit, hostname, role, systems, protected, protection_reasons, ipv6_readiness, last_report_id, collected_at, collected_ms, received_at, protection_facts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const hreport = db.prepare('INSERT INTO host_reports (agent_id, report) VALUES (?, ?)');
  for (const h of inputs) {
    a.run(h.agentId, h.unit, `hash-${h.agentId}`, h.hostname, '', h.receivedAt);
    const report = {
      probes: {
        host: { ok: true, facts: { os: { family: h.os } } },
        protection: { ok: true, facts: { products: [{ id: 'defender' }] } },
        ipv6: { ok: true, facts: { reasons: [] } },
        baseline: { ok: true, facts: { checks: h.baseline.map((c) => ({ ...c, title: { vi: c.id, en: c.id }, evidence: 'bench' })) } },
      },
    };
    reports.push(JSON.stringify(report));
    hrow.run(h.agentId, h.unit, h.hostname, h.role, JSON.stringify(h.systems), h.protected === null ? null : h.protected ? 1 : 0, '[]', h.ipv6Readiness, h.agentId, h.receivedAt, Date.parse(h.receivedAt), h.receivedAt, JSON.stringify(h.protection));
    hreport.run(h.agentId, JSON.stringify(report));
  }
})();
// Rows written straight into hosts: their rule facts come from the stored reports (the ingest builds them itself).
const ruleFacts = new HostRuleFactsStore(db);
ruleFacts.rebuildFromReports();
// What the engine loads: every fact only for hosts serving a system unless a host rule reads more.
const facts = hostFactsFor(rules);
const loadAll = time(() => {
  sink += loadHostInputs(db).length;
});
// The engine streams the rows (store/host-facts.ts hostInputsInService): each member is built as its row arrives.
const loadOnly = time(() => {
  for (const h of hostInputsInService(db, facts)) sink += h.systems.length + 1;
});
const fromStore = time(() => {
  const h = hostMembers(hostInputsInService(db, facts), now, 60);
  const s = systemMembers(registry, h);
  for (const r of rules) sink += evaluateRule(r, r.population === 'hosts' ? h : s, units, now, verdictsFor(r, h, s)).ministry.pass;
});
// What the engine does since the inputs are kept (store/host-inputs-cache.ts): before each
// evaluation 1% of the hosts report anew (stored by the ingest upsert, not timed), then the
// cache reads only those rows. The first call is the cold full read (a restart).
const cache = new HostInputCache(db);
const hostStore = new HostStore(db);
const CHANGED = Math.max(1, Math.round(HOSTS / 100));
let nextChanged = 0;
const reportAnew = () =>
  db.transaction(() => {
    for (let k = 0; k < CHANGED; k++, nextChanged = (nextChanged + 1) % HOSTS) {
      const h = inputs[nextChanged];
      const collectedMs = now.getTime() - 30_000;
      const at = new Date(collectedMs).toISOString();
      hostStore.upsertLatest({
        agent_id: h.agentId,
        unit: h.unit,
        hostname: h.hostname,
        role: h.role,
        systems: JSON.stringify(h.systems),
        protected: h.protected === null ? null : h.protected ? 1 : 0,
        reasons: '[]',
        ipv6: h.ipv6Readiness,
        report_id: `${h.agentId}-${collectedMs}`,
        collected_at: at,
        collected_ms: collectedMs,
        received_at: at,
        report: reports[nextChanged],
        protection_facts: JSON.stringify(h.protection),
      });
    }
  })();
const cachedEvaluation = () => {
  const h = hostMembers(cache.inService(facts), now, 60);
  const s = systemMembers(registry, h);
  for (const r of rules) sink += evaluateRule(r, r.population === 'hosts' ? h : s, units, now, verdictsFor(r, h, s)).ministry.pass;
};
let t0 = performance.now();
cachedEvaluation();
const cold = performance.now() - t0;
const coldRows = cache.last.rows;
const warm = [],
  refresh = [];
reportAnew();
cachedEvaluation(); // warm-up of the incremental path
for (let i = 0; i < RUNS; i++) {
  reportAnew();
  t0 = performance.now();
  cachedEvaluation();
  warm.push(performance.now() - t0);
  refresh.push(cache.last.ms);
  if (cache.last.full || cache.last.rows !== CHANGED) throw new Error(`the cache read ${cache.last.rows} rows (full: ${cache.last.full}), expected the ${CHANGED} changed`);
}
const cachedWarm = median(warm);
const cachedRefresh = median(refresh);

// How long an evaluation keeps the event loop (what an agent's request waits behind): the
// engine as the scheduler runs it, before (in one go from the store, as main did) and with the
// cache, in one go and in slices; the longest event-loop delay seen while it runs (perf_hooks
// monitorEventLoopDelay), after 1% of the hosts reported anew. Records nothing (no tables).
const engineOf = (members) =>
  new Engine({
    rules: new RuleManager(),
    units: () => units.map((id) => ({ id, name: id })),
    members,
    // As compose.ts wires the scheduler's: the changed rows read, the host and system members made, in slices.
    membersSliced: async (at, slicer) => {
      const h = await hostMembersSliced(await cache.inServiceSliced(facts, slicer), at, 60, DEFAULT_PROTECTION_POLICY, slicer);
      return { hosts: h, systems: await systemMembersSliced(registry, h, new Map(), at, slicer), systemNames: new Map() };
    },
    alertState: () => [],
    record: () => {},
  });
const fromStoreEngine = engineOf((at) => {
  const h = hostMembers(hostInputsInService(db, facts), at, 60);
  return { hosts: h, systems: systemMembers(registry, h), systemNames: new Map() };
});
const cachedEngine = engineOf((at) => {
  const h = hostMembers(cache.inService(facts), at, 60);
  return { hosts: h, systems: systemMembers(registry, h), systemNames: new Map() };
});
async function loopDelay(evaluate) {
  const delays = [];
  for (let i = 0; i < RUNS; i++) {
    reportAnew();
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    // A timer that should fire every millisecond, as a request would be served.
    const tick = setInterval(() => {}, 1);
    // Started before the evaluation: the histogram's first sample is only a start.
    await new Promise((r) => setTimeout(r, 20));
    const t = performance.now();
    await evaluate();
    const wall = performance.now() - t;
    await new Promise((r) => setTimeout(r, 5));
    clearInterval(tick);
    h.disable();
    delays.push({ max: h.max / 1e6, wall });
  }
  return { max: median(delays.map((d) => d.max)), wall: median(delays.map((d) => d.wall)) };
}
const delayBefore = await loopDelay(() => fromStoreEngine.evaluateAndRecord(now));
const delayCached = await loopDelay(() => cachedEngine.evaluateAndRecord(now));
const delaySliced = await loopDelay(() => cachedEngine.evaluateAndRecordSliced(now));
const slices = cachedEngine.lastSlices;

// What the host rule facts cost the ingest for 20,000 reports: built from the parsed report and
// stored (ingest/rule-facts.ts, as the ingest does now), against the SQL views the triggers ran
// (which parsed each stored report again).
const RESTORED = Math.min(20_000, HOSTS);
const parsed = reports.slice(0, RESTORED).map((r) => JSON.parse(r));
const byViews = time(() =>
  db.transaction(() => {
    const up = db.prepare('INSERT INTO host_rule_facts SELECT * FROM host_rule_facts_of WHERE agent_id = ? ON CONFLICT(agent_id) DO UPDATE SET facts = excluded.facts');
    for (let i = 0; i < RESTORED; i++) up.run(inputs[i].agentId);
  })(),
);
const byScript = time(() =>
  db.transaction(() => {
    for (let i = 0; i < RESTORED; i++) {
      const f = ruleFactsOf(parsed[i]);
      ruleFacts.put(inputs[i].agentId, f.facts, f.titles);
    }
  })(),
);
db.close();
rmSync(dir, { recursive: true, force: true });

// Today's code (another checkout) on the same fleet: its members ignore the product facts.
let today;
if (todayRoot) {
  const dist = (f) => new URL(`file://${join(todayRoot, 'collector/dist', f)}`).href;
  const t = { ...(await import(dist('rules/members.js'))), ...(await import(dist('rules/evaluate.js'))), ...(await import(dist('rules/format.js'))), ...(await import(dist('rules/manager.js'))) };
  const todayRules = t.loadRuleFiles(t.expandRuleFiles([t.SHIPPED_RULES])).flatMap((g) => g.rules);
  const todayFull = () => {
    const h = t.hostMembers(inputs, now, 60);
    const s = t.systemMembers(registry, h);
    for (const r of todayRules) sink += t.evaluateRule(r, r.population === 'hosts' ? h : s, units, now, verdictsFor(r, h, s)).ministry.pass;
  };
  const mineFull = () => {
    const h = hostMembers(inputs, now, 60);
    const s = systemMembers(registry, h);
    for (const r of rules) sink += evaluateRule(r, r.population === 'hosts' ? h : s, units, now, verdictsFor(r, h, s)).ministry.pass;
  };
  // One run of each in turn (after a warm-up of both), so that load from others on the machine
  // falls on both alike; medians of 2 x RUNS.
  todayFull();
  mineFull();
  const mine = [],
    theirs = [];
  for (let i = 0; i < 2 * RUNS; i++) {
    let t = performance.now();
    todayFull();
    theirs.push(performance.now() - t);
    t = performance.now();
    mineFull();
    mine.push(performance.now() - t);
  }
  today = { theirs: median(theirs), mine: median(mine) };
}

const row = (name, ms) => console.log(`${name.padEnd(72)} ${ms.toFixed(1).padStart(8)} ms  ${(ms / baseline).toFixed(0).padStart(6)}x baseline`);
console.log(`rules-eval: ${HOSTS} hosts, ${SYSTEMS} systems, ${UNITS} units, ${rules.length} rules (${rules.map((r) => r.indicator).join(', ')}); median of ${RUNS}`);
row('baseline: plain loop counting host.protected', baseline);
row('build members (hosts + systems, baseline by level)', build);
row('evaluate all rules (CEL where/pass/reason)', evalOnly);
row('members + evaluation (goal <= 1000 ms)', full);
row('from SQLite: load every fact of every host', loadAll);
row(`from SQLite: load facts only (${facts}, what the engine does)`, loadOnly);
row('from SQLite: load facts + members + evaluation (cold, no cache)', fromStore);
row(`cached inputs, cold: full read of ${coldRows} rows + members + evaluation`, cold);
row(`cached inputs: read the ${CHANGED} rows changed (1% reported anew)`, cachedRefresh);
row('cached inputs: 1% changed + members + evaluation (goal <= 600 ms)', cachedWarm);
console.log(
  `event loop held by one evaluation (longest delay, median of ${RUNS}): ${delayBefore.max.toFixed(0)} ms before (from SQLite in one go), ${delayCached.max.toFixed(0)} ms cached in one go, ${delaySliced.max.toFixed(0)} ms cached in slices (${slices} slices over ${delaySliced.wall.toFixed(0)} ms)`,
);
console.log(`ingest: rule facts of ${RESTORED.toLocaleString('en-US')} reports ${byScript.toFixed(1)} ms built from the parsed report and stored, ${byViews.toFixed(1)} ms by the SQL views (the former triggers; ${(byViews / byScript).toFixed(2)}x)`);
if (today) {
  console.log(`today (${todayRoot}): members + evaluation ${today.theirs.toFixed(1)} ms; with the policy at the collector ${today.mine.toFixed(1)} ms: ${(today.mine / today.theirs).toFixed(2)}x (goal <= 1.2x)`);
}
if (sink < 0) console.log(sink); // keep the work observable
