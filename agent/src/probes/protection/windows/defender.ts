/**
 * Microsoft Defender Antivirus on Windows (workstations and servers): Get-MpComputerStatus.
 * AMRunningMode tells whether Defender is the primary antivirus: "Normal" only. "Passive Mode",
 * "SxS Passive Mode" and "EDR Block Mode" keep every protection toggle reported as on while
 * Defender does not scan files in real time: real-time is then false for this product.
 */
import type { ProtectionProduct } from '@posture/protocol';
import { boolOf, dateOf, isObject, numOf, pick, strOf } from '../../common/json.js';
import type { PsResult } from '../../common/powershell.js';
import type { ProductContext, Unknowns } from '../product.js';
import { ageHours, product } from '../product.js';

export const MP_PIPELINE =
  'Get-MpComputerStatus | Select-Object AMRunningMode,AMServiceEnabled,AntivirusEnabled,RealTimeProtectionEnabled,OnAccessProtectionEnabled,' +
  'AntivirusSignatureVersion,AntivirusSignatureLastUpdated,AntivirusSignatureAge,AMProductVersion,DefenderSignaturesOutOfDate';

/** Error texts of Get-MpComputerStatus when Defender is absent, not when it is merely stopped. */
const ABSENT = /not recognized as the name of a cmdlet|0x800106ba.*not installed|Invalid class|Invalid namespace/i;

export function defenderProduct(r: PsResult, ctx: ProductContext): ProtectionProduct | null {
  const evidence = ['Get-MpComputerStatus'];
  const unknown: Unknowns = [];
  if (r.kind === 'error' && ABSENT.test(r.message)) return null;
  const base = { id: 'defender', name: 'Microsoft Defender Antivirus', vendor: 'Microsoft', installed: true, antiMalware: true, signatureVersion: null, signatureDate: null, signatureAgeHours: null, version: null };
  if (r.kind !== 'ok' || !isObject(Array.isArray(r.value) ? r.value[0] : r.value)) {
    const why = r.kind === 'error' ? `Get-MpComputerStatus failed: ${r.message}` : r.kind === 'unavailable' ? r.reason : 'Get-MpComputerStatus returned no status object';
    // 0x800106ba: the service is installed but not running.
    const stopped = r.kind === 'error' && /0x800106ba|service.*(not running|stopped)/i.test(r.message);
    unknown.push({ field: 'status', reason: why });
    if (!stopped) unknown.push({ field: 'realTime', reason: why });
    return product({ ...base, running: stopped ? false : null, realTime: stopped ? false : null, evidence: [...evidence, why], unknown }, ctx);
  }
  const s = (Array.isArray(r.value) ? r.value[0] : r.value) as Record<string, unknown>;
  const mode = strOf(pick(s, 'AMRunningMode'));
  const service = boolOf(pick(s, 'AMServiceEnabled'));
  const av = boolOf(pick(s, 'AntivirusEnabled'));
  const rtp = boolOf(pick(s, 'RealTimeProtectionEnabled'));
  const onAccess = boolOf(pick(s, 'OnAccessProtectionEnabled'));
  evidence.push(`AMRunningMode=${mode ?? '(absent)'} AMServiceEnabled=${service} AntivirusEnabled=${av} RealTimeProtectionEnabled=${rtp} OnAccessProtectionEnabled=${onAccess}`);

  let realTime: boolean | null;
  if (mode && /passive|edr block/i.test(mode)) {
    realTime = false;
    evidence.push(`${mode}: another product is the primary antivirus; Defender's toggles stay on but it does not scan in real time`);
  } else if (mode && /not running/i.test(mode)) {
    realTime = false;
  } else if (mode && !/^normal$/i.test(mode)) {
    realTime = null;
    unknown.push({ field: 'realTime', reason: `AMRunningMode "${mode}" is not a known mode` });
  } else {
    if (!mode) evidence.push('AMRunningMode not reported (platform older than 4.18): RealTimeProtectionEnabled is taken as is');
    realTime = av === false || rtp === false ? false : rtp === true ? true : null;
    if (realTime === null) unknown.push({ field: 'realTime', reason: 'RealTimeProtectionEnabled missing' });
  }
  const running = service === false || (mode && /not running/i.test(mode)) ? false : service;
  if (running === null) unknown.push({ field: 'running', reason: 'AMServiceEnabled missing' });
  if (running === false) realTime = false;

  const updated = dateOf(pick(s, 'AntivirusSignatureLastUpdated'));
  const days = numOf(pick(s, 'AntivirusSignatureAge'));
  let age: number | null = null;
  if (updated) age = ageHours(updated, ctx.now);
  else if (days !== null && days >= 0 && days < 65535) {
    age = days * 24;
    evidence.push(`AntivirusSignatureAge ${days} days (no update time: age counted in whole days)`);
  }
  if (age === null) unknown.push({ field: 'signatureAgeHours', reason: 'AntivirusSignatureLastUpdated and AntivirusSignatureAge missing or never updated' });
  if (boolOf(pick(s, 'DefenderSignaturesOutOfDate')) === true) evidence.push('DefenderSignaturesOutOfDate=True');
  return product(
    {
      ...base,
      version: strOf(pick(s, 'AMProductVersion')),
      running,
      realTime,
      signatureVersion: strOf(pick(s, 'AntivirusSignatureVersion')),
      signatureDate: updated ? updated.toISOString() : null,
      signatureAgeHours: age,
      evidence,
      unknown,
    },
    ctx,
  );
}
