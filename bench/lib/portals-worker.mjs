// Runs inside the probe namespace of the portal test internet (started by bench/portals.mjs):
// the prober over every portal against the same-run baseline, one DNS lookup (AAAA of the
// portal's www name, through the same resolver) and one TCP connect (443 over IPv6) per portal,
// both with the same concurrency. Prints one JSON line: wall ms and CPU ms (this process).
import { readFileSync } from 'node:fs';
import { BoundedResolver, mapLimit, tcpConnect } from '../../collector/dist/portals/net.js';
import { probePortal } from '../../collector/dist/portals/probe.js';
import { DEFAULT_PROBE_OPTIONS } from '../../collector/dist/portals/types.js';

const { targets, resolvers, caFile, concurrency, rounds } = JSON.parse(process.argv[2]);
const opts = { ...DEFAULT_PROBE_OPTIONS, resolvers, ca: readFileSync(caFile, 'utf8'), checkTimeoutMs: 3000, portalTimeoutMs: 20_000 };

async function measure(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000, out };
}

const baseline = () =>
  mapLimit(targets, concurrency, async (t) => {
    const r = new BoundedResolver(resolvers, opts.checkTimeoutMs);
    const name = new URL(t.urls[0]).hostname;
    const a = await r.lookup(name, 'AAAA');
    const addr = a.value?.[0];
    return addr ? (await tcpConnect(addr, 443, opts.checkTimeoutMs)).ok : false;
  });
const prober = () => mapLimit(targets, concurrency, (t) => probePortal(t, opts));

await baseline(); // warm-up: resolver cache, page cache, JIT
await prober();
const rows = [];
for (let i = 0; i < rounds; i++) {
  const b = await measure(baseline);
  const p = await measure(prober);
  rows.push({ baseline: { wall: b.wall, cpu: b.cpu }, prober: { wall: p.wall, cpu: p.cpu }, levels: p.out.map((r) => [r.systemId, r.level]) });
}
process.stdout.write(JSON.stringify(rows) + '\n');
