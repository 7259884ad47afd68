// One baseline probe cycle, measured in CPU (this process and its reaped children, e.g. nft,
// sshd -T, apt-helper), for bench/baseline-probe.mjs and bench/openscap-agreement.mjs.
import { readFileSync } from 'node:fs';
import { families, runFamily } from '../../agent/dist/probes/baseline/index.js';
import { builtinMapping } from '../../agent/dist/probes/baseline/mapping.js';
import { linuxProcessNames } from '../../agent/dist/probes/common/processes.js';
import { validateConfig } from '../../agent/dist/config.js';
import { LocalSystem } from '../../agent/dist/system.js';

const CLK_TCK = 100;
/** CPU ms of this process (µs precision) plus its waited-for children (10 ms ticks). */
export function cpuMs() {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000 + ((Number(f[13]) + Number(f[14])) * 1000) / CLK_TCK;
}

const config = validateConfig({ unit: 'bench' }, 'bench');
const mapping = builtinMapping();
export const linuxFamilies = families.filter((f) => f.platforms.includes('linux'));

/** Run `fams` once on `system`; returns { cpuMs, wallMs, outcomes }. */
export async function cycle(fams = linuxFamilies, system = new LocalSystem()) {
  const c0 = cpuMs();
  const t0 = performance.now();
  const ctx = {
    system,
    config,
    earlier: {},
    role: 'server',
    // As the probe does: a check of another role (encryption.disk, usb.storage) is not read.
    applies: (id) => mapping.checks.get(id)?.roles?.includes('server') ?? true,
    processes: await linuxProcessNames(system),
    param: (id, key) => mapping.checks.get(id).params[key],
    thresholds: (id) => Object.values(mapping.checks.get(id)?.minByLevel ?? {}).sort((a, b) => a - b),
  };
  const outcomes = (await Promise.all(fams.map((f) => runFamily(f, ctx)))).flat();
  return { cpuMs: cpuMs() - c0, wallMs: performance.now() - t0, outcomes };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
