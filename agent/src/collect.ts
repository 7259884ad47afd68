/**
 * The probe runner: runs each probe with its timeout, records its duration, turns a throw or a
 * timeout into that probe's error result, and assembles the report. Never throws for a probe.
 */
import { randomUUID } from 'node:crypto';
import { SCHEMA_VERSION, type Probes, type Report, type ProbeName } from '@posture/protocol';
import type { AgentConfig } from './config.js';
import { CycleReads } from './cycle-reads.js';
import type { FactsOf, Probe } from './probe.js';
import { ProbeFailure } from './probe.js';
import type { SystemReader } from './system.js';
import { allProbes } from './probes/all.js';

export interface CollectOptions {
  system: SystemReader;
  config: AgentConfig;
  agentId: string;
  probes?: readonly Probe[];
  /** Spool facts to report in the agent's health section. */
  health?: { spoolDepth: number; dropped: number };
}

type AnyResult = NonNullable<Probes[ProbeName]>;

async function runProbe(probe: Probe, ctx: Omit<Parameters<Probe['collect']>[0], 'signal'>, timeoutMs: number): Promise<AnyResult> {
  const started = performance.now();
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ac.abort();
        reject(new ProbeFailure('PROBE_TIMEOUT', `probe ${probe.name} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    const facts = await Promise.race([probe.collect({ ...ctx, signal: ac.signal }), timeout]);
    return { ok: true, durationMs: ms(), facts } as AnyResult;
  } catch (e) {
    const code = e instanceof ProbeFailure ? e.code : 'PROBE_FAILED';
    const message = (e instanceof Error ? e.message : String(e)).slice(0, 2048);
    return { ok: false, durationMs: ms(), error: { code, message } };
  } finally {
    clearTimeout(timer);
  }
}

export async function collectReport(opts: CollectOptions): Promise<Report> {
  const started = performance.now();
  const { system, config } = opts;
  const probes = (opts.probes ?? allProbes).filter((p) => !config.probes.disabled.includes(p.name));
  const earlier: Partial<{ [K in ProbeName]: FactsOf<K> }> = {};
  const results: Partial<Record<ProbeName, AnyResult>> = {};
  const cycle = new CycleReads();
  for (const probe of probes) {
    const timeoutMs = Math.min(probe.timeoutMs, config.probes.timeoutMs);
    const r = await runProbe(probe, { system, config, earlier, cycle }, timeoutMs);
    results[probe.name] = r;
    if (r.ok) (earlier as Record<string, unknown>)[probe.name] = r.facts;
  }
  const missing = (name: ProbeName): AnyResult => ({ ok: false, durationMs: 0, error: { code: 'PROBE_DISABLED', message: `probe ${name} is disabled in the agent config` } });
  return {
    schemaVersion: SCHEMA_VERSION,
    reportId: randomUUID(),
    agentId: opts.agentId,
    collectedAt: system.now().toISOString(),
    probes: { ...results, host: results.host ?? missing('host'), membership: results.membership ?? missing('membership') } as Probes,
    agent: {
      spoolDepth: opts.health?.spoolDepth ?? 0,
      dropped: opts.health?.dropped ?? 0,
      collectMs: Math.round((performance.now() - started) * 10) / 10,
    },
  };
}
