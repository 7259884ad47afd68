/**
 * Rows of the reliability table (bench/reliability.mjs): each fault test records what it
 * measured. With POSTURE_RELIABILITY_OUT set, a row is appended there as one JSON line; it is
 * also printed, so a plain test run shows the figures too.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface ReliabilityRow {
  /** The fault, as the table names it. */
  fault: string;
  /** Reports the senders (agents, load generators) tried to deliver. */
  sent: number;
  /** Reports the collector answered with a 2xx (an agent removed from its spool). */
  acknowledged: number;
  /** Distinct reports in the collector's state store (or InfluxDB) afterwards. */
  stored: number;
  /** Acknowledged (or kept in a spool) but not stored: the goal is 0. */
  lost: number;
  /** Stored or counted more than once: the goal is 0. */
  duplicated: number;
  /** What the row counts beyond the columns (refusals, dropped on a full disk, ...). */
  note?: string;
}

export function recordReliability(row: ReliabilityRow): void {
  const line = JSON.stringify(row);
  console.log(`reliability: ${line}`);
  const out = process.env.POSTURE_RELIABILITY_OUT;
  if (out) appendFileSync(out, `${line}\n`);
}

/** Report ids in a collector's state store (its data dir), in the order it stored them. */
export function storedReportIds(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'posture.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT report_id FROM reports ORDER BY rowid').all() as { report_id: string }[]).map((r) => r.report_id);
  } finally {
    db.close();
  }
}

/** The latest report a collector stored for an agent, as sent. */
export function latestStoredReport(dataDir: string, agentId: string): { reportId: string; agent: { dropped: number; spoolDepth: number } } | undefined {
  const db = new Database(join(dataDir, 'posture.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const r = db.prepare('SELECT report FROM host_reports WHERE agent_id = ?').get(agentId) as { report: string } | undefined;
    return r && JSON.parse(r.report);
  } finally {
    db.close();
  }
}

/** Run a command as root; throws with its output when it fails (mount, ip, nft). */
export function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr || err.message}`, { cause: e });
  }
}
