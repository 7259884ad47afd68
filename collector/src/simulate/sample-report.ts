/**
 * THE sample-report builder: valid reports shaped like a real agent's (agent/src/collect.ts),
 * for the tests (testing/reports.ts), the benchmarks (bench/, through dist/) and the
 * simulator (fleet.ts). One place, so that baseline check ids, product facts and probe shapes
 * cannot drift apart between them. Every option has a default; a report with no options but
 * agentId and unit has the host, membership and protection probes.
 */
import { randomUUID } from 'node:crypto';
import type { BaselineCheck, HostFacts, Ipv6Facts, Ipv6Readiness, ProtectionProduct, Reason, Report } from '@posture/protocol';

/** Baseline checks as the agent reports them (ids and levels of agent/src/probes/baseline/mapping.yaml). */
export const BASELINE_CHECKS: readonly { id: string; level: number; title: { vi: string; en: string } }[] = [
  { id: 'firewall.inbound_default_deny', level: 1, title: { vi: 'Tường lửa trên máy chủ bật, mặc định chặn kết nối vào', en: 'Host firewall active with default-deny inbound policy' } },
  { id: 'time.synchronized', level: 2, title: { vi: 'Đồng bộ thời gian (NTP) hoạt động', en: 'Clock synchronised (NTP)' } },
  { id: 'logging.system', level: 1, title: { vi: 'Ghi nhật ký hệ thống bật và lưu bền', en: 'System logging on and persistent' } },
  { id: 'updates.security_pending', level: 1, title: { vi: 'Không còn bản vá bảo mật chờ cài', en: 'No pending security updates' } },
  { id: 'updates.automatic', level: 2, title: { vi: 'Cập nhật tự động bật', en: 'Automatic updates enabled' } },
  { id: 'ssh.root_login', level: 1, title: { vi: 'SSH: không cho root đăng nhập bằng mật khẩu', en: 'SSH: no root login with password' } },
  { id: 'password.min_length', level: 1, title: { vi: 'Độ dài mật khẩu tối thiểu được áp dụng', en: 'Password minimum length enforced' } },
  { id: 'logging.audit', level: 3, title: { vi: 'Nhật ký kiểm toán bật', en: 'Audit logging on' } },
];

export type CheckResult = BaselineCheck['result'];

export interface SampleReportOptions {
  agentId: string;
  unit: string;
  hostname?: string | undefined;
  /** Whether the (first) product protects; default true. */
  protected?: boolean | undefined;
  systems?: string[] | undefined;
  role?: 'server' | 'workstation' | undefined;
  collectedAt?: Date | undefined;
  /** Host facts to override (os, machineId, ips, uptimeSeconds...). */
  host?: Partial<HostFacts> | undefined;
  /** The products found (default: one ClamAV that protects or not) and the verdict's reasons. */
  products?: ProtectionProduct[] | undefined;
  protectionReasons?: string[] | undefined;
  /** The verdict's reasons as catalogue codes, as agents send them; default: those of the default ClamAV (none when protectionReasons is given alone). */
  protectionReasonCodes?: Reason[] | undefined;
  /** Adds the IPv6 probe: a readiness (facts that fit it) or facts to override. */
  ipv6?: Ipv6Readiness | (Partial<Ipv6Facts> & { readiness: Ipv6Readiness }) | undefined;
  /**
   * Adds the baseline probe: a result per check id of BASELINE_CHECKS (the others pass), or
   * the checks as listed.
   */
  baseline?: Partial<Record<string, CheckResult>> | BaselineCheck[] | undefined;
  /** Varies addresses and counters from host to host (benches, simulator). */
  index?: number | undefined;
  agent?: Partial<Report['agent']> | undefined;
}

const IPV6_LEVEL: Record<Ipv6Readiness, number> = { none: 0, address: 1, routed: 2, 'dual-stack-services': 3, ready: 4 };

function ipv6Facts(i: number, o: NonNullable<SampleReportOptions['ipv6']>): Ipv6Facts {
  const given = typeof o === 'string' ? { readiness: o } : o;
  const level = IPV6_LEVEL[given.readiness];
  const global = `2001:db8:${i.toString(16)}::3`;
  return {
    enabled: level > 0,
    disabledBy: level > 0 ? null : 'net.ipv6.conf.all.disable_ipv6=1',
    addresses: [...(level > 0 ? [{ interface: 'eth0', address: global, prefixLength: 64, scope: 'global' as const }] : []), { interface: 'eth0', address: 'fe80::5054:ff:fe12:3456', prefixLength: 64, scope: 'link-local' as const }],
    defaultRoute: level >= 2,
    dns: { resolvers: ['2001:db8::53', '10.0.0.53'], ipv6ResolverReachable: level >= 2 },
    services: level >= 3 ? [{ name: 'www.mt.gov.vn', a: ['203.0.113.10'], aaaa: ['2001:db8::10'], error: null }] : [],
    listeners: [
      { port: 22, bind: level >= 3 ? '::' : '0.0.0.0', family: level >= 3 ? 'dual-stack' : 'ipv4', process: 'sshd' },
      { port: 443, bind: level >= 3 ? '::' : '0.0.0.0', family: level >= 3 ? 'dual-stack' : 'ipv4', process: 'nginx' },
    ],
    outbound: level >= 2 ? { target: '[2001:db8::1]:443', reachable: level >= 4, error: null, ms: 12.5 } : null,
    reasons: level >= 4 ? [] : ['services not reachable over IPv6'],
    unknown: [],
    ...given,
  };
}

function baselineChecks(b: NonNullable<SampleReportOptions['baseline']>): BaselineCheck[] {
  if (Array.isArray(b)) return b;
  return BASELINE_CHECKS.map((c) => {
    const result = b[c.id] ?? 'pass';
    return { id: c.id, title: c.title, level: c.level, result, evidence: `${c.id}: ${result === 'pass' ? 'configured as required' : result === 'fail' ? 'not configured; see the runbook' : 'could not be read'}` };
  });
}

export function sampleReport(o: SampleReportOptions): Report {
  const at = o.collectedAt ?? new Date();
  const prot = o.protected ?? true;
  const i = o.index ?? 0;
  const hostname = o.hostname ?? `host-${o.agentId.slice(-6)}`;
  const role = o.role ?? 'server';
  const report: Report = {
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
          uptimeSeconds: 86400 + i,
          machineId: '0123456789abcdef0123456789abcdef',
          ips: o.index === undefined ? ['10.1.2.3', '2001:db8::3'] : [`10.${i % 250}.${(i >> 8) % 250}.3`, `2001:db8:${i.toString(16)}::3`],
          role,
          roleSource: 'config',
          agentVersion: '0.1.0',
          ...o.host,
        },
      },
      membership: { ok: true, durationMs: 0.1, facts: { unit: o.unit, systems: o.systems ?? [], role } },
      protection: {
        ok: true,
        durationMs: 30,
        facts: {
          products: o.products ?? [
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
          reasons: o.protectionReasons ?? [prot ? 'ClamAV: protecting' : 'ClamAV: not protecting (not running)'],
          ...(o.protectionReasonCodes ? { reasonCodes: o.protectionReasonCodes } : o.protectionReasons ? {} : { reasonCodes: [{ code: prot ? 'PROTECTION_PRODUCT_PROTECTS' : 'PROTECTION_NOT_RUNNING', params: { product: 'ClamAV' } }] }),
          maxSignatureAgeHours: 168,
        },
      },
    },
    agent: { spoolDepth: 0, dropped: 0, collectMs: 50, ...o.agent },
  };
  if (o.ipv6 !== undefined) report.probes.ipv6 = { ok: true, durationMs: 20.4, facts: ipv6Facts(i, o.ipv6) };
  if (o.baseline !== undefined) report.probes.baseline = { ok: true, durationMs: 45.1, facts: { checks: baselineChecks(o.baseline) } };
  return report;
}
