/**
 * Cuts a long synchronous loop into slices of about `budgetMs`, yielding to the event loop
 * between them: the scheduled evaluation of 100,000 hosts took the event loop for about a
 * second at a time, and every request (reports from agents, the console) waited behind it.
 */
export class Slicer {
  private since = performance.now();
  /** Yields so far (the bench prints them). */
  pauses = 0;

  constructor(readonly budgetMs = 10) {}

  /** Whether the slice's time is up; reads the clock only every 256 items (`i`: the loop's index). */
  due(i: number): boolean {
    return (i & 255) === 255 && performance.now() - this.since >= this.budgetMs;
  }

  /** Whether the slice's time is up, read now (between reads of the store, each a few ms). */
  overdue(): boolean {
    return performance.now() - this.since >= this.budgetMs;
  }

  /** Let timers, I/O and requests run, then start a new slice. */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.pauses++;
    this.since = performance.now();
  }
}
