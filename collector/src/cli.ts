/** posture: serve | report  (later: rules, agents, systems, hosts, simulate) */
import { Command, CommanderError } from 'commander';
import { loadConfig, ConfigError } from './config.js';
import { openCollector } from './app.js';
import { startServer } from './server.js';
import { toMarkdown, type Lang } from './report/markdown.js';
import { RegistryError } from './store/systems.js';
import { registerSimulate } from './cli/simulate.js';
import { rulesCommand } from './cli/rules.js';

const DEFAULT_CONFIG = process.env.POSTURE_CONFIG ?? '/etc/posture/collector.yaml';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('posture')
    .description('Posture collector: ingest, indicators, alerts, reports')
    .option('-c, --config <file>', 'collector config file', DEFAULT_CONFIG)
    .exitOverride();
  const cfg = () => loadConfig(program.opts<{ config: string }>().config);
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
      const c = openCollector(cfg());
      try {
        const ev = c.engine.evaluateNow();
        process.stdout.write(opts.format === 'json' ? JSON.stringify(ev, null, 2) + '\n' : toMarkdown(ev, opts.lang as Lang));
      } finally {
        c.db.close();
      }
    });

  registerSimulate(program, () => program.opts<{ config: string }>().config);
  rulesCommand(program, (code) => (exitCode = code));

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof ConfigError || e instanceof RegistryError) {
      console.error(e.message);
      return 2;
    }
    // Plain errors from commands are user-facing messages; the stack only helps developers.
    console.error(`posture: ${process.env.POSTURE_DEBUG ? ((e as Error).stack ?? String(e)) : (e as Error).message}`);
    return 1;
  }
  return exitCode;
}
