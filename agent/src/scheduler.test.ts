/** The scheduler: splay bounds, no overlap, a throwing cycle does not stop the schedule. */
import { describe, expect, it } from 'vitest';
import { createLog } from './log.js';
import { Scheduler } from './scheduler.js';

const quietLog = () => {
  const lines: string[] = [];
  return { log: createLog('debug', (l) => lines.push(l)), lines };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scheduler', () => {
  it('skips a cycle while the previous one runs, and says so', async () => {
    const { log, lines } = quietLog();
    let release!: () => void;
    let runs = 0;
    const s = new Scheduler(async () => {
      runs++;
      await new Promise<void>((r) => (release = r));
    }, log);
    const first = s.runNow();
    const second = s.runNow();
    expect(runs).toBe(1);
    expect(s.skipped).toBe(1);
    expect(lines.join('')).toMatch(/collection cycle skipped: the previous one is still running/);
    release();
    await Promise.all([first, second]);
    const third = s.runNow();
    expect(runs).toBe(2);
    release();
    await third;
  });

  it('a cycle that throws is logged and the next cycle still runs (on the cron schedule)', async () => {
    const { log, lines } = quietLog();
    let runs = 0;
    const s = new Scheduler(async () => {
      runs++;
      if (runs === 1) throw new Error('probe exploded');
    }, log);
    s.start({ cron: '* * * * * *', splaySeconds: 0 });
    try {
      for (let i = 0; i < 60 && runs < 2; i++) await sleep(50);
    } finally {
      await s.stop();
    }
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(lines.join('')).toMatch(/collection cycle failed; the next cycle will run as scheduled error=.*probe exploded/);
  });

  it('delays each cycle by a random splay within the configured bound', async () => {
    const { log } = quietLog();
    const started: number[] = [];
    const t0 = Date.now();
    const s = new Scheduler(
      async () => void started.push(Date.now() - t0),
      log,
      () => 0.9,
    );
    s.afterSplay(0.2); // 0.9 * 200 ms
    s.afterSplay(0.2); // already waiting: not doubled
    await sleep(400);
    expect(started).toHaveLength(1);
    expect(started[0]).toBeGreaterThanOrEqual(170);
    expect(started[0]).toBeLessThan(350);
    await s.stop();
  });
});
