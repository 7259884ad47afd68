/**
 * The performance goals, each read off the output of the bench that measures it: one list
 * for `bench/goals.mjs` (which runs those benches in one go and prints every figure beside its
 * goal) and for `bench/smoke.test.ts` (which checks that every pattern still finds its figure
 * in the smoke run of its bench, so a bench whose output changed cannot silently drop a row).
 */

/** @typedef {{ figure: string, bench: string, args?: string[], pattern: RegExp, unit: string, goal: string, met: (v: number) => boolean }} Goal */

/** @type {Goal[]} */
export const GOALS = [
  { figure: 'agent idle RSS (shipped configuration)', bench: 'agent-footprint.mjs', pattern: /^\s*idle RSS \(the unit's environment\)\s+([\d.]+) MB/m, unit: 'MB', goal: '<= 50 MB', met: (v) => v <= 50 },
  { figure: "agent settled idle RSS (after V8's memory reducer, ~8 s after a cycle)", bench: 'agent-footprint.mjs', pattern: /^\s*settled idle RSS \(\d+ s after a cycle\)\s+([\d.]+) MB/m, unit: 'MB', goal: '-', met: () => true },
  { figure: 'bare node idle RSS (same run, for scale)', bench: 'agent-footprint.mjs', pattern: /^\s*idle RSS of a bare node process\s+([\d.]+) MB/m, unit: 'MB', goal: '-', met: () => true },
  { figure: 'node_exporter idle RSS (same run, for scale)', bench: 'agent-footprint.mjs', pattern: /^\s*idle RSS \(the unit's environment\)\s+[\d.]+ MB \(anon [\d.]+\)\s+([\d.]+) MB/m, unit: 'MB', goal: '-', met: () => true },
  { figure: 'agent peak RSS across cycles', bench: 'agent-footprint.mjs', pattern: /^\s*peak RSS \(VmHWM, across cycles\)\s+([\d.]+) MB/m, unit: 'MB', goal: '<= 60 MB', met: (v) => v <= 60 },
  { figure: 'agent CPU per warm cycle (children included)', bench: 'agent-footprint.mjs', pattern: /^\s*CPU per collection \/ scrape\s+([\d.]+) ms incl\. children/m, unit: 'ms', goal: '<= 80 ms', met: (v) => v <= 80 },
  { figure: 'baseline probe, cold cycle (CPU)', bench: 'baseline-probe.mjs', pattern: /^\s*whole probe, cold\s+([\d.]+)/m, unit: 'ms', goal: '<= 1000 ms', met: (v) => v <= 1000 },
  { figure: 'GET /api/v1/report at 100,000 hosts (served again)', bench: 'state-rss.mjs', pattern: /^report API \d+ ms first[^,]*, (\d+) ms again/m, unit: 'ms', goal: '<= 50 ms', met: (v) => v <= 50 },
  { figure: 'collector peak RSS with 100,000 hosts', bench: 'state-rss.mjs', pattern: /^peak RSS \(VmHWM\)\s+\d+ MB\s+(\d+) MB/m, unit: 'MB', goal: '<= 400 MB', met: (v) => v <= 400 },
  // What each scheduled evaluation costs: the rows changed since the last one read from SQLite (1% of the hosts reported anew), members, rules.
  {
    figure: 'evaluation from SQLite at 100,000 hosts (cached inputs, 1% changed)',
    bench: 'rules-eval.mjs',
    pattern: /^cached inputs: 1% changed \+ members \+ evaluation \(goal <= 600 ms\)\s+([\d.]+) ms/m,
    unit: 'ms',
    goal: '<= 600 ms',
    met: (v) => v <= 600,
  },
  { figure: 'evaluation from SQLite, cold (every row: a restart)', bench: 'rules-eval.mjs', pattern: /^from SQLite: load facts \+ members \+ evaluation \(cold, no cache\)\s+([\d.]+) ms/m, unit: 'ms', goal: '-', met: () => true },
  { figure: 'event loop held by one scheduled evaluation (sliced)', bench: 'rules-eval.mjs', pattern: /^event loop held by one evaluation[^\n]*?, (\d+) ms cached in slices/m, unit: 'ms', goal: '-', met: () => true },
  // At a restart (every host's row read again, agents reconnecting): the longest the event loop waits on the first evaluation, and on its recording.
  { figure: 'event loop held by the first evaluation after a restart (100,000 hosts)', bench: 'first-evaluation.mjs', pattern: /^first evaluation, longest block \(start to the console\)\s+(\d+) ms/m, unit: 'ms', goal: '-', met: () => true },
  { figure: '  of which in its recording (record + afterEvaluation)', bench: 'first-evaluation.mjs', pattern: /^ {2}in its recording \(record \+ afterEvaluation\)\s+(\d+) ms/m, unit: 'ms', goal: '-', met: () => true },
  {
    figure: 'stepped load, sustained with p99 < 100 ms',
    bench: 'load.mjs',
    args: ['--hosts', '5000'],
    pattern: /^sustained with p99 < 100 ms \(the highest step carried\): (\d+) reports\/s/m,
    unit: 'reports/s',
    goal: '>= 2000/s',
    met: (v) => v >= 2000,
  },
  { figure: 'ingest end to end, closed loop (C)', bench: 'ingest.mjs', pattern: /^C collector end to end[^\n]*?\)\s+([\d,]+)\s/m, unit: 'reports/s', goal: '>= 3000/s', met: (v) => v >= 3000 },
  // What C's CPU per report (collector + influxd + load generator) lets this machine carry at most, with every core on it.
  { figure: "  the most this machine carries at C's CPU per report (all cores)", bench: 'ingest.mjs', pattern: /^C CPU per report: [^\n]*-> at most ([\d,]+) reports\/s/m, unit: 'reports/s', goal: '-', met: () => true },
  // B, the same collector without InfluxDB in the same run: C does B's work and more on the same cores, so it cannot carry more.
  { figure: '  B, the most C can reach on this machine', bench: 'ingest.mjs', pattern: /^B collector accept path[^\n]*?median of \d+\s+([\d,]+)\s/m, unit: 'reports/s', goal: '-', met: () => true },
  { figure: 'report bench runs (Markdown, end to end)', bench: 'report.mjs', pattern: /^baseline: Markdown report \(buildReport fresh \+ render markdown\)\s+([\d.]+) ms/m, unit: 'ms', goal: 'runs', met: () => true },
];

/** The figure a goal's pattern finds in a bench's output, or undefined. */
export function figureIn(goal, output) {
  const m = goal.pattern.exec(output);
  return m ? Number(m[1].replace(/,/g, '')) : undefined;
}
