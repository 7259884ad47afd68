/** What every CLI command group shares: the config, a short-lived store handle, output helpers. */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { CollectorConfig } from '../config.js';
import { ApiFailure } from '../errors.js';
import { openStore, type Stores } from '../store/index.js';

export interface CliContext {
  /** The validated config (loaded on first use). */
  config(): CollectorConfig;
}

export type Register = (program: Command, ctx: CliContext) => void;

/**
 * Open the store (only: no rule files are read, so a broken one cannot stop an admin
 * command), run `fn`, close. The server may run meanwhile: SQLite WAL allows it.
 */
export function withStore<T>(ctx: CliContext, fn: (s: Stores) => T): T {
  const s = openStore(ctx.config(), { syncAuth: false });
  try {
    return fn(s);
  } finally {
    s.close();
  }
}

/** Who is acting, for the audit log. */
export const cliActor = (): string => `cli:${process.env.SUDO_USER ?? userInfo().username}`;

/** Print rows as an aligned text table (or JSON with --json). */
export function printTable(rows: Record<string, unknown>[], columns: string[], json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write([line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n') + '\n');
}

/** `--expires-days N` as a date, or null. */
export function expiresIn(days: string | undefined): Date | null {
  if (days === undefined) return null;
  const n = Number(days);
  if (!Number.isInteger(n) || n < 1) throw new ApiFailure('REQUEST_INVALID', `--expires-days must be a whole number of days >= 1, got "${days}"`);
  return new Date(Date.now() + n * 86_400_000);
}
