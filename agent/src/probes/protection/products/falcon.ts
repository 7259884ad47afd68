/**
 * CrowdStrike Falcon sensor on Linux: the falcon-sensor process and
 * `/opt/CrowdStrike/falconctl -g --rfm-state --rfm-reason --version`.
 * Falcon has no local signature database (machine learning and cloud): the age limit does not
 * apply. Reduced Functionality Mode (rfm-state=true, e.g. an unsupported kernel) means the sensor
 * does not protect. Whether the prevention policy blocks (not only detects) is decided in the
 * Falcon console and cannot be read on the host: the evidence says so.
 */
import type { ProtectionProduct } from '@posture/protocol';
import type { ProductContext, Unknowns } from '../product.js';
import { describeFailure, product } from '../product.js';

const FALCONCTL = '/opt/CrowdStrike/falconctl';

/** Fields of `falconctl -g` output: `rfm-state=false, rfm-reason=None, code=0x0, version = 6.24.12104.0`. */
export function parseFalconctl(text: string): { rfm: boolean | null; reason: string | null; version: string | null } {
  const rfm = text.match(/rfm-state\s*=\s*(true|false)\b/i)?.[1]?.toLowerCase();
  return {
    rfm: rfm === undefined ? null : rfm === 'true',
    reason:
      text
        .match(/rfm-reason\s*=\s*([^,\n]+)/i)?.[1]
        ?.trim()
        .replace(/\.$/, '') ?? null,
    version: text.match(/version\s*=\s*(\d+(?:\.\d+)+(?:-\d+)?)/i)?.[1] ?? null,
  };
}

export async function detectFalcon(ctx: ProductContext): Promise<ProtectionProduct | null> {
  const { system, processes } = ctx;
  const installed = (await system.stat(FALCONCTL)) !== null;
  const running = processes.has('falcon-sensor') || processes.has('falcond');
  if (!installed && !running) return null;
  const evidence = [running ? 'process falcon-sensor running' : 'no falcon-sensor process'];
  const unknown: Unknowns = [];
  let rfm: boolean | null = null;
  let version: string | null = null;
  if (installed) {
    const r = await system.run(FALCONCTL, ['-g', '--rfm-state', '--rfm-reason', '--version'], { timeoutMs: ctx.commandTimeoutMs });
    if (r.kind === 'ok' && r.code === 0) {
      const f = parseFalconctl(r.stdout);
      ({ rfm, version } = f);
      evidence.push(`falconctl -g: rfm-state=${f.rfm ?? '?'}${f.reason ? `, rfm-reason=${f.reason}` : ''}`);
      if (rfm === null) unknown.push({ field: 'realTime', reason: 'falconctl printed no rfm-state' });
    } else unknown.push({ field: 'realTime', reason: describeFailure('falconctl -g --rfm-state', r) });
  } else unknown.push({ field: 'realTime', reason: `${FALCONCTL} not found: cannot read the RFM state` });
  if (rfm) evidence.push('Reduced Functionality Mode: the sensor does not protect');
  evidence.push('no local signatures (cloud/ML); prevention policy is set in the Falcon console, not visible on the host');
  if (!version) unknown.push({ field: 'version', reason: 'falconctl gave no version' });
  return product(
    {
      id: 'falcon',
      name: 'CrowdStrike Falcon',
      vendor: 'CrowdStrike',
      version,
      installed: true,
      running,
      realTime: !running ? false : rfm === null ? null : !rfm,
      signatureVersion: null,
      signatureDate: null,
      signatureAgeHours: null,
      signatureless: true,
      antiMalware: true,
      evidence,
      unknown,
    },
    ctx,
  );
}
