/**
 * The Probe contract, and nothing else. A probe gathers facts; the runner (collect.ts) owns
 * timeouts, timing and error capture, so a probe stays a plain async function over a reader.
 */
import type { Probes, ProbeName } from '@posture/protocol';
import type { AgentConfig } from './config.js';
import type { CycleReads } from './cycle-reads.js';
import type { SystemReader } from './system.js';

/** The facts type a probe named K returns. */
export type FactsOf<K extends ProbeName> = Extract<NonNullable<Probes[K]>, { ok: true }>['facts'];

export interface ProbeContext {
  /** Everything the probe reads of the machine goes through here. */
  readonly system: SystemReader;
  /** The validated, frozen agent config. */
  readonly config: AgentConfig;
  /** Aborted when the probe's timeout passes; long probes should stop early. */
  readonly signal: AbortSignal;
  /** Facts of probes that ran earlier in the same cycle (e.g. baseline reads protection). */
  readonly earlier: Partial<{ [K in ProbeName]: FactsOf<K> }>;
  /**
   * Reads of this cycle shared by the probes (the process table). Absent when a probe runs
   * on its own (tests): it then reads for itself.
   */
  readonly cycle?: CycleReads;
}

export interface Probe<K extends ProbeName = ProbeName> {
  /** The key of this probe's result in the report. */
  readonly name: K;
  /** One line for `posture-agent collect --once` and the docs. */
  readonly description: string;
  /** How long the runner lets collect() run before reporting PROBE_TIMEOUT. */
  readonly timeoutMs: number;
  /** Gather facts. May throw; the runner turns a throw into the probe's error result. */
  collect(ctx: ProbeContext): Promise<FactsOf<K>>;
}

/** A probe failure with a stable code, for errors the probe itself recognises. */
export class ProbeFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
