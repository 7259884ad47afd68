/**
 * Ask the running clamd itself, through clamdscan and clamd's own config (so its socket): does it
 * answer (`--ping 1`), and which database has it loaded (`--version` prints
 * `ClamAV 1.4.6/27093/Tue Nov 14 08:53:02 2023` when an official database is loaded)? A clamd
 * process that does not answer cannot scan, on demand or on access.
 */
import type { SystemReader } from '../../../system.js';
import { describeFailure } from '../product.js';

const CLAMDSCAN = ['/usr/bin/clamdscan', '/usr/local/bin/clamdscan'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface ClamdAnswer {
  /** true: PONG; false: no answer; null: could not ask (no clamdscan, timeout). */
  answered: boolean | null;
  /** The database clamd has loaded, when it reports one. */
  loaded: { version: string; date: Date } | null;
  evidence: string[];
}

/** `ClamAV 1.4.6/27093/Tue Nov 14 08:53:02 2023` -> database 27093 built at that time (host local time). */
export function parseClamdVersion(text: string): { product: string; version: string; date: Date } | null {
  const m = text.match(/ClamAV ([\d.]+)\/(\d+)\/\w{3} (\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})/);
  const month = m ? MONTHS.indexOf(m[3]!) : -1;
  if (!m || month < 0) return null;
  const date = new Date(+m[8]!, month, +m[4]!, +m[5]!, +m[6]!, +m[7]!);
  return Number.isNaN(date.getTime()) ? null : { product: m[1]!, version: m[2]!, date };
}

export async function askClamd(system: SystemReader, confFile: string | null, timeoutMs: number): Promise<ClamdAnswer> {
  let bin: string | undefined;
  for (const b of CLAMDSCAN) if (!bin && (await system.stat(b))) bin = b;
  if (!bin) return { answered: null, loaded: null, evidence: ['clamdscan not installed: clamd was not asked whether it answers'] };
  const conf = confFile ? [`--config-file=${confFile}`] : [];
  const ping = await system.run(bin, [...conf, '--ping', '1'], { timeoutMs });
  if (ping.kind !== 'ok') return { answered: null, loaded: null, evidence: [describeFailure('clamdscan --ping', ping)] };
  if (ping.code !== 0 || !/PONG/.test(ping.stdout)) {
    const said = (ping.stdout + ping.stderr).trim().slice(0, 160);
    return { answered: false, loaded: null, evidence: [`clamd does not answer PING (clamdscan exit ${ping.code}: ${said}); it may still be loading its database, else check its log and socket`] };
  }
  const evidence = ['clamd answers PING'];
  const v = await system.run(bin, [...conf, '--version'], { timeoutMs });
  const loaded = v.kind === 'ok' && v.code === 0 ? parseClamdVersion(v.stdout) : null;
  if (loaded) evidence.push(`clamd reports loaded database ${loaded.version} of ${loaded.date.toISOString()}`);
  return { answered: true, loaded: loaded && { version: loaded.version, date: loaded.date }, evidence };
}
