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
  /**
   * The cmdlet failed. `message` is the OS's words in the machine's language: evidence only,
   * never matched. `errorId` (FullyQualifiedErrorId, e.g. "HRESULT 0x8004100e,...GetCimInstanceCommand"
   * or "CommandNotFoundException,..."), `hresult` (0x8004100E, from errorId or the exception)
   * and `nativeCode` (CimException.NativeErrorCode, e.g. InvalidNamespace) are what callers branch on.
   */
  | { kind: 'error'; message: string; errorId: string | null; hresult: string | null; nativeCode: string | null }
  /** PowerShell could not run or its output is unusable (truncated, not JSON). */
  | { kind: 'unavailable'; reason: string };

/** The arguments for one pipeline whose objects are converted to compact JSON. */
export function psArgs(pipeline: string): string[] {
  const script =
    // UTF-8 out: product names are not always ASCII, and Windows PowerShell defaults to the OEM code page.
    "[Console]::OutputEncoding = [Text.Encoding]::UTF8; $ErrorActionPreference='Stop'; $ProgressPreference='SilentlyContinue'; " +
    `try { ${pipeline} | ConvertTo-Json -Depth 4 -Compress } ` +
    // The ids are locale-independent; the message is kept as evidence only.
    'catch { $x = $_.Exception; @{ __error = $x.Message; errorId = [string]$_.FullyQualifiedErrorId; hresult = $x.HResult; nativeCode = [string]$x.NativeErrorCode } | ConvertTo-Json -Compress }';
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
  if (isObject(p.value) && typeof p.value.__error === 'string') return psError(p.value);
  return { kind: 'ok', value: p.value };
}

const hex32 = (n: number) => `0x${(n >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;

/** The error object our catch block prints, with its ids normalised (HRESULT as 0xXXXXXXXX). */
export function psError(o: Record<string, unknown>): Extract<PsResult, { kind: 'error' }> {
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 300) : null);
  const errorId = str(o.errorId);
  const fromId = errorId?.match(/HRESULT (0x[0-9a-f]{8})/i)?.[1];
  // The exception's own HResult is generic for CIM errors (0x80131500); the id's HRESULT is the WMI code.
  const hresult = fromId ? `0x${fromId.slice(2).toUpperCase()}` : typeof o.hresult === 'number' && Number.isInteger(o.hresult) && o.hresult !== 0 ? hex32(o.hresult) : null;
  return { kind: 'error', message: String(o.__error).slice(0, 300), errorId, hresult, nativeCode: str(o.nativeCode) };
}

/** WMI/COM codes the probes branch on (winerror.h / wbemcli.h). */
export const HRESULT = {
  /** WBEM_E_INVALID_NAMESPACE: e.g. root/SecurityCenter2 on Windows Server. */
  INVALID_NAMESPACE: '0x8004100E',
  /** WBEM_E_INVALID_CLASS: the class is not registered in that namespace. */
  INVALID_CLASS: '0x80041010',
  /** WBEM_E_NOT_FOUND. */
  NOT_FOUND: '0x80041002',
  /** WBEM_E_ACCESS_DENIED. */
  ACCESS_DENIED: '0x80041003',
  /** Defender: the antimalware service is not running (MpClient). */
  DEFENDER_SERVICE_STOPPED: '0x800106BA',
  /** ERROR_SERVICE_DISABLED as an HRESULT. */
  SERVICE_DISABLED: '0x80070422',
} as const;

/** The cmdlet itself does not exist on this machine (its module is not installed). */
export const isCommandNotFound = (e: Extract<PsResult, { kind: 'error' }>) => /^CommandNotFoundException\b/.test(e.errorId ?? '');

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
