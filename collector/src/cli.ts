/** posture: serve | report | agents | hosts | systems | tokens | units  (each group in cli/<name>.ts) */
import { Command, CommanderError } from 'commander';
import { loadConfig, ConfigError } from './config.js';
import { openCollector } from './app.js';
import { startServer } from './server.js';
import { toMarkdown, type Lang } from './report/markdown.js';
import { RegistryError } from './store/systems.js';
import { ApiFailure } from './errors.js';
import { registerAgents } from './cli/agents.js';
import { registerHosts } from './cli/hosts.js';
import { registerSystems } from './cli/systems.js';
import { registerTokens } from './cli/tokens.js';
import { registerUnits } from './cli/units.js';

const DEFAULT_CONFIG = process.env.POSTURE_CONFIG ?? '/etc/posture/collector.yaml';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('posture')
    .description('Posture collector: ingest, indicators, alerts, reports')
    .option('-c, --config <file>', 'collector config file', DEFAULT_CONFIG)
    .exitOverride();
  let loaded: ReturnType<typeof loadConfig> | undefined;
  const cfg = () => (loaded ??= loadConfig(program.opts<{ config: string }>().config));
  const ctx = { config: cfg };
  let exitCode = 0;

  program
    .command('serve')
    .description('start the collector (ingest API, outbox to InfluxDB, evaluation)')
    .action(async () => {
      const config = cfg();
      const running = await startServer(config);
      running.app.log.info({ address: running.address, dataDir: config.dataDir, influx: config.influx?.url ?? null }, 'collector listening');
      await new Promise<void>((resolve) => {
        const stop = (sig: string) => {
          running.app.log.info({ signal: sig }, 'shutting down: finishing in-flight requests, flushing the outbox');
          running.close().then(resolve, (e: unknown) => {
            running.app.log.error({ err: e }, 'shutdown failed');
            exitCode = 1;
            resolve();
          });
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });

  program
    .command('report')
    .description("print the directive's appendix table (indicators per unit) from the state store")
    .option('--format <format>', 'markdown | json', 'markdown')
    .option('--lang <lang>', 'vi | en', 'vi')
    .action((opts: { format: string; lang: string }) => {
      if (!['markdown', 'json'].includes(opts.format)) throw new ConfigError('--format', [`unknown format "${opts.format}": use markdown or json`]);
      if (!['vi', 'en'].includes(opts.lang)) throw new ConfigError('--lang', [`unknown language "${opts.lang}": use vi or en`]);
      const c = openCollector(cfg(), null, { syncAuth: false });
      try {
        const ev = c.engine.evaluateNow();
        process.stdout.write(opts.format === 'json' ? JSON.stringify(ev, null, 2) + '\n' : toMarkdown(ev, opts.lang as Lang));
      } finally {
        c.db.close();
      }
    });

  registerAgents(program, ctx);
  registerHosts(program, ctx);
  registerSystems(program, ctx);
  registerTokens(program, ctx);
  registerUnits(program, ctx);

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof ConfigError || e instanceof RegistryError) {
      console.error(e.message);
      return 2;
    }
    if (e instanceof ApiFailure) {
      console.error(`posture: ${e.message} (${e.code})`);
      return e.status === 404 ? 3 : 1;
    }
    console.error(`posture: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
  return exitCode;
}
