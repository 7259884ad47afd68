/**
 * Ask the running clamd itself, in its own protocol on its own socket (the LocalSocket or
 * TCPSocket of the config it runs with), within a deadline:
 * - `zVERSION`: which engine and which official database it has loaded
 *   (`ClamAV 1.4.6/27400/Tue Dec  1 08:25:27 2026`; only `ClamAV 1.4.6` when no official
 *   database is loaded);
 * - `zINSTREAM` of a few clean bytes: the engine really scans (`stream: OK`).
 * The replies are read to their NUL terminator. A clamd process that does not reply to both
 * within the deadline (stopped, hung, still loading) scans nothing, on demand or on access.
 * `clamdscan --ping` is not used: it can print PONG without the reply being read.
 */
import type { ExchangeResult, SystemReader } from '../../../system.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const NUL = 0;

/** Clean bytes for the scan request: no signature matches them, so no alert is raised anywhere. */
const PROBE_PAYLOAD = Buffer.from('posture-agent clamd liveness check\n', 'latin1');

/** `zINSTREAM\0`, one chunk (4-byte big-endian length + bytes), then the zero-length end chunk. */
export function instreamRequest(payload: Buffer = PROBE_PAYLOAD): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(payload.length);
  return Buffer.concat([Buffer.from('zINSTREAM\0', 'latin1'), len, payload, Buffer.alloc(4)]);
}
export const VERSION_REQUEST = Buffer.from('zVERSION\0', 'latin1');

export interface ClamdVersion {
  engine: string;
  /** The loaded daily database: version and build time (clamd prints it in its local time). */
  database: { version: string; date: Date } | null;
}

/** `ClamAV 1.4.6/27093/Tue Nov 14 08:53:02 2023` -> engine 1.4.6, database 27093 of that time. */
export function parseClamdVersion(text: string): ClamdVersion | null {
  const engine = text.match(/^ClamAV (\d+\.\d+[\w.-]*)/)?.[1];
  if (!engine) return null;
  const m = text.match(/^ClamAV [^/]+\/(\d+)\/\w{3} (\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})/);
  const month = m ? MONTHS.indexOf(m[2]!) : -1;
  if (!m || month < 0 || m[1] === '0') return { engine, database: null };
  const date = new Date(+m[7]!, month, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return { engine, database: Number.isNaN(date.getTime()) ? null : { version: m[1]!, date } };
}

export interface ClamdAnswer {
  /** true: replied to VERSION and scanned; false: does not answer or does not scan; null: could not ask. */
  answered: boolean | null;
  version: ClamdVersion | null;
  evidence: string[];
  /** Why answered is false or null, in a few words (for the unknown/reason). */
  problem: string | null;
}

const said = (r: ExchangeResult, what: string, timeoutMs: number): string => {
  if (r.kind === 'ok') return `${what}: replied "${r.reply.slice(0, 120)}"`;
  if (r.kind === 'timeout') return `${what}: no complete reply within ${timeoutMs} ms${r.partial ? ` (got "${r.partial.slice(0, 60)}")` : ''}`;
  return `${what}: ${r.code} (${r.message.slice(0, 120)})`;
};

/** Connection errors that mean "nothing listens there" (a fact), not "we may not ask" (unknown). */
const NOT_LISTENING = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTSOCK']);

export async function askClamd(system: SystemReader, socket: string | null, timeoutMs: number): Promise<ClamdAnswer> {
  if (!socket) return { answered: null, version: null, evidence: ['clamd config names no LocalSocket or TCPSocket: clamd could not be asked'], problem: 'no clamd socket in its config' };
  const opts = { timeoutMs, terminator: NUL };
  const [v, scan] = await Promise.all([system.exchange(socket, VERSION_REQUEST, opts), system.exchange(socket, instreamRequest(), opts)]);
  const evidence = [`asked clamd on ${socket}: ${said(v, 'VERSION', timeoutMs)}; ${said(scan, 'INSTREAM', timeoutMs)}`];
  const failed = [v, scan].find((r) => r.kind !== 'ok');
  if (failed?.kind === 'failed' && !NOT_LISTENING.has(failed.code)) {
    return { answered: null, version: null, evidence, problem: `clamd socket ${socket} could not be used: ${failed.code}` };
  }
  if (failed) {
    const problem = failed.kind === 'timeout' ? `clamd does not reply on ${socket} within ${timeoutMs} ms (stopped, hung or still loading its database)` : `nothing listens on ${socket} (${failed.code})`;
    return { answered: false, version: null, evidence, problem };
  }
  const version = parseClamdVersion(v.kind === 'ok' ? v.reply : '');
  const scanned = scan.kind === 'ok' && /^stream: (OK|.+ FOUND)$/.test(scan.reply.trim());
  if (!version || !scanned) {
    return { answered: false, version, evidence, problem: !version ? 'clamd replied to VERSION with something that is not a ClamAV version' : 'clamd did not scan the test stream' };
  }
  return { answered: true, version, evidence, problem: null };
}
