/**
 * The scheduled evaluation in slices (Engine.evaluateAndRecordSliced) counts what the
 * evaluation in one go counts, member by member, while timers and I/O run between its slices.
 * So does the evaluation on request (evaluateNowSliced), which takes its turn: never beside a
 * scheduled one, shared by who asks while it waits, and the scheduler waits for it.
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

function engine(recorded: RecordedEvaluation[], read: string[] = []): Engine {
  return new Engine({
    rules: new RuleManager(),
    units: () => UNITS.map((id) => ({ id, name: id })),
    members: (now) => {
      const h = hostMembers(inputs, now, 60);
      return { hosts: h, systems: systemMembers(registry, h, new Map(), now), systemNames: new Map() };
    },
    membersSliced: async (now, slicer) => {
      read.push(now.toISOString());
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

  it('evaluates on request in slices with the results and verdicts of the evaluation in one go, recording nothing', async () => {
    const recorded: RecordedEvaluation[] = [];
    const e = engine(recorded);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const sliced = await e.evaluateNowSliced();
    clearInterval(timer);
    expect(e.lastSlices).toBeGreaterThan(10);
    expect(ticks).toBeGreaterThan(0);
    const inOne = e.evaluateNowWithMembers(new Date(sliced.ev.evaluatedAt));
    expect(sliced.ev).toEqual(inOne.ev);
    expect([...sliced.members.verdicts]).toEqual([...inOne.members.verdicts]);
    expect(sliced.members.hosts.map((h) => h.id)).toEqual(inOne.members.hosts.map((h) => h.id));
    expect(recorded).toHaveLength(0);
    expect(e.last()).toBeUndefined();
    // In the order they started.
    expect(e.startOrder(inOne.ev)! > e.startOrder(sliced.ev)!).toBe(true);
  });

  it('evaluates on request once the scheduled evaluation under way is recorded, once for every caller that asked meanwhile', async () => {
    const recorded: RecordedEvaluation[] = [];
    const read: string[] = [];
    const e = engine(recorded, read);
    let handedOver = 0;
    e.afterEvaluation = async () => {
      await new Promise((r) => setTimeout(r, 20));
      handedOver++;
    };
    e.start(60_000);
    const asked = [e.evaluateNowSliced(), e.evaluateNowSliced()];
    expect(asked[1]).toBe(asked[0]);
    const [first] = await Promise.all(asked);
    e.stop();
    // It read the members after the scheduled one was recorded and handed over.
    expect(recorded).toHaveLength(1);
    expect(handedOver).toBe(1);
    expect(read).toEqual([recorded[0]!.ev.evaluatedAt, first!.ev.evaluatedAt]);
    expect(first!.ev.evaluatedAt >= recorded[0]!.ev.evaluatedAt).toBe(true);
    expect(e.startOrder(first!.ev)).toBe(e.startOrder(recorded[0]!.ev)! + 1);
    // Asked once it is done: a new one.
    const again = await e.evaluateNowSliced();
    expect(e.startOrder(again.ev)).toBe(e.startOrder(first!.ev)! + 1);
  });

  it('makes the scheduler wait for an evaluation on request under way, and idle() for both', async () => {
    const recorded: RecordedEvaluation[] = [];
    const e = engine(recorded);
    let onRequestDone = false;
    const onRequest = e.evaluateNowSliced().then((r) => {
      onRequestDone = true;
      return r;
    });
    let doneWhenRecorded: boolean | undefined;
    const deps = (e as unknown as { deps: { record: (r: RecordedEvaluation) => void } }).deps;
    const record = deps.record;
    deps.record = (r) => {
      doneWhenRecorded ??= onRequestDone;
      record(r);
    };
    e.start(1);
    // The first tick came while the evaluation on request was under way: nothing started.
    expect(recorded).toHaveLength(0);
    for (let waited = 0; recorded.length === 0 && waited < 20_000; waited += 2) await new Promise((r) => setTimeout(r, 2));
    e.stop();
    await e.idle();
    expect(recorded).toHaveLength(1);
    expect(doneWhenRecorded).toBe(true);
    const r = await onRequest;
    expect(e.startOrder(recorded[0]!.ev)).toBe(e.startOrder(r.ev)! + 1);
    // idle() waits for one on request too.
    const later = e.evaluateNowSliced();
    let laterDone = false;
    void later.then(() => (laterDone = true));
    await e.idle();
    expect(laterDone).toBe(true);
  });

  it('hands over an evaluation on request before the next evaluation starts', async () => {
    const e = engine([]);
    const order: string[] = [];
    const handed = e.evaluateNowSlicedThen(async ({ ev }) => {
      order.push(`hand-over of ${e.startOrder(ev)} starts`);
      await new Promise((r) => setTimeout(r, 20));
      order.push(`hand-over of ${e.startOrder(ev)} ends`);
      return ev;
    });
    const next = e.evaluateNowSliced().then(({ ev }) => order.push(`evaluation ${e.startOrder(ev)} done`));
    await Promise.all([handed, next]);
    expect(order).toEqual(['hand-over of 1 starts', 'hand-over of 1 ends', 'evaluation 2 done']);
  });

  it('makes idle() wait for an evaluation on request still waiting for its turn behind a scheduled one', async () => {
    const recorded: RecordedEvaluation[] = [];
    const e = engine(recorded);
    e.start(60_000);
    e.stop();
    let handedOver = false;
    // idle() asked first: it resumes before the evaluation on request takes its turn.
    const idle = e.idle();
    const handing = e.evaluateNowSlicedThen(() => {
      handedOver = true;
    });
    await idle;
    expect(recorded).toHaveLength(1);
    expect(handedOver).toBe(true);
    await handing;
  });
});
