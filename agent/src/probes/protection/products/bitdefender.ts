/**
 * Bitdefender GravityZone on Linux (Bitdefender Endpoint Security Tools, BEST):
 * `/opt/bitdefender-security-tools/bin/bduitool get ps` asks the product for its protection
 * status (a real output: testdata/linux/bduitool-7.0.3.2239.txt):
 *   Product version: 7.0.3.2239
 *   Last security content update: 2023-08-24 at 11:44:37 GMT+2
 *   Features:
 *     - Antimalware status: On
 * - Running: bduitool answered with a status (it reports what the product's daemon tells it).
 * - Real-time: "Antimalware status" On (the on-access antimalware module), Off = false.
 * - Signatures: "Last security content update" with its GMT offset (an instant, not a mtime).
 */
import { describeFailure, ageHours, product } from '../product.js';
import type { FoundProduct, ProductContext, Unknowns } from '../product.js';

export const BDUITOOL = '/opt/bitdefender-security-tools/bin/bduitool';

/** `2023-08-24 at 11:44:37 GMT+2` -> that instant (GMT+2 = UTC+02:00). */
export function parseBdTime(text: string): Date | null {
  const m = text.match(/^(\d{4})-(\d{2})-(\d{2}) at (\d{2}):(\d{2}):(\d{2}) GMT([+-]\d{1,2})(?::?(\d{2}))?$/);
  if (!m) return null;
  const offsetMin = Math.sign(+m[7]!) * (Math.abs(+m[7]!) * 60 + (m[8] ? +m[8] : 0)) || 0;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - offsetMin * 60_000;
  return Number.isNaN(t) ? null : new Date(t);
}

/** `Key: value` lines, with the feature bullets (`  - Antimalware status: On`) flattened. */
function fields(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = line
      .trim()
      .replace(/^- /, '')
      .match(/^([^:]+):\s*(.*)$/);
    if (m && m[2]!.trim()) out.set(m[1]!.trim().toLowerCase(), m[2]!.trim());
  }
  return out;
}

export async function detectBitdefender(ctx: ProductContext): Promise<FoundProduct | null> {
  const { system, now } = ctx;
  if (!(await system.stat(BDUITOOL))) return null;
  const evidence = [`${BDUITOOL} present`];
  const unknown: Unknowns = [];
  const r = await system.run(BDUITOOL, ['get', 'ps'], { timeoutMs: ctx.commandTimeoutMs });
  const f = r.kind === 'ok' && r.code === 0 ? fields(r.stdout) : new Map<string, string>();
  const version = f.get('product version')?.match(/^[\d.]+$/)?.[0] ?? null;
  let running: boolean | null;
  if (!version) {
    running = r.kind === 'ok' ? false : null;
    const why = r.kind === 'ok' && r.code === 0 ? 'bduitool get ps printed no product status' : describeFailure('bduitool get ps', r);
    evidence.push(why);
    if (running === null) unknown.push({ field: 'running', reason: why });
  } else {
    running = true;
    evidence.push(`bduitool get ps: product ${version}, engines ${f.get('engines version') ?? '?'}`);
  }
  const am = f.get('antimalware status');
  const realTime = running === false ? false : am === undefined ? null : /^on$/i.test(am);
  if (am) evidence.push(`Antimalware status: ${am}`);
  if (realTime === null) unknown.push({ field: 'realTime', reason: 'bduitool get ps has no "Antimalware status" line' });
  const updated = f.get('last security content update');
  const date = updated ? parseBdTime(updated) : null;
  if (date) evidence.push(`last security content update ${updated}`);
  else unknown.push({ field: 'signatureDate', reason: updated ? `"Last security content update: ${updated}" is not a time` : 'bduitool get ps has no "Last security content update" line' });
  if (f.get('new security content available') === 'yes') evidence.push('new security content available (not yet installed)');
  return product(
    {
      id: 'bitdefender',
      name: 'Bitdefender Endpoint Security Tools',
      vendor: 'Bitdefender',
      version,
      installed: true,
      running,
      realTime,
      signatureVersion: f.get('engines version') ?? null,
      signatureDate: date ? date.toISOString() : null,
      signatureAgeHours: date ? ageHours(date, now) : null,
      antiMalware: true,
      evidence,
      unknown,
    },
    ctx,
  );
}
