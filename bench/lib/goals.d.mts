/** Types of bench/lib/goals.mjs, for bench/smoke.test.ts. */
export interface Goal {
  figure: string;
  bench: string;
  args?: string[];
  pattern: RegExp;
  unit: string;
  goal: string;
  met: (v: number) => boolean;
}
export const GOALS: Goal[];
export function figureIn(goal: Goal, output: string): number | undefined;
