/** posture: serve | report | agents | hosts | systems | tokens | units | upstream | relays | portals  (each group in cli/<name>.ts) */
import { Command, CommanderError } from 'commander';
import { loadConfig, ConfigError } from './config.js';
import { openCollector } from './app.js';
import { startServer } from './server.js';
import { writeFileSync } from 'node:fs';
import { checkFormat, checkLang, render } from './report/render.js';
import { ReportError, buildReport, parseAt } from './report/source.js';
import { RegistryError } from './store/systems.js';
import { registerSimulate } from './cli/simulate.js';
import { rulesCommand } from './cli/rules.js';
import { ApiFailure } from './errors.js';
import { registerAgents } from './cli/agents.js';
import { registerHosts } from './cli/hosts.js';
import { registerSystems } from './cli/systems.js';
import { registerTokens } from './cli/tokens.js';
import { registerUnits } from './cli/units.js';
import { registerUpstream } from './cli/upstream.js';
import { registerPortals } from './cli/portals.js';

const DEFAULT_CONFIG = process.env.POSTURE_CONFIG ?? '/etc/posture/collector.yaml';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('posture').description('Posture collector: ingest, indicators, alerts, reports').option('-c, --config <file>', 'collector config file', DEFAULT_CONFIG).exitOverride();
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
    .description("print the directive's appendix table (indicators per unit), now or at a past time from the stored history")
    .option('--format <format>', 'markdown | csv | json | html | docx (docx is written to --out or to stdout)', 'markdown')
    .option('--lang <lang>', 'vi | en', 'vi')
    .option('--at <time>', 'the report as it was then, from stored indicator history: ISO date (end of day) or date-time; Vietnam time (UTC+7) unless a zone is given')
    .option('--compare <time>', 'compare each figure with the stored evaluation at or before this time (same forms as --at), or "none"; default: the end of the previous quarter, when stored')
    .option('--directive <id>', "measure against this directive (a rule file's directive.id, e.g. 09-CT-TTg-2024); default: config report.directive, else the latest issued by the report date")
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (opts: { format: string; lang: string; at?: string; compare?: string; directive?: string; out?: string }) => {
      const format = checkFormat(opts.format);
      const lang = checkLang(opts.lang);
      const at = opts.at === undefined ? undefined : parseAt(opts.at);
      const compare = opts.compare === undefined ? undefined : opts.compare === 'none' ? 'none' : parseAt(opts.compare, 'compare');
      const c = openCollector(cfg(), null, { syncAuth: false });
      let body: string | Buffer;
      try {
        body = (await render(buildReport(c, { at, compare, directive: opts.directive, fresh: true }), format, lang)).body;
      } finally {
        c.db.close();
      }
      if (opts.out) writeFileSync(opts.out, body);
      else process.stdout.write(body);
    });

  registerSimulate(program, () => program.opts<{ config: string }>().config);
  rulesCommand(program, (code) => (exitCode = code));
  registerAgents(program, ctx);
  registerHosts(program, ctx);
  registerSystems(program, ctx);
  registerTokens(program, ctx);
  registerUnits(program, ctx);
  registerUpstream(program, ctx);
  registerPortals(program, ctx);

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof ReportError) {
      console.error(`posture report: ${e.message}`);
      return 2;
    }
    if (e instanceof ConfigError || e instanceof RegistryError) {
      console.error(e.message);
      return 2;
    }
    if (e instanceof ApiFailure) {
      console.error(`posture: ${e.message} (${e.code})`);
      return e.status === 404 ? 3 : 1;
    }
    // Plain errors from commands are user-facing messages; the stack only helps developers.
    console.error(`posture: ${process.env.POSTURE_DEBUG ? ((e as Error).stack ?? String(e)) : (e as Error).message}`);
    return 1;
  }
  return exitCode;
}
