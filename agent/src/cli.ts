/** posture-agent: enroll | collect --once | run [--once] | status | config check | version */
import { Command, CommanderError } from 'commander';
import { hostname } from 'node:os';
import type { EnrollResponse } from '@posture/protocol';
import { access } from 'node:fs/promises';
import { loadConfig, validateConfig, ConfigError } from './config.js';
import { collectReport } from './collect.js';
import { loadCredential, saveCredential } from './credential.js';
import { AgentError, runDaemon, runOnce, senderOptions } from './daemon.js';
import { createLog } from './log.js';
import { Sender } from './sender.js';
import { Spool } from './spool.js';
import { summarize } from './summary.js';
import { LocalSystem } from './system.js';
import { AGENT_VERSION } from './version.js';

const DEFAULT_CONFIG = process.env.POSTURE_AGENT_CONFIG ?? '/etc/posture/agent.yaml';
/** The unit shown by `collect --once` before any config exists (never sent: collect sends nothing). */
const UNCONFIGURED_UNIT = 'not-configured';

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * First use: a sysadmin sees what the agent finds before writing a config or enrolling. Only a
 * missing file means defaults (and no credential); a file that exists must be valid.
 */
async function configOrDefaults(file: string) {
  const missing = await access(file).then(
    () => false,
    (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
  );
  if (missing) console.error(`posture-agent: no config file at ${file}: collecting with the defaults (unit "${UNCONFIGURED_UNIT}"); nothing is sent. Write the config and enroll to report.`);
  const config = missing ? validateConfig({ unit: UNCONFIGURED_UNIT }, `${file} (absent: defaults)`) : await loadConfig(file);
  const cred = missing ? null : await loadCredential(config.stateDir);
  return { config, cred };
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('posture-agent')
    .description('Posture host agent: reports endpoint protection, IPv6 readiness and baseline facts')
    .option('-c, --config <file>', 'agent config file', DEFAULT_CONFIG)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let exitCode = 0;
  const cfg = async () => loadConfig(program.opts<{ config: string }>().config);

  program
    .command('version')
    .description('print the agent version')
    .action(() => {
      console.log(AGENT_VERSION);
    });

  program
    .command('config')
    .description('config check: validate the config file and print it with defaults')
    .argument('<action>', 'check')
    .option('--quiet', 'print nothing when the config is valid (for ExecStartPre)')
    .action(async (action: string, opts: { quiet?: boolean }) => {
      if (action !== 'check') throw new CliError(`unknown config action "${action}" (expected: check)`, 2);
      const c = await cfg();
      if (opts.quiet) return;
      console.log(`${program.opts<{ config: string }>().config}: OK`);
      console.log(JSON.stringify(c, null, 2));
    });

  program
    .command('collect')
    .description('collect this host once and print the report it would send (sends nothing)')
    .option('--once', 'collect one report (the only mode)', true)
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { config, cred } = await configOrDefaults(program.opts<{ config: string }>().config);
      const report = await collectReport({ system: new LocalSystem(), config, agentId: cred?.agentId ?? 'not-enrolled' });
      console.log(opts.json ? JSON.stringify(report, null, 2) : summarize(report));
    });

  program
    .command('enroll')
    .description("trade the unit's enrollment secret for this agent's credential")
    .option('--collector <url>', 'collector base URL (default: collector.url from config)')
    .requiredOption('--secret <secret>', "the unit's enrollment secret (or env POSTURE_ENROLL_SECRET)", process.env.POSTURE_ENROLL_SECRET)
    .action(async (opts: { collector?: string; secret: string }) => {
      const config = await cfg();
      const c = { ...senderOptions(config, opts.collector), ...(opts.collector ? { collectorUrl: opts.collector } : {}) };
      const sender = await Sender.create(c);
      try {
        const r = await sender.enroll({ unit: config.unit, secret: opts.secret, hostname: hostname().slice(0, 253), machineId: ((await new LocalSystem().readFile('/etc/machine-id')) ?? '').trim().slice(0, 128) });
        if (r.kind !== 'success') throw new CliError(`enrollment failed: ${r.kind === 'rejected' ? `${r.status} ${r.code}: ` : ''}${r.message}`);
        const body = r.body as EnrollResponse;
        await saveCredential(config.stateDir, { collector: c.collectorUrl, agentId: body.agentId, unit: body.unit, credential: body.credential });
        console.log(`enrolled as agent ${body.agentId} of unit ${body.unit}; credential saved in ${config.stateDir}`);
      } finally {
        await sender.close();
      }
    });

  program
    .command('run')
    .description('the agent daemon: collect on the schedule, spool, send (SIGHUP reloads the config)')
    .option('--once', 'one cycle: collect, queue, send what is queued, then exit')
    .action(async (opts: { once?: boolean }) => {
      const config = await cfg();
      // One-shot runs (cron, scripts) stay quiet on success: the outcome is on stdout.
      const log = createLog(opts.once && !process.env.POSTURE_AGENT_LOG_LEVEL ? 'error' : undefined);
      if (opts.once) await runOnce(config, log);
      else exitCode = await runDaemon(program.opts<{ config: string }>().config, config, log);
    });

  program
    .command('status')
    .description('last successful send, spool depth, last error, dropped and rejected reports')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { config, cred } = await configOrDefaults(program.opts<{ config: string }>().config);
      const state = await Spool.readState(config.stateDir);
      const spool = await Spool.peek(config.stateDir);
      const status = {
        enrolled: cred ? { agentId: cred.agentId, unit: cred.unit, collector: config.collector?.url ?? cred.collector } : null,
        spoolDepth: spool.depth,
        ...state,
        rejectedReports: spool.rejected,
      };
      if (opts.json) return console.log(JSON.stringify(status, null, 2));
      const lines = [
        `enrolled:      ${status.enrolled ? `agent ${status.enrolled.agentId} of unit ${status.enrolled.unit} -> ${status.enrolled.collector}` : 'no (run `posture-agent enroll --secret ...`)'}`,
        `last success:  ${state.lastSuccessAt ?? 'never'}`,
        `spool depth:   ${status.spoolDepth} report(s) waiting`,
        `last error:    ${state.lastError ? `${state.lastError.at} ${state.lastError.message}` : 'none'}`,
        `next attempt:  ${state.nextAttemptAt ?? 'at the next cycle'}`,
        `dropped:       ${state.dropped} (spool full)`,
        `spool error:   ${state.spoolError ? `${state.spoolError.at} ${state.spoolError.message}` : 'none'}`,
        `rejected:      ${state.rejected} (set aside in ${spool.dir}/rejected)`,
        ...status.rejectedReports.map((r) => `  ${r.file}: ${r.reason}`),
      ];
      console.log(lines.join('\n'));
    });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    if (e instanceof AgentError) {
      console.error(`posture-agent: ${e.message}`);
      return e.code === 'NOT_DELIVERED' ? 1 : 2;
    }
    if (e instanceof CliError) {
      console.error(`posture-agent: ${e.message}`);
      return e.exitCode;
    }
    console.error(`posture-agent: unexpected error: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
  return exitCode;
}
