/**
 * The agent at work: each cycle collects a report, queues it in the spool, then drains the
 * spool to the collector. A failed send leaves the report queued and arms a retry timer at the
 * spool's backoff. `run` keeps this going on the schedule (SIGHUP reloads the config, SIGTERM
 * finishes the cycle in flight and exits); `run --once` does one cycle.
 */
import { collectReport } from './collect.js';
import { loadConfig, type AgentConfig } from './config.js';
import { loadCredential, type Credential } from './credential.js';
import type { Log } from './log.js';
import { collectGarbage, shrinkYoungGeneration } from './memory.js';
import { Scheduler } from './scheduler.js';
import { Sender, type SenderOptions } from './sender.js';
import { Spool, type DrainResult } from './spool.js';
import { LocalSystem, type SystemReader } from './system.js';

export class AgentError extends Error {
  constructor(
    readonly code: 'NOT_ENROLLED' | 'NO_COLLECTOR' | 'NOT_DELIVERED',
    message: string,
  ) {
    super(message);
  }
}

export function senderOptions(config: AgentConfig, fallbackUrl?: string): SenderOptions {
  const c = config.collector;
  const url = c?.url ?? fallbackUrl;
  if (!url) throw new AgentError('NO_COLLECTOR', 'no collector URL: set collector.url in the agent config or pass --collector URL');
  return { collectorUrl: url, caFile: c?.caFile, certFile: c?.certFile, keyFile: c?.keyFile, proxy: c?.proxy, connectTimeoutMs: c?.connectTimeoutMs ?? 10_000, timeoutMs: c?.timeoutMs ?? 30_000 };
}

export class AgentRuntime {
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private config: AgentConfig,
    private readonly cred: Credential,
    readonly spool: Spool,
    private sender: Sender,
    private readonly log: Log,
    private readonly system: SystemReader,
  ) {}

  static async open(config: AgentConfig, log: Log, system: SystemReader = new LocalSystem()): Promise<AgentRuntime> {
    const cred = await loadCredential(config.stateDir);
    if (!cred) throw new AgentError('NOT_ENROLLED', `not enrolled: no credential in ${config.stateDir}; run \`posture-agent enroll --secret ...\` first`);
    const spool = await Spool.open(config.stateDir, config.spool);
    const sender = await Sender.create(senderOptions(config, cred.collector));
    return new AgentRuntime(config, cred, spool, sender, log, system);
  }

  /** The collector URL the credential was issued by (used when config has none). */
  get collector(): string {
    return this.cred.collector;
  }

  /**
   * Collect one report and queue it; the spool's health goes into the report. `kept` is false
   * when the spool could not write it (disk full; logged and counted as dropped).
   */
  async collectAndQueue(): Promise<{ reportId: string; kept: boolean }> {
    const report = await collectReport({
      system: this.system,
      config: this.config,
      agentId: this.cred.agentId,
      health: { spoolDepth: await this.spool.depth(), dropped: this.spool.stats.dropped },
    });
    for (const [name, r] of Object.entries(report.probes)) {
      if (r && !r.ok && r.error.code !== 'PROBE_DISABLED') this.log.warn('probe failed', { probe: name, code: r.error.code, error: r.error.message });
    }
    const q = await this.spool.enqueue(report);
    if (q.kind === 'dropped') {
      this.log.error('spool cannot write; report dropped', { reportId: report.reportId, error: q.message });
      return { reportId: report.reportId, kept: false };
    }
    if (q.dropped) this.log.error('spool cannot write; dropped older reports to make room', { reportId: report.reportId, dropped: q.dropped, error: this.spool.stats.spoolError?.message });
    this.log.debug('report queued', { reportId: report.reportId, collectMs: report.agent.collectMs });
    return { reportId: report.reportId, kept: true };
  }

  /** Send what is queued, unless a backoff is pending (`force` ignores it). Never throws. */
  async drain(force = false): Promise<DrainResult | null> {
    const wait = this.spool.waitMs();
    if (wait > 0 && !force) {
      this.armRetry(wait);
      return null;
    }
    const r = await this.spool.drain((rep) => this.sender.sendReport(rep, this.cred.credential));
    if (r.sent) this.log.info('reports delivered', { sent: r.sent });
    if (r.rejected) this.log.error('reports rejected by the collector and set aside (see `posture-agent status`)', { rejected: r.rejected, dir: this.spool.dir });
    if (r.kind === 'backoff') {
      this.log.warn('collector unreachable; reports stay in the spool', { retryInMs: r.afterMs, error: r.message });
      this.armRetry(r.afterMs);
    }
    return r;
  }

  private armRetry(ms: number): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.drain();
    }, ms);
  }

  /** Apply a reloaded config: new transport and spool limits (the credential stays). */
  async reconfigure(config: AgentConfig): Promise<void> {
    const sender = await Sender.create(senderOptions(config, this.cred.collector));
    const old = this.sender;
    this.sender = sender;
    this.config = config;
    this.spool.setLimits(config.spool);
    await old.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.sender.close();
  }
}

/** `run --once`: one cycle; delivered or not, the report is safe in the spool. */
export async function runOnce(config: AgentConfig, log: Log): Promise<void> {
  const rt = await AgentRuntime.open(config, log);
  try {
    const { reportId: id, kept } = await rt.collectAndQueue();
    const r = await rt.drain(true);
    if (!kept) throw new AgentError('NOT_DELIVERED', `report ${id} not kept: ${rt.spool.stats.spoolError?.message ?? 'the spool could not write it'}`);
    if (r?.kind === 'backoff') throw new AgentError('NOT_DELIVERED', `report ${id} not delivered: ${r.message}; it stays in the spool (${await rt.spool.depth()} waiting) and goes with the next run`);
    const earlier = (r?.sent ?? 1) - 1;
    console.log(`report ${id} accepted by ${senderOptions(config, rt.collector).collectorUrl}${earlier > 0 ? ` (with ${earlier} earlier report(s) from the spool)` : ''}`);
  } finally {
    await rt.close();
  }
}

/** `run`: the daemon. Resolves with the exit code when a stop signal arrives. */
export async function runDaemon(configFile: string, first: AgentConfig, log: Log): Promise<number> {
  let config = first;
  const rt = await AgentRuntime.open(config, log);
  const scheduler = new Scheduler(async () => {
    await rt.collectAndQueue();
    await rt.drain();
    collectGarbage();
    const young = await shrinkYoungGeneration();
    log.debug('memory given back', { youngResidentKb: `${young.before >> 10}->${young.after >> 10}`, scavenges: young.scavenges });
  }, log);
  process.on('unhandledRejection', (e) => log.error('unhandled rejection (kept running)', { error: (e as Error)?.stack ?? String(e) }));
  scheduler.start(config.schedule);
  log.info('agent started', { cron: config.schedule.cron, splaySeconds: config.schedule.splaySeconds, spool: rt.spool.dir, waiting: await rt.spool.depth() });
  // Send what an earlier run left behind, then a first report (after the splay).
  void rt.drain();
  scheduler.afterSplay(config.schedule.splaySeconds);

  const onHup = () => {
    void (async () => {
      try {
        const next = await loadConfig(configFile);
        await rt.reconfigure(next);
        config = next;
        scheduler.start(config.schedule);
        log.info('config reloaded', { cron: config.schedule.cron });
      } catch (e) {
        log.error('config reload failed; keeping the previous config', { error: (e as Error).message });
      }
    })();
  };
  process.on('SIGHUP', onHup);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info('stopping', { signal });
  process.off('SIGHUP', onHup);
  await scheduler.stop();
  await rt.close();
  return 0;
}
