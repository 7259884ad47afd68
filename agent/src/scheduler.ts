/**
 * The scheduler owns time: a cron schedule (cron.ts) in local time, a random splay before each cycle so that
 * thousands of agents do not report in the same second, and no overlapping cycles (a cycle
 * still running when the next is due makes the next one skip, logged). A cycle that throws is
 * logged and the schedule goes on: the loop never dies.
 */
import { nextRun, parseCron, type Cron } from './cron.js';
import type { Log } from './log.js';

export interface ScheduleOptions {
  /** Cron expression, validated by the config loader. */
  cron: string;
  /** Upper bound of the random delay before each cycle. */
  splaySeconds: number;
}

/**
 * The longest one timer sleeps: the due time is re-read from the clock at least this often, so
 * a clock that jumps (NTP step, suspend) delays a cycle by at most this much.
 */
const MAX_SLEEP_MS = 60_000;

export class Scheduler {
  private cronTimer: NodeJS.Timeout | undefined;
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
    // The config loader validated the expression: a throw here is a caller's bug.
    this.arm(parseCron(opts.cron), opts.splaySeconds, new Date());
  }

  /** Sleep until the first match after `after`, then start a (splayed) cycle and re-arm. */
  private arm(cron: Cron, splaySeconds: number, after: Date): void {
    const due = nextRun(cron, after);
    if (!due) return;
    const wake = () => {
      const late = due.getTime() - Date.now();
      if (late > 0) {
        this.cronTimer = setTimeout(wake, Math.min(late, MAX_SLEEP_MS));
        return;
      }
      // A skipped cycle is decided when it is due (in runNow), not after its delay.
      this.afterSplay(splaySeconds);
      // From now, not from `due`: after a clock jump or a long pause, times passed are not replayed.
      this.arm(cron, splaySeconds, new Date(Math.max(Date.now(), due.getTime())));
    };
    this.cronTimer = setTimeout(wake, Math.min(Math.max(due.getTime() - Date.now(), 0), MAX_SLEEP_MS));
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
    clearTimeout(this.cronTimer);
    this.cronTimer = undefined;
    clearTimeout(this.splayTimer);
    this.splayTimer = undefined;
  }

  /** Stop scheduling and wait (up to `graceMs`) for a running cycle to finish. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopSchedule();
    if (this.inFlight) await Promise.race([this.inFlight, new Promise((r) => setTimeout(r, graceMs).unref())]);
  }
}
