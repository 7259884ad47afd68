/**
 * The scheduled evaluation in slices (Engine.evaluateAndRecordSliced) counts what the
 * evaluation in one go counts, member by member, while timers and I/O run between its slices.
 */
import { describe, expect, it } from 'vitest';
import { Engine, type RecordedEvaluation } from './engine.js';
import { RuleManager } from './manager.js';
import { hostMembers, hostMembersSliced, systemMembers, type HostInput } from './members.js';
import { DEFAULT_PROTECTION_POLICY } from '../policy/protection.js';
import { host, system } from '../../../testing/fleet.js';

const NOW = new Date('2022-06-01T00:30:00.000Z');
const UNITS = ['A', 'B', 'C'];
const inputs: HostInput[] = Array.from({ length: 3000 }, (_, i) =>
  host(UNITS[i % 3]!, {
    protected: i % 7 === 0 ? false : i % 11 === 0 ? null : true,
    role: i % 5 ? 'workstation' : 'server',
    receivedAt: i % 13 ? '2022-06-01T00:20:00.000Z' : '2022-05-31T20:00:00.000Z',
    systems: i % 50 === 0 ? [`s${i % 4}`] : [],
  }),
);
const registry = [system('s0', 'A'), system('s1', 'B', { level: undefined }), system('s2', 'C', { tags: ['portal'] })];

function engine(recorded: RecordedEvaluation[]): Engine {
  return new Engine({
    rules: new RuleManager(),
    units: () => UNITS.map((id) => ({ id, name: id })),
    members: (now) => {
      const h = hostMembers(inputs, now, 60);
      return { hosts: h, systems: systemMembers(registry, h, new Map(), now), systemNames: new Map() };
    },
    membersSliced: async (now, slicer) => {
      const h = await hostMembersSliced(inputs, now, 60, DEFAULT_PROTECTION_POLICY, slicer);
      return { hosts: h, systems: systemMembers(registry, h, new Map(), now), systemNames: new Map() };
    },
    alertState: () => [],
    record: (r) => recorded.push(r),
    // Yield at every check (each 256 members): the fleet is small.
    sliceMs: 0,
  });
}

describe('the evaluation in slices', () => {
  it('gives the results and verdicts of the evaluation in one go, and lets timers run between its slices', async () => {
    const recorded: RecordedEvaluation[] = [];
    const e = engine(recorded);
    const inOne = e.evaluateNowWithMembers(NOW);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const sliced = await e.evaluateAndRecordSliced(NOW);
    clearInterval(timer);
    expect(e.lastSlices).toBeGreaterThan(10);
    expect(ticks).toBeGreaterThan(0);
    expect(sliced.ev).toEqual(inOne.ev);
    expect([...sliced.members.verdicts]).toEqual([...inOne.members.verdicts]);
    expect(sliced.members.hosts.map((h) => h.id)).toEqual(inOne.members.hosts.map((h) => h.id));
    expect(recorded).toHaveLength(1);
    // Not a trivial fleet: every host rule has passing and failing members.
    for (const ind of sliced.ev.indicators.filter((i) => i.population === 'hosts')) {
      expect(ind.ministry.pass).toBeGreaterThan(0);
      expect(ind.ministry.pass).toBeLessThan(ind.ministry.total);
    }
  });

  it('is what the scheduler runs, the first evaluation at start included; stop() and idle() let one under way finish', async () => {
    const recorded: RecordedEvaluation[] = [];
    const e = engine(recorded);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    e.start(1);
    // The first is under way, not done in one go inside start().
    expect(recorded).toHaveLength(0);
    expect(e.last()).toBeUndefined();
    await e.idle();
    clearInterval(timer);
    expect(recorded).toHaveLength(1);
    expect(e.lastSlices).toBeGreaterThan(10);
    expect(ticks).toBeGreaterThan(0);
    expect(e.last()?.evaluatedAt).toBe(recorded[0]!.ev.evaluatedAt);
    // Due again at once (interval 0 is not allowed: make every group due by hand).
    const inside = e as unknown as { nextAt: Map<string, number>; inFlight: Promise<void> | undefined };
    inside.nextAt.clear();
    // Until the next tick has started it (a loaded machine may take a while to fire the timer).
    for (let waited = 0; inside.inFlight === undefined && recorded.length < 2 && waited < 10_000; waited += 2) await new Promise((r) => setTimeout(r, 2));
    e.stop();
    await e.idle();
    expect(recorded).toHaveLength(2);
    expect(e.lastSlices).toBeGreaterThan(10);
  });

  it('awaits a hand-over that returns a promise: idle() resolves only after it', async () => {
    const recorded: RecordedEvaluation[] = [];
    const e = engine(recorded);
    let handedOver = false;
    e.afterEvaluation = async () => {
      await new Promise((r) => setTimeout(r, 30));
      handedOver = true;
    };
    e.start(60_000);
    await e.idle();
    e.stop();
    expect(recorded).toHaveLength(1);
    expect(handedOver).toBe(true);
  });
});
