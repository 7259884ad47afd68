/**
 * Work over every host written as steps (a generator that yields between units of a few
 * milliseconds), so that one code path runs both in one go (a request, the CLI, a test) and in
 * slices (the scheduled evaluation, which must not keep the event loop from the agents'
 * requests: at 100,000 hosts a full read of the rule inputs or of the verdict history took
 * 0.4-2 s in one go).
 */

/** A generator of steps: `yield` between units of work; its return value is the result. */
export type Steps<T> = Generator<void, T, void>;

/** What sliced work yields to (rules/slicer.ts Slicer). */
export interface Pauser {
  /** Whether the slice's time is up. */
  overdue(): boolean;
  /** Let timers, I/O and requests run, then start a new slice. */
  pause(): Promise<void>;
}

/** Every step, in one go. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Every step, yielding to the event loop between two whenever the slice's time is up; `each` runs one step (e.g. in its own transaction). */
export async function runStepsSliced<T>(steps: Steps<T>, pauser: Pauser, each: (step: () => IteratorResult<void, T>) => IteratorResult<void, T> = (step) => step()): Promise<T> {
  const step = () => steps.next();
  for (;;) {
    const r = each(step);
    if (r.done) return r.value;
    if (pauser.overdue()) await pauser.pause();
  }
}
