/**
 * Windows: Security Center on workstations, Get-MpComputerStatus for Defender everywhere, and
 * third-party services by name (the only view on Windows Server, which has no Security Center).
 * The three PowerShell queries run in parallel; each failure is a reason, not a probe failure.
 */
import type { ProtectionProduct } from '@posture/protocol';
import { runPowerShellJson } from '../../common/powershell.js';
import type { ProductContext } from '../product.js';
import { product } from '../product.js';
import { defenderProduct, MP_PIPELINE } from './defender.js';
import { SERVICES_PIPELINE, serviceProducts } from './services.js';
import { WSC_PIPELINE, wscProducts } from './securitycenter.js';

/**
 * Add what `extra` saw to `into` (same product seen twice); `into`'s own facts win, except that a
 * stopped service (a hard fact from the service manager) beats a Security Center state that may
 * be stale.
 */
function merge(into: ProtectionProduct, extra: ProtectionProduct, ctx: ProductContext): ProtectionProduct {
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
    },
    ctx,
  );
}

export async function collectWindows(ctx: ProductContext): Promise<{ products: ProtectionProduct[]; notes: string[] }> {
  const t = ctx.commandTimeoutMs;
  const [wsc, mp, svc] = await Promise.all([
    runPowerShellJson(ctx.system, WSC_PIPELINE, t, 'SecurityCenter2 AntiVirusProduct'),
    runPowerShellJson(ctx.system, MP_PIPELINE, t, 'Get-MpComputerStatus'),
    runPowerShellJson(ctx.system, SERVICES_PIPELINE, t, 'service list'),
  ]);
  const notes: string[] = [];
  let products: ProtectionProduct[] = [];
  if (wsc.kind === 'ok') products = await wscProducts(wsc.value, ctx);
  else if (wsc.kind === 'error' && /invalid namespace|not found/i.test(wsc.message)) notes.push('no Security Center (Windows Server): Defender read with Get-MpComputerStatus, other products by service');
  else notes.push(`Security Center not readable: ${wsc.kind === 'error' ? wsc.message : wsc.reason}`);

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
  } else notes.push(`service list not readable: ${svc.kind === 'error' ? svc.message : svc.reason}`);
  return { products, notes };
}
