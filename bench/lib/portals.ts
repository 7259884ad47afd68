/**
 * The portal bench's driver (run by bench/portals.mjs through vite-node, so that it can use the
 * TypeScript test internet of testing/portal-net.ts): builds a test internet with N portals
 * cycling through the seven states of the integration test, runs bench/lib/portals-worker.mjs
 * in the probe namespace, then the real collector's `posture portals probe` over the same
 * portals, and prints the figures against the same-run baseline.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { createPortalNet, type PortalSpec } from '../../testing/portal-net.js';

const root = resolve(import.meta.dirname, '../..');
const [n = 100, concurrency = 8, rounds = 3] = process.argv.slice(2).map(Number);
const STATES: { spec: Omit<PortalSpec, 'name'>; level: string }[] = [
  { spec: {}, level: 'ready' },
  { spec: { webAaaa: false }, level: 'none' },
  { spec: { v6Https: false }, level: 'address' },
  { spec: { v6Page: 'default-site' }, level: 'reachable' },
  { spec: { nsWithoutAaaa: true }, level: 'web' },
  { spec: { mxAaaa: false }, level: 'web' },
  { spec: { v6CertExpired: true }, level: 'reachable' },
];
const portals = Array.from({ length: n }, (_, i) => ({ name: `p${i}`, ...STATES[i % STATES.length]!.spec }));
const expected = new Map(portals.map((p, i) => [`portal-${p.name}`, STATES[i % STATES.length]!.level]));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), 'posture-portals-bench-'));
const net = await createPortalNet(dir, portals);
try {
  const targets = portals.map((p) => ({ systemId: `portal-${p.name}`, unit: 'TTCNTT', name: p.name, urls: [`https://www.${p.name}.test/`, `https://${p.name}.test/`], domain: `${p.name}.test`, mail: true }));
  const worker = spawnSync(net.probeExec[0]!, [...net.probeExec.slice(1), process.execPath, join(root, 'bench/lib/portals-worker.mjs'), JSON.stringify({ targets, resolvers: net.resolvers, caFile: net.caFile, concurrency, rounds })], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (worker.status !== 0) throw new Error(`worker failed: ${worker.stderr}`);
  const rows = JSON.parse(worker.stdout) as { baseline: { wall: number; cpu: number }; prober: { wall: number; cpu: number }; levels: [string, string][] }[];
  const wrong = rows.flatMap((r) => r.levels.filter(([id, level]) => expected.get(id) !== level).map(([id, level]) => `${id}: ${level} (expected ${expected.get(id)})`));

  // The same portals through the real collector's CLI (node start, store, points, JSON out).
  writeFileSync(join(dir, 'systems.yaml'), stringify({ systems: targets.map((t) => ({ id: t.systemId, name: t.name, ownerUnit: 'TTCNTT', tags: ['portal'], portal: { urls: t.urls } })) }));
  writeFileSync(
    join(dir, 'collector.yaml'),
    stringify({ dataDir: join(dir, 'data'), units: [{ id: 'TTCNTT', name: 'Trung tâm CNTT' }], registryFile: 'systems.yaml', portals: { resolvers: net.resolvers, caFile: net.caFile, concurrency, checkTimeoutMs: 3000, portalTimeoutMs: 20_000 } }),
  );
  // Twice: the first run meets the resolver's cold cache (Unbound keeps answers 5 s here).
  const cliRun = () => {
    const t0 = performance.now();
    const cli = spawnSync(net.probeExec[0]!, [...net.probeExec.slice(1), process.execPath, join(root, 'collector/bin/posture.js'), '-c', join(dir, 'collector.yaml'), 'portals', 'probe', '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
    const wall = performance.now() - t0;
    if (cli.status !== 0) throw new Error(`posture portals probe failed: ${cli.stderr}`);
    const run = JSON.parse(cli.stdout) as { ms: number; results: { systemId: string; level: string }[] };
    return { wall, probeMs: run.ms, wrong: run.results.filter((r) => expected.get(r.systemId) !== r.level).length };
  };
  const cli1 = cliRun();
  const cli2 = cliRun();
  const cliWrong = cli1.wrong + cli2.wrong;
  const bw = median(rows.map((r) => r.baseline.wall));
  const bc = median(rows.map((r) => r.baseline.cpu));
  const pw = median(rows.map((r) => r.prober.wall));
  const pc = median(rows.map((r) => r.prober.cpu));
  const f = (x: number) => x.toFixed(1).padStart(9);
  console.log(`portal prober: ${n} portals in the test internet (7 states), concurrency ${concurrency}, median of ${rounds} rounds (2 shared cores; nsd, unbound, nginx and the SMTP listener run on them too)`);
  console.log(`                                          wall ms   CPU ms   CPU ms/portal`);
  console.log(`  baseline: 1 AAAA lookup + 1 TCP connect ${f(bw)} ${f(bc)} ${f(bc / n)}`);
  console.log(`  prober: every criterion                 ${f(pw)} ${f(pc)} ${f(pc / n)}`);
  console.log(`  ratio prober / baseline                 ${f(pw / bw)}x ${f(pc / bc)}x`);
  console.log(`  posture portals probe, 1st (whole CLI)  ${f(cli1.wall)}    (its own probe run: ${cli1.probeMs.toFixed(0)} ms; node start, store, JSON out included)`);
  console.log(`  posture portals probe, 2nd (whole CLI)  ${f(cli2.wall)}    (its own probe run: ${cli2.probeMs.toFixed(0)} ms)`);
  console.log(`  levels as expected: worker ${rows.length * n - wrong.length}/${rows.length * n}, CLI ${2 * n - cliWrong}/${2 * n}`);
  if (wrong.length || cliWrong) {
    console.log(`  wrong: ${wrong.slice(0, 10).join('; ')}`);
    process.exitCode = 1;
  }
} finally {
  await net.destroy();
  rmSync(dir, { recursive: true, force: true });
}
