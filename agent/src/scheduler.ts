/**
 * The scheduler owns time: a node-cron schedule, a random splay before each cycle so that
 * thousands of agents do not report in the same second, and no overlapping cycles (a cycle
 * still running when the next is due makes the next one skip, logged). A cycle that throws is
 * logged and the schedule goes on: the loop never dies.
 */
import { schedule, type ScheduledTask } from 'node-cron';
import type { Log } from './log.js';

export interface ScheduleOptions {
  /** Cron expression, validated by the config loader. */
  cron: string;
  /** Upper bound of the random delay before each cycle. */
  splaySeconds: number;
}

export class Scheduler {
  private task: ScheduledTask | undefined;
  private inFlight: Promise<void> | null = null;
  private splayTimer: NodeJS.Timeout | undefined;
  /** Cycles skipped because the previous one was still running. */
  skipped = 0;

  constructor(
    private readonly cycle: () => Promise<void>,
    private readonly log: Log,
    private readonly random: () => number = Math.random,
  ) {}

  /** (Re)start the schedule with these options; a running cycle is not interrupted. */
  start(opts: ScheduleOptions): void {
    this.stopSchedule();
    // The splay is ours, not node-cron's maxRandomDelay, so that a skipped cycle is decided
    // when it is due (not after its delay) and the delay can be cancelled on shutdown.
    this.task = schedule(opts.cron, () => this.afterSplay(opts.splaySeconds), { name: 'posture-collect', noOverlap: false });
  }

  /** Run one cycle after a random delay within the splay. */
  afterSplay(splaySeconds: number): void {
    if (this.splayTimer) return; // a delayed cycle is already waiting
    const ms = Math.floor(this.random() * splaySeconds * 1000);
    this.splayTimer = setTimeout(() => {
      this.splayTimer = undefined;
      void this.runNow();
    }, ms);
  }

  /** Run one cycle now unless one is running; resolves when it ends, never rejects. */
  runNow(): Promise<void> {
    if (this.inFlight) {
      this.skipped++;
      this.log.warn('collection cycle skipped: the previous one is still running', { skipped: this.skipped });
      return this.inFlight;
    }
    this.inFlight = (async () => {
      try {
        await this.cycle();
      } catch (e) {
        this.log.error('collection cycle failed; the next cycle will run as scheduled', { error: (e as Error).stack ?? String(e) });
      }
    })().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private stopSchedule(): void {
    void this.task?.destroy();
    this.task = undefined;
    clearTimeout(this.splayTimer);
    this.splayTimer = undefined;
  }

  /** Stop scheduling and wait (up to `graceMs`) for a running cycle to finish. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopSchedule();
    if (this.inFlight) await Promise.race([this.inFlight, new Promise((r) => setTimeout(r, graceMs).unref())]);
  }
}
