/**
 * Products known on the host only by their install directory and process names (no CLI that tells
 * real-time state or signature dates without vendor credentials). They are reported as found,
 * with what is unknown and why, and never count as protecting by guess.
 */
import type { ProtectionProduct } from '@posture/protocol';
import type { ProductContext, ProductDetector, Unknowns } from '../product.js';
import { product } from '../product.js';

export interface ProcessOnlySpec {
  id: string;
  name: string;
  vendor: string;
  /** Files or directories whose presence means installed. */
  paths: readonly string[];
  /** comm names (at most 15 characters) of the product's main processes. */
  processes: readonly string[];
  /** comm names whose presence means on-access scanning runs (true), when the product has one. */
  realTimeProcesses?: readonly string[];
  /** Anti-malware by itself (false for e.g. an agent that only collects logs). */
  antiMalware?: boolean;
  /** Why real-time and signatures cannot be read, for the evidence. */
  note: string;
}

export function processOnly(spec: ProcessOnlySpec): ProductDetector {
  return async (ctx: ProductContext): Promise<ProtectionProduct | null> => {
    const { system, processes } = ctx;
    const paths = (await Promise.all(spec.paths.map(async (p) => ((await system.stat(p)) ? p : null)))).filter((p): p is string => p !== null);
    const seen = spec.processes.filter((p) => processes.has(p));
    if (!paths.length && !seen.length) return null;
    const rt = (spec.realTimeProcesses ?? []).filter((p) => processes.has(p));
    const running = seen.length > 0;
    const realTime = !running ? false : rt.length ? true : null;
    const evidence = [
      ...(paths.length ? [`present: ${paths.join(', ')}`] : []),
      running ? `processes running: ${seen.join(', ')}` : `none of the processes ${spec.processes.join(', ')} running`,
      ...(rt.length ? [`on-access process running: ${rt.join(', ')}`] : []),
      spec.note,
    ];
    const unknown: Unknowns = [
      { field: 'version', reason: 'not readable without the vendor console' },
      { field: 'signatureDate', reason: spec.note },
    ];
    if (realTime === null) unknown.push({ field: 'realTime', reason: spec.note });
    return product(
      {
        id: spec.id,
        name: spec.name,
        vendor: spec.vendor,
        version: null,
        installed: true,
        running,
        realTime,
        signatureVersion: null,
        signatureDate: null,
        signatureAgeHours: null,
        antiMalware: spec.antiMalware ?? true,
        evidence,
        unknown,
      },
      ctx,
    );
  };
}

/** Sophos Protection for Linux (SPL): threat detector and on-access (soapd) processes. */
export const detectSophos = processOnly({
  id: 'sophos',
  name: 'Sophos Protection for Linux',
  vendor: 'Sophos',
  paths: ['/opt/sophos-spl'],
  processes: ['sophos_threat_d', 'sophos_watchdog', 'sophos_manageme'],
  realTimeProcesses: ['soapd'],
  note: 'Sophos SPL keeps its detection data in its own store with no local command that prints its date: signature age unknown',
});

/** Trend Micro Deep Security / Cloud One Workload Security agent: ds_agent, anti-malware module ds_am. */
export const detectTrendMicro = processOnly({
  id: 'trendmicro',
  name: 'Trend Micro Deep Security Agent',
  vendor: 'Trend Micro',
  paths: ['/opt/ds_agent/ds_agent'],
  processes: ['ds_agent', 'ds_am'],
  note: 'real-time scanning and pattern versions are set and shown by the Deep Security manager, not by a local command',
});
