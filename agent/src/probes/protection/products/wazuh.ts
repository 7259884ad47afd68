/**
 * Wazuh (or OSSEC) agent: file integrity monitoring and log collection, not an anti-malware
 * product by itself (antiMalware=false). Reported so that rules can decide whether it counts.
 * State from `/var/ossec/bin/wazuh-control status` (ossec-control on OSSEC), version from
 * `wazuh-control info` (WAZUH_VERSION="v4.14.5").
 */
import type { ProtectionProduct } from '@posture/protocol';
import type { ProductContext, Unknowns } from '../product.js';
import { describeFailure, product } from '../product.js';

export async function detectWazuh(ctx: ProductContext): Promise<ProtectionProduct | null> {
  const { system, processes } = ctx;
  const wazuh = (await system.stat('/var/ossec/bin/wazuh-control')) !== null;
  const ossec = !wazuh && (await system.stat('/var/ossec/bin/ossec-control')) !== null;
  const agentd = processes.has('wazuh-agentd') || processes.has('ossec-agentd');
  if (!wazuh && !ossec && !agentd) return null;
  const ctl = wazuh ? '/var/ossec/bin/wazuh-control' : '/var/ossec/bin/ossec-control';
  const evidence = [agentd ? 'agent daemon running' : 'no wazuh-agentd/ossec-agentd process'];
  const unknown: Unknowns = [];
  let running: boolean | null = agentd || null;
  let version: string | null = null;
  if (wazuh || ossec) {
    const st = await system.run(ctl, ['status'], { timeoutMs: ctx.commandTimeoutMs });
    if (st.kind === 'ok') {
      const up = [...st.stdout.matchAll(/^(\S+) is running/gm)].map((m) => m[1]);
      const down = [...st.stdout.matchAll(/^(\S+) not running/gm)].map((m) => m[1]);
      if (up.length || down.length) evidence.push(`${ctl} status: running ${up.join(', ') || '-'}; stopped ${down.join(', ') || '-'}`);
      if (up.some((d) => /agentd$/.test(d ?? ''))) running = true;
      else if (down.some((d) => /agentd$/.test(d ?? ''))) running = agentd;
    } else evidence.push(describeFailure(`${ctl} status`, st));
    if (wazuh) {
      const info = await system.run(ctl, ['info'], { timeoutMs: ctx.commandTimeoutMs });
      if (info.kind === 'ok') version = info.stdout.match(/WAZUH_VERSION="?v?([\d.]+)/)?.[1] ?? null;
    }
  }
  if (running === null) running = false;
  if (!version) unknown.push({ field: 'version', reason: wazuh ? 'wazuh-control info printed no WAZUH_VERSION' : 'OSSEC prints no version' });
  evidence.push('Wazuh/OSSEC is file integrity and log monitoring, not anti-malware by itself: rules decide whether it counts');
  return product(
    {
      id: wazuh ? 'wazuh' : 'ossec',
      name: wazuh ? 'Wazuh agent' : 'OSSEC agent',
      vendor: wazuh ? 'Wazuh' : 'OSSEC',
      version,
      installed: true,
      running,
      realTime: null,
      signatureVersion: null,
      signatureDate: null,
      signatureAgeHours: null,
      antiMalware: false,
      evidence,
      unknown: [...unknown, { field: 'realTime', reason: 'not an anti-malware product' }],
    },
    ctx,
  );
}
