/**
 * Microsoft Defender for Endpoint on Linux: `mdatp health --output json`.
 * Passive mode means another product is the primary AV: then real-time is not this product's.
 */
import type { ProtectionProduct } from '@posture/protocol';
import type { ProductContext } from '../product.js';
import { product } from '../product.js';

export async function detectMdatp(ctx: ProductContext): Promise<ProtectionProduct | null> {
  const { system, processes, maxAgeHours } = ctx;
  const r = await system.run('mdatp', ['health', '--output', 'json'], { timeoutMs: 10_000 });
  if (r.kind === 'not-found' && !processes.has('wdavdaemon')) return null;
  const evidence = ['mdatp health --output json'];
  const unknown: ProtectionProduct['unknown'] = [];
  let h: Record<string, unknown> = {};
  if (r.kind === 'ok' && r.code === 0) {
    try {
      const parsed: unknown = JSON.parse(r.stdout);
      if (parsed && typeof parsed === 'object') h = parsed as Record<string, unknown>;
      else unknown.push({ field: 'health', reason: 'mdatp health output is not a JSON object' });
    } catch {
      unknown.push({ field: 'health', reason: 'mdatp health output is not valid JSON (truncated?)' });
    }
  } else {
    unknown.push({ field: 'health', reason: `mdatp health failed: ${r.kind === 'ok' ? `exit ${r.code} ${r.stderr.slice(0, 200)}` : r.kind}` });
  }
  const bool = (k: string): boolean | null => (typeof h[k] === 'boolean' ? (h[k] as boolean) : null);
  const healthy = bool('healthy');
  const passive = bool('passive_mode_enabled');
  const rtp = bool('real_time_protection_enabled') ?? (typeof h.real_time_protection_enabled === 'object' ? ((h.real_time_protection_enabled as { value?: unknown }).value === true) : null);
  const minutes = typeof h.definitions_updated_minutes_ago === 'number' ? h.definitions_updated_minutes_ago : null;
  if (minutes === null) unknown.push({ field: 'signatureAgeHours', reason: 'definitions_updated_minutes_ago missing' });
  if (passive) evidence.push('passive_mode_enabled=true: another product is primary, real-time not by Defender');
  const realTime = passive === true ? false : rtp;
  if (realTime === null) unknown.push({ field: 'realTime', reason: 'real_time_protection_enabled missing' });
  const defUpdated = typeof h.definitions_updated === 'string' ? new Date(h.definitions_updated) : null;
  return product(
    {
      id: 'mdatp',
      name: 'Microsoft Defender for Endpoint',
      vendor: 'Microsoft',
      version: typeof h.app_version === 'string' ? h.app_version : null,
      installed: true,
      running: healthy ?? (processes.has('wdavdaemon') ? true : null),
      realTime,
      signatureVersion: typeof h.definitions_version === 'string' ? h.definitions_version : null,
      signatureDate: defUpdated && !Number.isNaN(defUpdated.getTime()) ? defUpdated.toISOString() : null,
      signatureAgeHours: minutes === null ? null : Math.round((minutes / 60) * 10) / 10,
      antiMalware: true,
      evidence,
      unknown,
    },
    maxAgeHours,
  );
}
