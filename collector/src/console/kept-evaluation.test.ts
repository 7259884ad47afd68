/**
 * What the console keeps of an evaluation is never older than what it shows: an evaluation that
 * started before a change made in the console is not kept (its figures are those from before
 * the change); a hand-over in slices that finishes after an evaluation which started later
 * replaces neither its view nor its verdict history; and a page whose view is too old gets an
 * evaluation in slices, with the figures of one in one go, while timers run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_UNITS } from '../../../testing/collector.js';
import { sampleReport } from '../../../testing/reports.js';
import { openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { toIngestRow } from '../ingest/rows.js';
import type { Evaluation } from '../rules/engine.js';
import type { Pauser } from '../store/steps.js';
import { ConsoleData } from './data.js';

// Enough for several steps of the view's indexes (512 members each) and of the verdict history (1,024).
const HOSTS = 1200;
let dir: string;
let c: Collector;
const ids: string[] = [];

function report(agentId: string, unit: string, isProtected: boolean, at = new Date()) {
  return toIngestRow({ report: sampleReport({ agentId, unit, protected: isProtected }), unit, points: [], receivedAt: at });
}

/** A pauser that holds the work at each pause until release() (it is always overdue). */
function gate(): Pauser & { release: () => void; paused: () => boolean } {
  let resume: (() => void) | undefined;
  return {
    overdue: () => true,
    pause: () => new Promise<void>((r) => (resume = r)),
    paused: () => resume !== undefined,
    release: () => {
      const r = resume;
      resume = undefined;
      r?.();
    },
  };
}

/** Release `g` until `work` is done. */
async function drain<T>(g: ReturnType<typeof gate>, work: Promise<T>): Promise<T> {
  let done = false;
  void work.finally(() => (done = true));
  while (!done) {
    g.release();
    await new Promise((r) => setImmediate(r));
  }
  return work;
}

const endpointOf = (ev: Evaluation) => ev.indicators.find((i) => i.id === 'endpoint_protection')!.ministry;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-kept-evaluation-'));
  c = openCollector(validateConfig({ dataDir: join(dir, 'data'), units: TEST_UNITS, staleAfterMinutes: 60 }, 'test'));
  const rows = Array.from({ length: HOSTS }, (_, n) => {
    const unit = TEST_UNITS[n % TEST_UNITS.length]!.id;
    const { agentId } = c.agents.enroll(unit, `h${n}`, '');
    ids.push(agentId);
    return report(agentId, unit, n % 4 !== 0);
  });
  c.ingestCommit.commit(rows);
  // Yield at every check: the fleet is small.
  (c.engine as unknown as { sliceMs: number }).sliceMs = 0;
});

afterAll(async () => {
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the console's kept evaluation", () => {
  it('does not keep an evaluation handed over that started before a change made in the console', () => {
    const data = new ConsoleData(c);
    const startedBefore = new Date(Date.now() - 1000);
    const before = c.engine.evaluateNowWithMembers(startedBefore);
    expect(endpointOf(before.ev).total).toBe(HOSTS);
    // The change: a host leaves service (the action invalidates), then the old evaluation is handed over.
    data.decommissionHost(ids[0]!, 'retired', 'test');
    data.afterEvaluation(startedBefore, before.members, before.ev);
    const shown = data.evaluation();
    expect(shown.ev.evaluatedAt).not.toBe(before.ev.evaluatedAt);
    expect(endpointOf(shown.ev).total).toBe(HOSTS - 1);
    // One that started after the change is kept.
    const startedAfter = new Date(Date.now() + 1000);
    const after = c.engine.evaluateNowWithMembers(startedAfter);
    data.afterEvaluation(startedAfter, after.members, after.ev);
    expect(data.evaluation().ev.evaluatedAt).toBe(startedAfter.toISOString());
  });

  it('keeps the view and the verdicts of an evaluation that started later when a hand-over in slices finishes after it', async () => {
    const data = new ConsoleData(c);
    const host = ids[1]!;
    const unit = c.hosts.get(host)!.unit;
    c.ingestCommit.commit([report(host, unit, true)]);
    const olderAt = new Date(Date.now() - 1000);
    const older = c.engine.evaluateNowWithMembers(olderAt);
    // The host stops being protected; the older evaluation's hand-over is under way, in slices.
    c.ingestCommit.commit([report(host, unit, false)]);
    const g = gate();
    const handing = data.afterEvaluationSliced(olderAt, older.members, older.ev, g);
    expect(g.paused()).toBe(true);
    // Meanwhile a page evaluates in one go (nothing is kept yet): this evaluation started after the older one.
    const newer = data.evaluation();
    expect(newer.ev.evaluatedAt > older.ev.evaluatedAt).toBe(true);
    await drain(g, handing);
    expect(data.evaluation()).toBe(newer);
    const history = data.verdictHistory(host);
    expect(history[0]).toMatchObject({ at: newer.ev.evaluatedAt, protected: false });
    expect(history.some((h) => h.at === older.ev.evaluatedAt)).toBe(false);
  });

  it('evaluates a page whose view is too old in slices, with the figures of an evaluation in one go, timers running meanwhile', async () => {
    const data = new ConsoleData(c);
    data.invalidate();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      await data.settled();
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
    expect(c.engine.lastSlices).toBeGreaterThan(5);
    const view = data.evaluation();
    const inOne = c.engine.evaluateNowWithMembers(new Date(view.ev.evaluatedAt));
    expect(view.ev).toEqual(inOne.ev);
    // Kept: the next page finds it current and evaluates nothing.
    const started = c.engine.started;
    await data.settled();
    expect(data.evaluation()).toBe(view);
    expect(c.engine.started).toBe(started);
  });

  it('gives the pages that ask while it is under way the same evaluation on request', async () => {
    const data = new ConsoleData(c);
    data.invalidate();
    const started = c.engine.started;
    await Promise.all([data.settled(), data.settled(), data.settled()]);
    expect(c.engine.started).toBe(started + 1);
  });
});
