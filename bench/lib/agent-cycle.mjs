/**
 * Child of bench/agent-footprint.mjs, started with the systemd unit's environment (jitless,
 * 1 MB young generation, glibc tunables), so what it measures is the shipped agent's CPU: each
 * probe alone, then the full collection cycle, for the agent built under each ROOT, runs
 * interleaved root by root so machine noise hits all alike. Warm, as in the daemon: one reader
 * per agent for all its runs (the probes' caches are kept per reader) after one run to warm up.
 * CPU per run: this process (all its threads, microseconds) plus the children it waited for
 * (ticks of 10 ms: their mean over the runs is given). Prints one JSON line.
 * Usage: node bench/lib/agent-cycle.mjs RUNS ROOT...
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const RUNS = Number(process.argv[2]);
const ROOTS = process.argv.slice(3);
const TICK_MS = 10; // USER_HZ 100
const selfMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const childrenMs = () => {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) * TICK_MS;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

const agents = [];
for (const root of ROOTS) {
  // The agent's own first import: V8's lite mode (interpreter only), as in the bundle.
  await import(join(root, 'agent/dist/v8-flags.js'));
  const { allProbes } = await import(join(root, 'agent/dist/probes/all.js'));
  const { collectReport } = await import(join(root, 'agent/dist/collect.js'));
  const { validateConfig } = await import(join(root, 'agent/dist/config.js'));
  const { LocalSystem } = await import(join(root, 'agent/dist/system.js'));
  const config = validateConfig({ unit: 'TTCNTT', role: 'server' }, 'bench');
  const run = (system, probes) => collectReport({ system, config, agentId: 'a-bench', probes });
  agents.push({ root, allProbes, run, LocalSystem });
}

/** Runs `once` RUNS times per agent, interleaved; CPU and wall of each run. */
async function measure(once) {
  const got = agents.map(() => ({ self: [], children: [], wall: [], reports: [] }));
  for (let i = 0; i < RUNS; i++) {
    for (const [k, a] of agents.entries()) {
      const s = selfMs();
      const c = childrenMs();
      const t = performance.now();
      got[k].reports.push(await once(a));
      got[k].wall.push(performance.now() - t);
      got[k].self.push(selfMs() - s);
      got[k].children.push(childrenMs() - c);
    }
  }
  return got;
}
const summary = (g) => ({ self: median(g.self), children: mean(g.children), cpu: median(g.self) + mean(g.children), wall: median(g.wall) });

const out = agents.map((a) => ({ root: a.root, probes: {}, cycle: null }));
for (const a of agents) a.system = new a.LocalSystem();
for (const a of agents) await a.run(a.system); // warm: caches filled, code compiled
for (const name of agents[0].allProbes.map((p) => p.name)) {
  const got = await measure((a) =>
    a.run(
      a.system,
      a.allProbes.filter((p) => p.name === name),
    ),
  );
  got.forEach((g, k) => (out[k].probes[name] = summary(g)));
}
const cycles = await measure((a) => a.run(a.system));
cycles.forEach((g, k) => {
  const duration = (name) => median(g.reports.map((r) => r.probes[name]?.durationMs ?? NaN));
  out[k].cycle = { ...summary(g), protection: duration('protection'), ipv6: duration('ipv6') };
});
console.log(JSON.stringify(out));
