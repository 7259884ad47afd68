/**
 * The engine's cached rule inputs (host-inputs-cache.ts) give the same indicator results and
 * member verdicts as a full read after every kind of change: a new report, an older one (a
 * spool draining), a new host, decommissioning, a unit move, systems declared and the
 * registry changed, a row deleted, a report stored through another connection (the commit
 * thread, the admin CLI), a rule reload that needs more facts, new check titles, and a
 * restart. The reference is a second collector opened on the same store (a restart: its
 * cache reads every row); the cached side must have read only the changed rows where it can.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '@posture/protocol';
import { openCollector } from '../app.js';
import { validateConfig, type CollectorConfig } from '../config.js';
import type { Collector } from '../context.js';
import { decommissionHost, putSystem, revokeAgent } from '../admin/actions.js';
import { expandRuleFiles, RuleManager, SHIPPED_RULES } from '../rules/manager.js';
import { hostFactsFor } from '../rules/members.js';
import { toIngestRow } from '../ingest/rows.js';
import { sampleReport } from '../../../testing/reports.js';
import { sqlRun } from '../../../testing/sql.js';
import { hostInputsInService, type HostInput } from './host-facts.js';
import { CHUNK_ROWS } from './host-inputs-cache.js';
import { openStore } from './index.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const UNITS = [
  { id: 'A', name: 'Cục A' },
  { id: 'B', name: 'Cục B' },
];

let dir: string;
let rulesDir: string;
let config: CollectorConfig;
let c: Collector;

/** A host rule that reads the baseline checks: every host's facts must be loaded for it. */
const BASELINE_RULE = `groups:
  - name: hosts-baseline
    rules:
      - indicator: hosts_firewall
        tt: 0
        title: {vi: "Máy có tường lửa", en: "Hosts with a firewall"}
        basis: "test"
        population: hosts
        pass: '"firewall.inbound_default_deny" in host.baseline && host.baseline["firewall.inbound_default_deny"] == "pass"'
        by: [unit]
        target: 0.9
`;

function store(agentId: string, unit: string, at: Date, o: Partial<Parameters<typeof sampleReport>[0]> = {}, via: Pick<Collector, 'ingestCommit'> = c): boolean {
  const report: Report = sampleReport({ agentId, unit, hostname: hostnames.get(agentId), collectedAt: at, baseline: {}, ...o });
  return via.ingestCommit.commit([toIngestRow({ report, unit, points: [], receivedAt: at })]).stored[0]!;
}

const hostnames = new Map<string, string>();
const agents = new Map<string, string>();
function enroll(unit: string, hostname: string): string {
  const { agentId } = c.agents.enroll(unit, hostname, '');
  hostnames.set(agentId, hostname);
  agents.set(hostname, agentId);
  return agentId;
}

/** What an evaluation at NOW gives: every indicator's result and every member's verdict, by member id. */
function outcome(col: Collector) {
  const { ev, members } = col.engine.evaluateNowWithMembers(NOW);
  const verdicts = Object.fromEntries(
    [...members.verdicts].map(([id, v]) => {
      const ids = ev.indicators.find((i) => i.id === id)!.population === 'hosts' ? members.hosts.map((h) => h.id) : members.systems.map((s) => s.id);
      return [id, ids.map((m, i) => `${m}:${v[i]}`)];
    }),
  );
  return { indicators: ev.indicators, verdicts, hosts: members.hosts.map((h) => h.id) };
}

/** A restart: another collector on the same store reads every row. */
function reference() {
  const fresh = openCollector(config, null, { rules: new RuleManager([rulesDir]) });
  try {
    const o = outcome(fresh);
    expect(fresh.hostInputs.last.full).toBe(true);
    return o;
  } finally {
    fresh.db.close();
  }
}

/** The cached evaluation equals a full read's; `rows`: how many rows the cache must have read (undefined: a full read). */
function expectSameAsFullRead(rows: number | undefined) {
  const cached = outcome(c);
  if (rows === undefined) expect(c.hostInputs.last.full).toBe(true);
  else expect(c.hostInputs.last).toMatchObject({ full: false, rows });
  expect(cached).toEqual(reference());
  // And the inputs themselves, against the streamed read of every row in service (in its own order: by agent id here).
  const byId = (xs: Iterable<HostInput>) => [...xs].sort((a, b) => a.agentId.localeCompare(b.agentId));
  expect(byId(c.hostInputs.inService(hostFactsFor(c.engine.rules.rules)))).toEqual(byId(hostInputsInService(c.db, hostFactsFor(c.engine.rules.rules))));
  return cached;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-cache-'));
  rulesDir = join(dir, 'rules');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(rulesDir);
  for (const f of expandRuleFiles([SHIPPED_RULES])) await copyFile(f, join(rulesDir, f.split('/').pop()!));
  config = validateConfig({ dataDir: join(dir, 'data'), units: UNITS, staleAfterMinutes: 60 }, 'test');
  c = openCollector(config, null, { rules: new RuleManager([rulesDir]) });
  putSystem(c, { id: 'cong-ttdt', name: 'Cổng TTĐT', ownerUnit: 'A', level: 2, approval: { number: '1/QĐ', date: '2025-01-01' }, protectionPlan: { deployed: true }, tags: ['portal'] }, 'test');
  for (let i = 0; i < 8; i++) {
    const unit = i % 2 ? 'B' : 'A';
    const id = enroll(unit, `h${i}`);
    expect(
      store(id, unit, minutesAgo(10 + i), { protected: i % 3 !== 0, systems: i < 3 ? ['cong-ttdt'] : i === 3 ? ['he-thong-la'] : [], role: i % 4 ? 'workstation' : 'server', baseline: { 'firewall.inbound_default_deny': i % 2 ? 'fail' : 'pass' } }),
    ).toBe(true);
  }
});
afterAll(async () => {
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

const agentOf = (hostname: string) => agents.get(hostname)!;

describe('the cached rule inputs', () => {
  it('read every row at first, then only the rows changed, with the results of a full read after each change', () => {
    const first = expectSameAsFullRead(undefined);
    expect(first.hosts).toHaveLength(8);
    // Nothing changed: nothing read.
    expectSameAsFullRead(0);

    // A new report: h1 is no longer protected (every acknowledged report counts in the next evaluation).
    const before = first.verdicts.endpoint_protection!.find((v) => v.startsWith(agentOf('h1')));
    expect(store(agentOf('h1'), 'B', minutesAgo(1), { protected: false })).toBe(true);
    const after = expectSameAsFullRead(1);
    expect(before).toBe(`${agentOf('h1')}:1`);
    expect(after.verdicts.endpoint_protection).toContain(`${agentOf('h1')}:2`);

    // An older report (a spool draining) does not replace the state: no row changed.
    expect(store(agentOf('h1'), 'B', minutesAgo(30), { protected: true })).toBe(true);
    expectSameAsFullRead(0);

    // A new host, after the others.
    expect(store(enroll('A', 'h8'), 'A', minutesAgo(2), { protected: true })).toBe(true);
    expect(expectSameAsFullRead(1).hosts).toHaveLength(9);

    // Decommissioned (through the admin action, which also revokes its agent): out of every denominator.
    decommissionHost(c, 'h2', 'retired', 'test');
    const out = expectSameAsFullRead(1);
    expect(out.hosts).not.toContain(agentOf('h2'));

    // A revoked agent's host still counts (until decommissioned): nothing to read.
    revokeAgent(c, agentOf('h5'), 'test');
    expect(expectSameAsFullRead(0).hosts).toContain(agentOf('h5'));

    // A unit move: the host's latest report comes under another unit.
    expect(store(agentOf('h4'), 'B', minutesAgo(1))).toBe(true);
    const moved = expectSameAsFullRead(1);
    expect(moved.indicators.find((i) => i.id === 'endpoint_protection')!.units.map((u) => u.total)).toEqual([3, 5]);

    // Systems: a host declares another system, and the registry changes (no host row does).
    expect(store(agentOf('h6'), 'A', minutesAgo(1), { systems: ['cong-ttdt'] })).toBe(true);
    expectSameAsFullRead(1);
    putSystem(c, { id: 'he-thong-la', name: 'Hệ thống lạ', ownerUnit: 'B', level: 1, protectionPlan: { deployed: false }, tags: [] }, 'test');
    const registered = expectSameAsFullRead(0);
    expect(registered.verdicts.systems_classified).toContain('he-thong-la:2');

    // A report stored through another connection (as the commit thread and the admin CLI do).
    const other = openStore(config, { syncAuth: false });
    try {
      expect(store(agentOf('h7'), 'B', minutesAgo(1), { protected: false }, other)).toBe(true);
      other.hosts.decommission(agentOf('h3'), 'retired from the CLI');
    } finally {
      other.close();
    }
    expectSameAsFullRead(2);
  });

  it('reads every row again when a row was deleted, the titles changed or the rules need more facts, and after a restart', async () => {
    outcome(c);
    // A row deleted leaves no counter behind: the row count tells.
    sqlRun(c.db, 'DELETE FROM hosts WHERE agent_id = ?', agentOf('h0'));
    expect(expectSameAsFullRead(undefined).hosts).not.toContain(agentOf('h0'));
    expectSameAsFullRead(0);

    // A failing check's title sent anew: the inputs carry titles, so every row is read again.
    expect(store(agentOf('h1'), 'B', minutesAgo(0), { baseline: [{ id: 'firewall.inbound_default_deny', title: { vi: 'Tường lửa (mới)', en: 'Firewall (new)' }, level: 1, result: 'fail', evidence: 'nft: empty' }] })).toBe(true);
    expectSameAsFullRead(undefined);

    // A rule reload whose host rule reads host.baseline: every host's checks are needed now.
    expect(hostFactsFor(c.engine.rules.rules)).toBe('serving-systems');
    await writeFile(join(rulesDir, 'hosts-baseline.rules.yaml'), BASELINE_RULE);
    const reloaded = c.engine.rules.reload();
    expect(reloaded, JSON.stringify(reloaded)).toMatchObject({ ok: true });
    expect(hostFactsFor(c.engine.rules.rules)).toBe('all');
    const more = expectSameAsFullRead(undefined);
    expect(more.verdicts.hosts_firewall!.some((v) => v.endsWith(':1'))).toBe(true);
    expect(more.verdicts.hosts_firewall!.some((v) => v.endsWith(':2'))).toBe(true);
    expect(store(agentOf('h5'), 'B', minutesAgo(0), { baseline: { 'firewall.inbound_default_deny': 'pass' } })).toBe(true);
    expectSameAsFullRead(1);

    // A restart: the new process reads every row and counts as the running one did.
    const running = outcome(c);
    const restarted = openCollector(config, null, { rules: new RuleManager([rulesDir]) });
    try {
      expect(outcome(restarted)).toEqual(running);
      expect(restarted.hostInputs.last.full).toBe(true);
    } finally {
      restarted.db.close();
    }
  });

  it('reads in slices without losing or counting twice a report stored between its reads (a restart, then every spool draining at once)', async () => {
    const facts = hostFactsFor(c.engine.rules.rules);
    // Enough hosts for several reads of CHUNK_ROWS rows.
    const fleet = Array.from({ length: 3 * CHUNK_ROWS }, (_, i) => enroll(i % 2 ? 'B' : 'A', `fleet-${i}`));
    const unitOf = (i: number) => (i % 2 ? 'B' : 'A');
    const commitAll = (at: Date, prot: (i: number) => boolean) =>
      c.ingestCommit.commit(fleet.map((id, i) => toIngestRow({ report: sampleReport({ agentId: id, unit: unitOf(i), hostname: hostnames.get(id), collectedAt: at, baseline: {}, protected: prot(i) }), unit: unitOf(i), points: [], receivedAt: at })));
    commitAll(minutesAgo(5), () => true);
    expectSameAsFullRead(fleet.length);

    // A restart's full read, with reports stored between its reads: a host already read, then
    // one not read yet (which takes the larger counter), a new host, a host decommissioned.
    c.hostInputs.invalidate();
    const [early, late] = [fleet[0]!, fleet[fleet.length - 1]!];
    let pauses = 0;
    let streamed = 0;
    const inputs = await c.hostInputs.inServiceSliced(facts, {
      overdue: () => true,
      pause: async () => {
        // The first pause follows the row count; the second, the first read of CHUNK_ROWS rows.
        if (pauses++ === 1) {
          expect(store(early, 'A', minutesAgo(1), { protected: false })).toBe(true);
          expect(store(late, unitOf(fleet.length - 1), minutesAgo(1), { protected: false })).toBe(true);
          expect(store(enroll('A', 'fleet-new'), 'A', minutesAgo(1))).toBe(true);
          decommissionHost(c, 'fleet-1', 'retired', 'test');
          // Meanwhile a read beside it streams the table and leaves the cache alone.
          streamed = [...c.hostInputs.inService(facts)].length;
        }
        await new Promise((r) => setImmediate(r));
      },
    });
    const read = [...inputs];
    expect(pauses).toBeGreaterThanOrEqual(3);
    expect(c.hostInputs.last.full).toBe(true);
    expect(new Set(read.map((h) => h.agentId)).size).toBe(read.length);
    // Each host as it was when its row was read: the early one before its new report, the late one after.
    expect(read.find((h) => h.agentId === early)!.protected).toBe(true);
    expect(read.find((h) => h.agentId === late)!.protected).toBe(false);
    expect(streamed).toBe([...hostInputsInService(c.db, facts)].length);
    // The next refresh reads exactly the four rows written meanwhile, and counts as a full read.
    const next = expectSameAsFullRead(4);
    expect(next.verdicts.endpoint_protection).toContain(`${early}:2`);
    expect(next.hosts).not.toContain(agentOf('fleet-1'));
    expect(next.hosts).toContain(agentOf('fleet-new'));

    // Every host reports anew at once (spools draining after an outage): the changed rows are read
    // in slices too, in counter order; a host already read reports once more meanwhile.
    commitAll(minutesAgo(0), (i) => i % 3 !== 0);
    pauses = 0;
    await c.hostInputs.inServiceSliced(facts, {
      overdue: () => true,
      pause: async () => {
        if (pauses++ === 0) expect(store(early, 'A', new Date(NOW.getTime() + 1000), { protected: true })).toBe(true);
        await new Promise((r) => setImmediate(r));
      },
    });
    expect(pauses).toBeGreaterThanOrEqual(3);
    // Every row of the fleet (the decommissioned host's row takes its report too), and the early one again, read after the others.
    expect(c.hostInputs.last).toMatchObject({ full: false, rows: fleet.length + 1 });
    expect(expectSameAsFullRead(0).verdicts.endpoint_protection).toContain(`${early}:1`);

    // A full read again because the rules need other facts, or because a row was deleted: in slices too.
    const byId = (xs: Iterable<HostInput>) => [...xs].sort((a, b) => a.agentId.localeCompare(b.agentId));
    const other = facts === 'all' ? 'serving-systems' : 'all';
    for (const change of [() => undefined, () => sqlRun(c.db, 'DELETE FROM hosts WHERE agent_id = ?', fleet[7]!)]) {
      change();
      const p = { pauses: 0, overdue: () => true, pause: async () => void (p.pauses++, await new Promise((r) => setImmediate(r))) };
      const read = byId(await c.hostInputs.inServiceSliced(other, p));
      expect(c.hostInputs.last.full).toBe(true);
      expect(p.pauses).toBeGreaterThanOrEqual(3);
      expect(read).toEqual(byId(hostInputsInService(c.db, other)));
    }
    expect(expectSameAsFullRead(undefined).hosts).not.toContain(fleet[7]);
  });
});
