/**
 * Running PowerShell for Windows probes: one fixed argument list (no profile, no prompt) so
 * recorded outputs in tests are keyed by the script alone, and a reader for ConvertTo-Json
 * output that copes with its shapes (one object instead of an array, empty output).
 */
import type { SystemReader } from '../../system.js';

const PS = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command'];

export const powershell = (system: SystemReader, script: string) => system.run('powershell.exe', [...PS, script], { timeoutMs: 10_000 });

/** ConvertTo-Json output as a list of records: empty output is [], one object is [object]. */
export function jsonRows(text: string, what: string): Record<string, unknown>[] {
  const t = text.replace(/^\uFEFF/, '').trim();
  if (!t) return [];
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch (e) {
    throw new Error(`${what}: output is not JSON (${(e as Error).message}); run it in PowerShell to see why`);
  }
  const rows = Array.isArray(v) ? v : [v];
  return rows.filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object');
}
