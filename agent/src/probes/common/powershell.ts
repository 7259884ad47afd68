/**
 * Running PowerShell for Windows probes, always with one fixed argument list (no profile, no
 * prompt), so recorded outputs in tests are keyed by the script alone.
 *
 * runPowerShellJson: run a pipeline and read its result as JSON: Windows PowerShell 5.1
 * (present on every supported Windows), no profile, no prompts, through `system.run` (no shell,
 * with a timeout). A failing cmdlet is caught inside PowerShell and comes back as
 * {"__error": "message"}, so the caller gets the cmdlet's own words, not an empty output.
 */
import type { SystemReader } from '../../system.js';
import { isObject, parseJson } from './json.js';

export const POWERSHELL = 'powershell.exe';
const PS = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command'];

/** Run a script as given (the caller converts to JSON itself). */
export const powershell = (system: SystemReader, script: string) => system.run(POWERSHELL, [...PS, script], { timeoutMs: 10_000 });

export type PsResult =
  /** The pipeline ran; `value` is null when it produced no objects. */
  | { kind: 'ok'; value: unknown }
  /** The cmdlet failed (e.g. "Invalid namespace" on Windows Server). */
  | { kind: 'error'; message: string }
  /** PowerShell could not run or its output is unusable (truncated, not JSON). */
  | { kind: 'unavailable'; reason: string };

/** The arguments for one pipeline whose objects are converted to compact JSON. */
export function psArgs(pipeline: string): string[] {
  const script =
    // UTF-8 out: product names are not always ASCII, and Windows PowerShell defaults to the OEM code page.
    "[Console]::OutputEncoding = [Text.Encoding]::UTF8; $ErrorActionPreference='Stop'; $ProgressPreference='SilentlyContinue'; " +
    `try { ${pipeline} | ConvertTo-Json -Depth 4 -Compress } ` +
    'catch { @{ __error = $_.Exception.Message } | ConvertTo-Json -Compress }';
  return [...PS, script];
}

export async function runPowerShellJson(system: SystemReader, pipeline: string, timeoutMs: number, what: string): Promise<PsResult> {
  const r = await system.run(POWERSHELL, psArgs(pipeline), { timeoutMs });
  if (r.kind === 'not-found') return { kind: 'unavailable', reason: `${POWERSHELL} not found` };
  if (r.kind === 'timeout') return { kind: 'unavailable', reason: `${what}: no answer within ${r.afterMs} ms` };
  if (r.kind === 'failed') return { kind: 'unavailable', reason: `${what}: ${r.message.slice(0, 200)}` };
  if (r.code !== 0 && !r.stdout.trim()) return { kind: 'unavailable', reason: `${what}: exit ${r.code} ${r.stderr.trim().slice(0, 200)}` };
  if (!r.stdout.trim()) return { kind: 'ok', value: null };
  const p = parseJson(r.stdout, what);
  if (!p.ok) return { kind: 'unavailable', reason: p.reason };
  if (isObject(p.value) && typeof p.value.__error === 'string') return { kind: 'error', message: p.value.__error.slice(0, 300) };
  return { kind: 'ok', value: p.value };
}


/** ConvertTo-Json output as a list of records: empty output is [], one object is [object]. */
/** A JSON value as text for evidence: scalars as they are, null/undefined as `fallback`, anything else as JSON. */
export function valueText(v: unknown, fallback = ''): string {
  if (v === null || v === undefined) return fallback;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

export function jsonRows(text: string, what: string): Record<string, unknown>[] {
  const t = text.replace(/^\uFEFF/, '').trim();
  if (!t) return [];
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch (e) {
    throw new Error(`${what}: output is not JSON (${(e as Error).message}); run it in PowerShell to see why`, { cause: e });
  }
  const rows = Array.isArray(v) ? v : [v];
  return rows.filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object');
}
