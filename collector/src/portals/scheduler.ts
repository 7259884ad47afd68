/**
 * The prober's runner: which registry systems are probed (tag `portal`), with how many at once,
 * on what schedule; each run's results are stored (history) and handed to `emit` (InfluxDB
 * points through the outbox). A run never overlaps the previous one (skipped and logged), and
 * never rejects: a failing store or sink is logged and the next run goes on.
 */
import { readFileSync } from 'node:fs';
import { reason } from '@posture/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { CollectorConfig } from '../config.js';
import { toLines } from '../influx/line.js';
import type { Stores } from '../store/index.js';
import type { PortalStore } from '../store/portals.js';
import { portalPoints } from './points.js';
import type { SystemRecord } from '../store/systems.js';
import { mapLimit } from './net.js';
import { probePortal } from './probe.js';
import { CRITERIA, DEFAULT_PROBE_OPTIONS, type PortalResult, type PortalTarget, type ProbeOptions } from './types.js';

/** Systems tagged `portal`: those with `portal.urls` are targets, the others are reported as not configured. */
export function portalTargets(registry: readonly SystemRecord[]): { targets: PortalTarget[]; unconfigured: SystemRecord[] } {
  const targets: PortalTarget[] = [];
  const unconfigured: SystemRecord[] = [];
  for (const s of registry) {
    if (!s.tags.includes('portal')) continue;
    if (!s.portal?.urls.length) {
      unconfigured.push(s);
      continue;
    }
    let host = '';
    try {
      host = new URL(s.portal.urls[0]!).hostname;
    } catch {
      // probePortal reports the bad URL
    }
    targets.push({ systemId: s.id, unit: s.ownerUnit, name: s.name, urls: s.portal.urls, domain: s.portal.domain ?? host.replace(/^www\./i, ''), mail: s.portal.mail ?? true });
  }
  return { targets, unconfigured };
}

/** Probe options from the config's `portals` section (the CA bundle is read here, once). */
export function probeOptions(cfg: CollectorConfig['portals']): ProbeOptions {
  let ca: string | undefined;
  if (cfg?.caFile) {
    try {
      ca = readFileSync(cfg.caFile, 'utf8');
    } catch (e) {
      throw new Error(`portals.caFile: cannot read ${cfg.caFile}: ${(e as Error).message}`, { cause: e });
    }
  }
  return {
    ...DEFAULT_PROBE_OPTIONS,
    resolvers: [...(cfg?.resolvers ?? [])],
    ca,
    ...(cfg ? { checkTimeoutMs: cfg.checkTimeoutMs, portalTimeoutMs: cfg.portalTimeoutMs, minSimilarity: cfg.minSimilarity, ...(cfg.routeProbe6 ? { routeProbe6: cfg.routeProbe6 } : {}) } : {}),
  };
}

export interface RunSummary {
  results: PortalResult[];
  ms: number;
}

export class PortalRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RunSummary> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: {
      registry: () => SystemRecord[];
      store: PortalStore;
      /** Where points go (the outbox); absent without InfluxDB. */
      emit?: (results: PortalResult[]) => void;
      options: ProbeOptions;
      concurrency: number;
      historyDays?: number;
      log?: FastifyBaseLogger;
    },
  ) {}

  /** Probe every portal (or only `systemId`), store and emit the results. */
  async runOnce(systemId?: string): Promise<RunSummary> {
    const t0 = Date.now();
    const { targets, unconfigured } = portalTargets(this.deps.registry());
    const chosen = systemId ? targets.filter((t) => t.systemId === systemId) : targets;
    const now = Date.now();
    const results = await mapLimit(chosen, this.deps.concurrency, (t) => probePortal(t, this.deps.options));
    for (const s of systemId ? unconfigured.filter((u) => u.id === systemId) : unconfigured) {
      const why = [reason('PORTAL_NOT_CONFIGURED')];
      results.push({ systemId: s.id, unit: s.ownerUnit, probedAt: now, ms: 0, level: 'unknown', ready: false, blocking: why, checks: CRITERIA.map((criterion) => ({ criterion, status: 'unreachable', reasons: why, evidence: {}, ms: 0 })) });
    }
    this.deps.store.add(results);
    try {
      this.deps.emit?.(results);
    } catch (e) {
      this.deps.log?.error({ err: e }, 'portal points could not be queued for InfluxDB; the results are stored');
    }
    if (this.deps.historyDays) this.deps.store.prune(now - this.deps.historyDays * 86_400_000);
    return { results, ms: Date.now() - t0 };
  }

  /** Run now and then every `intervalMs`; a run still going when the next is due is skipped. */
  start(intervalMs: number): void {
    const tick = () => {
      if (this.stopped) return;
      if (this.running) {
        this.deps.log?.warn('portal probe run still in progress; this run is skipped');
        return;
      }
      this.running = this.runOnce();
      void this.running
        .then((s) => this.deps.log?.info({ portals: s.results.length, ready: s.results.filter((r) => r.ready).length, ms: s.ms }, 'portals probed'))
        .catch((e: unknown) => this.deps.log?.error({ err: e }, 'portal probe run failed; the next run will try again'))
        .finally(() => (this.running = undefined));
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  /** Stop the schedule and wait for a run in progress (bounded by portalTimeoutMs). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}

/**
 * The runner over opened stores, as the config says: compose.ts (serve's schedule) and
 * `posture portals probe` (which needs no rule files) make it the same way. Points go to the
 * outbox only with InfluxDB configured (nothing else drains it); a CLI run's points are sent by
 * the running `serve`.
 */
export function portalRunnerFor(s: Pick<Stores, 'config' | 'systems' | 'portals' | 'outbox'>, log?: FastifyBaseLogger): PortalRunner {
  const cfg = s.config.portals;
  return new PortalRunner({
    registry: () => s.systems.all(),
    store: s.portals,
    ...(s.config.influx
      ? {
          emit: (results: PortalResult[]) => {
            const points = portalPoints(results, {
              unit: new Map(s.config.units.map((u) => [u.id, u.shortName ?? u.name])),
              system: new Map(s.systems.all().map((r) => [r.id, r.name])),
            });
            s.outbox.add(toLines(points), points.length);
          },
        }
      : {}),
    options: probeOptions(cfg),
    concurrency: cfg?.concurrency ?? 8,
    historyDays: cfg?.historyDays ?? 400,
    ...(log ? { log } : {}),
  });
}
