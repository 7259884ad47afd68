/** Valid reports for tests, shaped like a real agent's (see agent/src/collect.ts). */
import { randomUUID } from 'node:crypto';
import type { Report } from '@posture/protocol';

export interface SampleOptions {
  agentId: string;
  unit: string;
  hostname?: string;
  protected?: boolean;
  systems?: string[];
  role?: 'server' | 'workstation';
  collectedAt?: Date;
}

export function sampleReport(o: SampleOptions): Report {
  const at = o.collectedAt ?? new Date();
  const prot = o.protected ?? true;
  const hostname = o.hostname ?? `host-${o.agentId.slice(-6)}`;
  return {
    schemaVersion: 1,
    reportId: randomUUID(),
    agentId: o.agentId,
    collectedAt: at.toISOString(),
    probes: {
      host: {
        ok: true,
        durationMs: 12.5,
        facts: {
          hostname,
          fqdn: `${hostname}.mt.gov.vn`,
          os: { family: 'linux', distro: 'Debian GNU/Linux', release: '12', kernel: '6.1.0-18-amd64', arch: 'x64' },
          uptimeSeconds: 86400,
          machineId: '0123456789abcdef0123456789abcdef',
          ips: ['10.1.2.3', '2001:db8::3'],
          role: o.role ?? 'server',
          roleSource: 'config',
          agentVersion: '0.1.0',
        },
      },
      membership: { ok: true, durationMs: 0.1, facts: { unit: o.unit, systems: o.systems ?? [], role: o.role ?? 'server' } },
      protection: {
        ok: true,
        durationMs: 30,
        facts: {
          products: [
            {
              id: 'clamav',
              name: 'ClamAV',
              vendor: 'Cisco Talos',
              version: '1.4.6',
              installed: true,
              running: prot,
              realTime: prot,
              signatureVersion: 'daily 27093',
              signatureDate: new Date(at.getTime() - 5 * 3600_000).toISOString(),
              signatureAgeHours: 5,
              antiMalware: true,
              protects: prot,
              evidence: ['process clamd running'],
              unknown: [],
            },
          ],
          protected: prot,
          reasons: [prot ? 'ClamAV: protecting' : 'ClamAV: not protecting (not running)'],
          reasonCodes: [{ code: prot ? 'PROTECTION_PRODUCT_PROTECTS' : 'PROTECTION_NOT_RUNNING', params: { product: 'ClamAV' } }],
          maxSignatureAgeHours: 168,
        },
      },
    },
    agent: { spoolDepth: 0, dropped: 0, collectMs: 50 },
  };
}
