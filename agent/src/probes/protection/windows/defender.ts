/**
 * Microsoft Defender Antivirus on Windows (workstations and servers): Get-MpComputerStatus.
 * AMRunningMode tells whether Defender is the primary antivirus: "Normal" only. "Passive Mode",
 * "SxS Passive Mode" and "EDR Block Mode" keep every protection toggle reported as on while
 * Defender does not scan files in real time: real-time is then false for this product.
 */
import type { Reason } from '@posture/protocol';
import { reason } from '@posture/protocol';
import { boolOf, dateOf, isObject, numOf, pick, strOf } from '../../common/json.js';
import { HRESULT, isCommandNotFound, type PsResult } from '../../common/powershell.js';
import type { FoundProduct, ProductContext, Unknowns } from '../product.js';
import { ageHours, product } from '../product.js';

/** Properties of Get-MpComputerStatus the probe reads (the Antispyware* ones date the same definitions). */
export const MP_PROPS = [
  'AMRunningMode',
  'AMServiceEnabled',
  'AntivirusEnabled',
  'RealTimeProtectionEnabled',
  'OnAccessProtectionEnabled',
  'AntivirusSignatureVersion',
  'AntivirusSignatureLastUpdated',
  'AntivirusSignatureAge',
  'AntispywareSignatureVersion',
  'AntispywareSignatureLastUpdated',
  'AntispywareSignatureAge',
  'AMProductVersion',
  'DefenderSignaturesOutOfDate',
] as const;

/** The policy that puts Defender in passive mode (what "EDR Block Mode" hides). */
const PASSIVE_POLICY = "(Get-ItemProperty -Path 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Advanced Threat Protection' -Name ForceDefenderPassiveMode -ErrorAction SilentlyContinue).ForceDefenderPassiveMode";

export const MP_PIPELINE = `Get-MpComputerStatus | Select-Object ${MP_PROPS.join(',')},@{n='ForceDefenderPassiveMode';e={${PASSIVE_POLICY}}}`;

/**
 * Get-MpComputerStatus failed because Defender is not on this machine: the cmdlet does not exist
 * (no Defender module: Windows Server 2012 R2 and older) or its WMI namespace/class does not
 * (feature removed). Decided by error id and HRESULT, never by the message (any language).
 */
const absent = (r: PsResult) => r.kind === 'error' && (isCommandNotFound(r) || r.hresult === HRESULT.INVALID_NAMESPACE || r.hresult === HRESULT.INVALID_CLASS || r.nativeCode === 'InvalidNamespace' || r.nativeCode === 'InvalidClass');
/** Installed, service not running: MpClient's 0x800106BA, or the service disabled. */
const stoppedService = (r: PsResult) => r.kind === 'error' && (r.hresult === HRESULT.DEFENDER_SERVICE_STOPPED || r.hresult === HRESULT.SERVICE_DISABLED);

export function defenderProduct(r: PsResult, ctx: ProductContext): FoundProduct | null {
  const evidence = ['Get-MpComputerStatus'];
  const unknown: Unknowns = [];
  if (absent(r)) return null;
  const base = { id: 'defender', name: 'Microsoft Defender Antivirus', vendor: 'Microsoft', installed: true, antiMalware: true, signatureVersion: null, signatureDate: null, signatureAgeHours: null, version: null };
  if (r.kind !== 'ok' || !isObject(Array.isArray(r.value) ? r.value[0] : r.value)) {
    const why = r.kind === 'error' ? `Get-MpComputerStatus failed (${r.hresult ?? r.errorId ?? 'no error id'}): ${r.message}` : r.kind === 'unavailable' ? r.reason : 'Get-MpComputerStatus returned no status object';
    const stopped = stoppedService(r);
    const code = reason('PROTECTION_QUERY_FAILED', { source: 'Get-MpComputerStatus', errorId: r.kind === 'error' ? (r.hresult ?? r.errorId ?? 'none') : r.kind });
    unknown.push({ field: 'status', reason: why, reasonCode: code });
    if (!stopped) unknown.push({ field: 'realTime', reason: why, reasonCode: code });
    return product({ ...base, running: stopped ? false : null, realTime: stopped ? false : null, evidence: [...evidence, why], unknown }, ctx);
  }
  const s = (Array.isArray(r.value) ? r.value[0] : r.value) as Record<string, unknown>;
  const mode = strOf(pick(s, 'AMRunningMode'));
  const service = boolOf(pick(s, 'AMServiceEnabled'));
  const av = boolOf(pick(s, 'AntivirusEnabled'));
  const rtp = boolOf(pick(s, 'RealTimeProtectionEnabled'));
  const onAccess = boolOf(pick(s, 'OnAccessProtectionEnabled'));
  evidence.push(`AMRunningMode=${mode ?? '(absent)'} AMServiceEnabled=${service} AntivirusEnabled=${av} RealTimeProtectionEnabled=${rtp} OnAccessProtectionEnabled=${onAccess}`);

  const forced = numOf(pick(s, 'ForceDefenderPassiveMode'));
  const causes: Reason[] = [];
  let realTime: boolean | null;
  // AMRunningMode values are fixed English identifiers in every UI language (an enum, not text).
  const edrBlock = mode !== null && /^edr block mode$/i.test(mode);
  if (mode && /passive/i.test(mode)) {
    realTime = false;
    evidence.push(`${mode}: another product is the primary antivirus; Defender's toggles stay on but it does not scan in real time`);
    causes.push(reason('PROTECTION_DEFENDER_PASSIVE', { product: base.name, mode, forced: String(forced ?? 'not set') }));
  } else if (edrBlock && forced === 1) {
    realTime = false;
    evidence.push('EDR Block Mode with ForceDefenderPassiveMode=1: Defender is passive (EDR blocks after the fact), no real-time scanning by it');
    causes.push(reason('PROTECTION_DEFENDER_PASSIVE', { product: base.name, mode, forced: '1' }));
  } else if (edrBlock && forced !== null && forced !== 0) {
    realTime = null;
    unknown.push({ field: 'realTime', reason: `EDR Block Mode with ForceDefenderPassiveMode=${forced}: not a known value` });
  } else if (edrBlock) {
    // Not forced passive: Defender is the active antivirus, EDR block mode is added on top.
    evidence.push(`EDR Block Mode, ForceDefenderPassiveMode ${forced === 0 ? '0' : 'not set'}: Defender is active; RealTimeProtectionEnabled decides`);
    realTime = av === false || rtp === false ? false : rtp === true ? true : null;
    if (realTime === null) unknown.push({ field: 'realTime', reason: 'RealTimeProtectionEnabled missing' });
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

  // Antivirus and antispyware definitions are one package (same version, same update): when the
  // Antivirus* fields are missing (older platforms, partial WMI answers) the Antispyware* ones tell.
  let kind = 'Antivirus';
  let updated = dateOf(pick(s, 'AntivirusSignatureLastUpdated'));
  let days = numOf(pick(s, 'AntivirusSignatureAge'));
  let sigVersion = strOf(pick(s, 'AntivirusSignatureVersion'));
  if (!updated && (days === null || days >= 65535)) {
    const spyUpdated = dateOf(pick(s, 'AntispywareSignatureLastUpdated'));
    const spyDays = numOf(pick(s, 'AntispywareSignatureAge'));
    if (spyUpdated || (spyDays !== null && spyDays < 65535)) {
      kind = 'Antispyware';
      updated = spyUpdated;
      days = spyDays;
      sigVersion = strOf(pick(s, 'AntispywareSignatureVersion')) ?? sigVersion;
      evidence.push('AntivirusSignature* missing: definitions dated by AntispywareSignature* (the same package)');
    }
  }
  let age: number | null = null;
  if (updated) age = ageHours(updated, ctx.now);
  else if (days !== null && days >= 0 && days < 65535) {
    age = days * 24;
    evidence.push(`${kind}SignatureAge ${days} days (no update time: age counted in whole days)`);
  }
  if (age === null) unknown.push({ field: 'signatureAgeHours', reason: 'Antivirus/AntispywareSignatureLastUpdated and SignatureAge missing or never updated' });
  if (boolOf(pick(s, 'DefenderSignaturesOutOfDate')) === true) evidence.push('DefenderSignaturesOutOfDate=True');
  return product(
    {
      ...base,
      version: strOf(pick(s, 'AMProductVersion')),
      running,
      realTime,
      signatureVersion: sigVersion,
      signatureDate: updated ? updated.toISOString() : null,
      signatureAgeHours: age,
      evidence,
      unknown,
      causes,
    },
    ctx,
  );
}
