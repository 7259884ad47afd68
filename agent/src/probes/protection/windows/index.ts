/**
 * Windows: Security Center on workstations, Get-MpComputerStatus for Defender everywhere, and
 * third-party services by name (the only view on Windows Server, which has no Security Center).
 * The three PowerShell queries run in parallel; each failure is a note with its code, not a
 * probe failure. Failures are told apart by error ids and HRESULTs, never by message text
 * (the machines answer in Vietnamese, French, Russian...).
 */
import type { Reason } from '@posture/protocol';
import { reason } from '@posture/protocol';
import { HRESULT, runPowerShellJson, type PsResult } from '../../common/powershell.js';
import type { FoundProduct, ProductContext } from '../product.js';
import { product } from '../product.js';
import { defenderProduct, MP_PIPELINE } from './defender.js';
import { productTypeOf, SERVICES_PIPELINE, serviceProducts } from './services.js';
import { WSC_PIPELINE, wscProducts } from './securitycenter.js';

/** A host-level note: its text, its code, and whether it means the product list is incomplete. */
export interface Note {
  text: string;
  code: Reason;
  /** The list of products could not be read: "no product" would be a guess. */
  enumerationFailed: boolean;
}

/**
 * Add what `extra` saw to `into` (same product seen twice); `into`'s own facts win, except that a
 * stopped service (a hard fact from the service manager) beats a Security Center state that may
 * be stale.
 */
function merge(into: FoundProduct, extra: FoundProduct, ctx: ProductContext): FoundProduct {
  const running = into.running === false || extra.running === false ? false : (into.running ?? extra.running);
  const { protects: _drop, ...facts } = into;
  void _drop;
  return product(
    {
      ...facts,
      running,
      realTime: running === false ? false : facts.realTime,
      evidence: [...into.evidence, ...extra.evidence],
      unknown: into.unknown.filter((u) => !(u.field === 'running' && running !== null)),
      causes: [...(into.causes ?? []), ...(extra.causes ?? [])],
    },
    ctx,
  );
}

/** What a failed query said, for the note: ids first, the OS's words as evidence. */
const failure = (what: string, r: Exclude<PsResult, { kind: 'ok' }>) => (r.kind === 'error' ? `${what} failed (${[r.hresult, r.errorId, r.nativeCode].filter(Boolean).join(', ') || 'no error id'}): ${r.message}` : `${what}: ${r.reason}`);
const errorIdOf = (r: Exclude<PsResult, { kind: 'ok' }>) => (r.kind === 'error' ? (r.hresult ?? r.errorId ?? r.nativeCode ?? 'none') : r.kind);

const isInvalidNamespace = (r: PsResult) => r.kind === 'error' && (r.hresult === HRESULT.INVALID_NAMESPACE || r.nativeCode === 'InvalidNamespace');

export async function collectWindows(ctx: ProductContext): Promise<{ products: FoundProduct[]; notes: Note[] }> {
  const t = ctx.commandTimeoutMs;
  const [wsc, mp, svc] = await Promise.all([
    runPowerShellJson(ctx.system, WSC_PIPELINE, t, 'SecurityCenter2 AntiVirusProduct'),
    runPowerShellJson(ctx.system, MP_PIPELINE, t, 'Get-MpComputerStatus'),
    runPowerShellJson(ctx.system, SERVICES_PIPELINE, t, 'service list'),
  ]);
  const notes: Note[] = [];
  const productType = svc.kind === 'ok' ? productTypeOf(svc.value) : null;
  let products: FoundProduct[] = [];
  if (wsc.kind === 'ok') products = await wscProducts(wsc.value, ctx);
  else if (isInvalidNamespace(wsc) && productType !== null && productType !== 1) {
    notes.push({ text: 'no Security Center (Windows Server): Defender read with Get-MpComputerStatus, other products by service', code: reason('PROTECTION_NO_SECURITY_CENTER'), enumerationFailed: false });
  } else {
    // On a workstation (or when the OS type is unknown) Security Center is the list of products.
    const where = productType === 1 ? 'on a workstation' : 'and the OS type is unknown';
    notes.push({ text: `${failure('Security Center', wsc)} ${where}`, code: reason('PROTECTION_ENUMERATION_FAILED', { source: `SecurityCenter2 (${errorIdOf(wsc)})` }), enumerationFailed: true });
  }

  const defender = defenderProduct(mp, ctx);
  if (defender) {
    const i = products.findIndex((p) => p.id === 'defender');
    // Get-MpComputerStatus is more precise than Security Center (dates, passive mode): it wins.
    // Unless it failed: then Security Center's view is the better base.
    const mpFailed = defender.realTime === null && defender.signatureAgeHours === null;
    if (i >= 0) products[i] = mpFailed ? merge(products[i]!, defender, ctx) : merge(defender, products[i]!, ctx);
    else products.push(defender);
  }
  if (svc.kind === 'ok') {
    for (const s of serviceProducts(svc.value, ctx)) {
      const i = products.findIndex((p) => p.id === s.id);
      if (i >= 0) products[i] = merge(products[i]!, s, ctx);
      else products.push(s);
    }
  } else {
    notes.push({ text: failure('service list', svc), code: reason('PROTECTION_ENUMERATION_FAILED', { source: `service list (${errorIdOf(svc)})` }), enumerationFailed: true });
  }
  return { products, notes };
}
