/** `posture simulate`: a virtual fleet through the real API; `posture simulate init`: its config. */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { loadConfig } from '../config.js';
import { buildFleet } from '../simulate/fleet.js';
import { simulatedRegistry } from '../simulate/registry.js';
import { simulate } from '../simulate/run.js';
import { DIRECTIVE_UNITS } from '../simulate/units.js';

interface SimulateFlags {
  hosts: string;
  units: string;
  rate: string;
  duration: string;
  reports?: string;
  protected: string;
  stale: string;
  ipv6Ready: string;
  classified: string;
  systemsPerUnit: string;
  seed: string;
  url?: string;
  state?: string;
  dir?: string;
  port: string;
  json?: boolean;
}

const num = (name: string, v: string, min: number, max: number) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max} (got "${v}")`);
  return n;
};

export function registerSimulate(program: Command, configFile: () => string): void {
  program
    .command('simulate')
    .description('send realistic reports from N virtual hosts through the real API ("simulate init --dir D" writes a matching config)')
    .argument('[action]', '"init" to write a collector config and registry for a simulated ministry')
    .option('--hosts <n>', 'virtual hosts', '1000')
    .option('--units <n>', 'units of the ministry to spread them over', '30')
    .option('--rate <r>', 'reports per second, whole fleet', '100')
    .option('--duration <s>', 'seconds to run', '30')
    .option('--reports <n>', 'stop after this many reports')
    .option('--protected <share>', 'share of protected hosts', '0.88')
    .option('--stale <share>', 'share of hosts that report once, then fall silent', '0.03')
    .option('--ipv6-ready <share>', 'share of servers IPv6 ready', '0.35')
    .option('--classified <share>', 'init: share of systems classified with a deployed plan', '0.7')
    .option('--systems-per-unit <n>', 'information systems per unit', '4')
    .option('--seed <n>', 'same seed, same fleet', '1')
    .option('--url <url>', 'collector URL (default: from the config listen address)')
    .option('--state <file>', 'credential cache, so re-runs do not re-enroll')
    .option('--dir <dir>', 'init: where to write collector.yaml and systems.yaml')
    .option('--port <port>', 'init: listen port', '8080')
    .option('--json', 'print the statistics as JSON')
    .action(async (action: string | undefined, f: SimulateFlags) => {
      const units = DIRECTIVE_UNITS.slice(0, num('units', f.units, 1, DIRECTIVE_UNITS.length));
      if (action === 'init') {
        if (!f.dir) throw new Error('simulate init needs --dir DIR');
        const dir = resolve(f.dir);
        await mkdir(dir, { recursive: true });
        const registry = simulatedRegistry(units, { systemsPerUnit: num('systems-per-unit', f.systemsPerUnit, 1, 100), classified: num('classified', f.classified, 0, 1), seed: num('seed', f.seed, 0, 2 ** 31) });
        await writeFile(join(dir, 'systems.yaml'), registry);
        const config = {
          listen: { host: '::', port: num('port', f.port, 0, 65535) },
          dataDir: join(dir, 'data'),
          registryFile: join(dir, 'systems.yaml'),
          // Every virtual host enrolls from this one address: lift the per-source limit.
          limits: { enrollPerMinute: 1_000_000 },
          units: units.map((u) => ({ ...u, enrollmentSecret: randomBytes(18).toString('base64url') })),
        };
        await writeFile(join(dir, 'collector.yaml'), stringify(config), { mode: 0o600 });
        console.log(`wrote ${join(dir, 'collector.yaml')} (${units.length} units with fresh enrollment secrets) and ${join(dir, 'systems.yaml')}`);
        console.log(`next: posture -c ${join(dir, 'collector.yaml')} serve   and   posture -c ${join(dir, 'collector.yaml')} simulate --hosts ${f.hosts}`);
        return;
      }
      if (action) throw new Error(`unknown simulate action "${action}" (only "init")`);
      const config = loadConfig(configFile());
      const secrets = new Map(config.units.filter((u) => u.enrollmentSecret).map((u) => [u.id, u.enrollmentSecret!]));
      const unitIds = units.map((u) => u.id).filter((id) => secrets.has(id));
      if (!unitIds.length) throw new Error('none of the simulated units has an enrollmentSecret in the collector config; write one with "posture simulate init --dir D"');
      const seed = num('seed', f.seed, 0, 2 ** 31);
      const hosts = buildFleet({
        hosts: num('hosts', f.hosts, 1, 10_000_000),
        units: unitIds,
        shares: { protected: num('protected', f.protected, 0, 1), stale: num('stale', f.stale, 0, 1), ipv6Ready: num('ipv6-ready', f.ipv6Ready, 0, 1) },
        seed,
        systemsPerUnit: num('systems-per-unit', f.systemsPerUnit, 1, 100),
      });
      const host = config.listen.host === '::' || config.listen.host === '0.0.0.0' ? '127.0.0.1' : config.listen.host;
      const url = f.url ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.listen.port}`;
      const stats = await simulate({
        url,
        hosts,
        secrets,
        rate: num('rate', f.rate, 0.01, 1_000_000),
        durationSeconds: num('duration', f.duration, 0.1, 86_400),
        ...(f.reports ? { reports: num('reports', f.reports, 1, 1e12) } : {}),
        ...(f.state ? { stateFile: resolve(f.state) } : {}),
        log: (l) => console.error(l),
      });
      const { ackedIds, ...summary } = stats;
      if (f.json) console.log(JSON.stringify(summary, null, 2));
      else {
        console.log(`${hosts.length} virtual hosts in ${unitIds.length} units; enrolled ${stats.enrolled} now`);
        console.log(`sent ${stats.sent} reports in ${stats.seconds.toFixed(1)} s (${stats.ratePerSecond.toFixed(1)}/s): ${stats.accepted} stored, ${stats.duplicate} duplicates, errors ${JSON.stringify(stats.errors)}`);
        console.log(`latency p50 ${stats.p50Ms.toFixed(1)} ms, p99 ${stats.p99Ms.toFixed(1)} ms; acknowledged ${ackedIds.length}`);
      }
    });
}
