/**
 * Windows Security Center (workstations): WMI root/SecurityCenter2 AntiVirusProduct.
 * productState is undocumented; the bits used by public scripts and Microsoft's own samples:
 * 0xF000 state (0x0000 off, 0x1000 on, 0x2000 snoozed, 0x3000 expired), 0x00F0 signatures
 * (0x00 up to date, 0x10 out of date), 0x0F00 owner (0x100 Windows). It gives a flag, not a date.
 */
import { asArray, isObject, numOf, strOf } from '../../common/json.js';
import type { FoundProduct, ProductContext, ProductFacts, Unknowns } from '../product.js';
import { product } from '../product.js';

export const WSC_PIPELINE = 'Get-CimInstance -Namespace root/SecurityCenter2 -ClassName AntiVirusProduct | Select-Object displayName,productState,pathToSignedProductExe,timestamp';

export type WscState = 'off' | 'on' | 'snoozed' | 'expired';

export interface DecodedState {
  state: WscState | null;
  upToDate: boolean | null;
  windowsOwned: boolean;
  hex: string;
}

/** Decode productState; null for values that are not a 24-bit unsigned integer. */
export function decodeProductState(v: number): DecodedState | null {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffff) return null;
  const states: Record<number, WscState> = { 0x0000: 'off', 0x1000: 'on', 0x2000: 'snoozed', 0x3000: 'expired' };
  const sig = v & 0xf0;
  return {
    state: states[v & 0xf000] ?? null,
    upToDate: sig === 0x00 ? true : sig === 0x10 ? false : null,
    windowsOwned: (v & 0xf00) === 0x100,
    hex: `0x${v.toString(16).padStart(6, '0')}`,
  };
}

/** Stable product ids for the names vendors register in Security Center. */
const KNOWN: readonly [RegExp, string, string][] = [
  [/windows defender|microsoft defender/i, 'defender', 'Microsoft'],
  [/kaspersky/i, 'kaspersky', 'Kaspersky'],
  [/eset/i, 'eset', 'ESET'],
  [/bkav/i, 'bkav', 'Bkav'],
  [/\bcmc\b/i, 'cmc', 'CMC Cyber Security'],
  [/viettel/i, 'viettel', 'Viettel Cyber Security'],
  [/trend micro|apex one|officescan/i, 'trendmicro', 'Trend Micro'],
  [/sophos anti-?virus/i, 'sophos-av', 'Sophos'],
  [/sophos.*intercept|intercept x/i, 'sophos-interceptx', 'Sophos'],
  [/sophos/i, 'sophos', 'Sophos'],
  [/crowdstrike|falcon/i, 'falcon', 'CrowdStrike'],
  [/sentinel ?one|sentinel agent/i, 'sentinelone', 'SentinelOne'],
  [/symantec|norton/i, 'symantec', 'Broadcom (Symantec)'],
  [/mcafee|trellix/i, 'mcafee', 'Trellix (McAfee)'],
  [/avast/i, 'avast', 'Avast'],
];

export function productIdOf(displayName: string): { id: string; vendor: string } {
  for (const [re, id, vendor] of KNOWN) if (re.test(displayName)) return { id, vendor };
  const slug =
    displayName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64) || 'unknown-av';
  return { id: /^[a-z0-9]/.test(slug) ? slug : `av-${slug}`.slice(0, 64), vendor: 'unknown' };
}

/**
 * Whether the product's signed exe still exists. Uninstallers sometimes leave the Security Center
 * registration behind ("orphan"): the exe is gone. Only absolute drive paths are checked
 * (Defender registers a `windowsdefender://` URI, others may use %ProgramFiles%).
 */
async function exeMissing(ctx: ProductContext, path: string | null): Promise<boolean> {
  if (!path || !/^[A-Za-z]:\\/.test(path)) return false;
  return (await ctx.system.stat(path)) === null;
}

const slugOf = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

/**
 * One product per AntiVirusProduct instance; malformed instances become unknown entries. Two
 * registrations with different names that map to one id (one vendor, two products) get
 * distinct ids: the second is suffixed with its name, so neither hides the other.
 */
export async function wscProducts(value: unknown, ctx: ProductContext): Promise<FoundProduct[]> {
  const items = asArray(value);
  const idNames = new Map<string, string>();
  const missing = await Promise.all(items.map((raw) => exeMissing(ctx, isObject(raw) ? strOf(raw.pathToSignedProductExe) : null)));
  return items.map((raw, i): FoundProduct => {
    const o = isObject(raw) ? raw : {};
    const displayName = strOf(o.displayName) ?? `Security Center product #${i + 1}`;
    const known = productIdOf(displayName);
    const vendor = known.vendor;
    let id = known.id;
    const holder = idNames.get(id);
    if (holder !== undefined && holder !== displayName) id = `${id}-${slugOf(displayName)}`.slice(0, 64).replace(/-+$/, '');
    if (!idNames.has(id)) idNames.set(id, displayName);
    const stateNum = numOf(o.productState);
    const d = stateNum === null ? null : decodeProductState(stateNum);
    const unknown: Unknowns = [];
    const evidence = [`SecurityCenter2 AntiVirusProduct "${displayName}"`];
    if (strOf(o.pathToSignedProductExe)) evidence.push(`product exe ${String(o.pathToSignedProductExe)}${missing[i] ? ' is missing: an orphan registration left by an uninstaller' : ''}`);
    if (!d) {
      unknown.push({ field: 'productState', reason: `productState ${JSON.stringify(o.productState ?? null).slice(0, 40)} is not a 24-bit state value` });
    } else {
      evidence.push(`productState ${stateNum} (${d.hex}): ${d.state ?? 'unknown state'}, signatures ${d.upToDate === null ? 'unknown' : d.upToDate ? 'up to date' : 'out of date'}${d.windowsOwned ? ', Windows-owned' : ''}`);
      if (!d.state) unknown.push({ field: 'realTime', reason: `state bits ${d.hex} are not a known value` });
      if (d.upToDate === null) unknown.push({ field: 'signatureUpToDate', reason: `signature bits ${d.hex} are not a known value` });
    }
    unknown.push({ field: 'signatureDate', reason: 'Security Center gives an up-to-date flag, not a date' });
    const facts: ProductFacts = {
      id,
      name: displayName.slice(0, 128),
      vendor,
      version: null,
      installed: !missing[i],
      // Security Center shows a product as on only while its service reports in.
      running: missing[i] ? false : d?.state === 'on' || d?.state === 'snoozed' ? true : null,
      realTime: missing[i] ? false : d?.state ? d.state === 'on' : null,
      signatureVersion: null,
      signatureDate: null,
      signatureAgeHours: null,
      signatureUpToDate: d?.upToDate ?? null,
      antiMalware: true,
      evidence,
      unknown,
    };
    if (facts.running === null) unknown.push({ field: 'running', reason: 'Security Center does not say whether a product that is off still runs' });
    return product(facts, ctx);
  });
}
