/**
 * A small generated fleet for dashboard and report tests: a registry of information systems
 * and ~24 hosts over the three test units with known protection, IPv6 readiness, products and
 * systems, sent through the real HTTP API (enroll, then one report per host). The spec is
 * plain data so that tests recompute the expected numbers independently of the collector.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { EnrollResponse, Ipv6Readiness, Report } from '@posture/protocol';
import { IPV6_LEVELS } from '@posture/protocol';
import { TEST_UNITS } from './collector.js';
import { sampleReport } from './reports.js';

export interface FleetSystem {
  id: string;
  name: string;
  ownerUnit: string;
  level?: number;
  approval?: { number: string; date: string };
  protectionPlan?: { deployed: boolean };
  tags: string[];
}

/** The registry file: some classified, some not approved or without a deployed plan, two portals. */
export const FLEET_REGISTRY: FleetSystem[] = [
  { id: 'bgtvt-cong-ttdt', name: 'Cổng thông tin điện tử Bộ GTVT', ownerUnit: 'TTCNTT', level: 3, approval: { number: '123/QĐ-BGTVT', date: '2022-03-15' }, protectionPlan: { deployed: true }, tags: ['portal'] },
  { id: 'bgtvt-dvc', name: 'Cổng dịch vụ công trực tuyến', ownerUnit: 'TTCNTT', level: 3, approval: { number: '124/QĐ-BGTVT', date: '2022-03-15' }, protectionPlan: { deployed: false }, tags: ['portal'] },
  { id: 'bgtvt-email', name: 'Hệ thống thư điện tử', ownerUnit: 'TTCNTT', level: 2, approval: { number: '88/QĐ-TTCNTT', date: '2021-11-02' }, protectionPlan: { deployed: true }, tags: [] },
  { id: 'hh-cong-ttdt', name: 'Cổng thông tin Cục Hàng hải', ownerUnit: 'CHHVN', level: 3, approval: { number: '45/QĐ-CHHVN', date: '2022-05-01' }, protectionPlan: { deployed: true }, tags: ['portal'] },
  { id: 'hh-quanly', name: 'Quản lý tàu biển', ownerUnit: 'CHHVN', level: 2, tags: [] },
  { id: 'db-gplx', name: 'Quản lý giấy phép lái xe', ownerUnit: 'TCDBVN', level: 3, approval: { number: '9/QĐ-TCĐBVN', date: '2022-02-01' }, protectionPlan: { deployed: true }, tags: [] },
  // Every level 1-5 appears; no agent declares these three.
  { id: 'db-website', name: 'Trang tin nội bộ', ownerUnit: 'TCDBVN', level: 1, approval: { number: '10/QĐ-TCĐBVN', date: '2022-02-01' }, protectionPlan: { deployed: true }, tags: [] },
  { id: 'hh-vts', name: 'Hệ thống VTS', ownerUnit: 'CHHVN', level: 4, approval: { number: '46/QĐ-CHHVN', date: '2022-05-01' }, protectionPlan: { deployed: true }, tags: [] },
  { id: 'bgtvt-csdl', name: 'Cơ sở dữ liệu ngành', ownerUnit: 'TTCNTT', level: 5, tags: [] },
];

export interface FleetHost {
  unit: string;
  hostname: string;
  role: 'server' | 'workstation';
  protected: boolean;
  readiness: Ipv6Readiness;
  systems: string[];
  /** A second product (Defender for Endpoint) besides ClamAV. */
  mdatp: boolean;
  /** How old the report's collection time is when sent (stale hosts on the dashboards). */
  ageMinutes: number;
}

/** Hosts per unit and how many of them are protected: 6/7 (85,7%), 10/11 (90,9%), 2/6 (33,3%). */
const SHAPE: Record<string, { hosts: number; protected: number; systems: string[] }> = {
  TTCNTT: { hosts: 7, protected: 6, systems: ['bgtvt-cong-ttdt', 'bgtvt-dvc', 'bgtvt-email'] },
  // hh-ais is declared by agents but not in the registry: unclassified.
  CHHVN: { hosts: 11, protected: 10, systems: ['hh-cong-ttdt', 'hh-quanly', 'hh-ais'] },
  TCDBVN: { hosts: 6, protected: 2, systems: ['db-gplx', 'db-camera'] },
};

export function fleetHosts(): FleetHost[] {
  const hosts: FleetHost[] = [];
  for (const [unit, s] of Object.entries(SHAPE)) {
    for (let i = 0; i < s.hosts; i++) {
      const system = s.systems[i % s.systems.length]!;
      hosts.push({
        unit,
        hostname: `${unit.toLowerCase()}-h${i}`,
        role: i % 3 === 2 ? 'workstation' : 'server',
        protected: i < s.protected,
        // Every readiness level appears; the Cục Hàng hải portal is served only by ready hosts.
        readiness: system === 'hh-cong-ttdt' ? 'ready' : IPV6_LEVELS[i % IPV6_LEVELS.length]!,
        systems: i % 4 === 3 ? [] : [system],
        mdatp: i % 3 === 0,
        // Two hosts send a report collected 30 minutes ago: stale for a 15-minute window.
        ageMinutes: (unit === 'TCDBVN' && i === 4) || (unit === 'CHHVN' && i === 9) ? 30 : 0,
      });
    }
  }
  return hosts;
}

export async function writeRegistry(dir: string): Promise<string> {
  const file = join(dir, 'systems.yaml');
  await writeFile(file, stringify({ systems: FLEET_REGISTRY }));
  return file;
}

/** The host's report: sampleReport plus IPv6 facts and an optional second product. */
export function fleetReport(h: FleetHost, agentId: string, at = new Date()): Report {
  const r = sampleReport({ agentId, unit: h.unit, hostname: h.hostname, protected: h.protected, systems: h.systems, role: h.role, collectedAt: at });
  const level = IPV6_LEVELS.indexOf(h.readiness);
  r.probes.ipv6 = {
    ok: true,
    durationMs: 3,
    facts: {
      enabled: level > 0,
      disabledBy: level > 0 ? null : 'net.ipv6.conf.all.disable_ipv6=1',
      addresses: level > 0 ? [{ interface: 'eth0', address: '2001:db8::10', prefixLength: 64, scope: 'global' }] : [],
      defaultRoute: level >= 2,
      dns: { resolvers: ['2001:db8::53'], ipv6ResolverReachable: level >= 2 },
      services: [],
      listeners: level >= 3 ? [{ port: 443, bind: '::', family: 'dual-stack', process: 'nginx' }] : [],
      outbound: level >= 2 ? { target: '[2001:db8::1]:443', reachable: level >= 4, error: null, ms: 4 } : null,
      readiness: h.readiness,
      reasons: level >= 4 ? [] : [`not ${IPV6_LEVELS[level + 1]}`],
      ...(level === 0 ? { reasonCodes: [{ code: 'IPV6_DISABLED', params: { by: 'net.ipv6.conf.all.disable_ipv6=1' } }] } : {}),
      unknown: [],
    },
  };
  // Baseline: every check a level 1-3 system requires passes; a level-5 check is unknown, so it
  // matters only for level-5 systems (the rule compares each check's level with the system's).
  r.probes.baseline = {
    ok: true,
    durationMs: 20,
    facts: {
      checks: [
        { id: 'firewall.inbound_default_deny', title: { vi: 'Tường lửa', en: 'Firewall' }, level: 1, result: 'pass', evidence: 'nft: inet filter input policy drop' },
        { id: 'ssh.root_login', title: { vi: 'SSH root', en: 'SSH root login' }, level: 1, result: 'pass', evidence: 'PermitRootLogin no' },
        { id: 'logging.audit', title: { vi: 'Nhật ký kiểm toán', en: 'Audit logging' }, level: 3, result: 'pass', evidence: 'auditd active' },
        { id: 'protection.central', title: { vi: 'Quản lý tập trung', en: 'Central management' }, level: 5, result: 'unknown', evidence: 'not determinable on the host' },
      ],
    },
  };
  if (h.mdatp && r.probes.protection?.ok) {
    r.probes.protection.facts.products.push({
      id: 'mdatp',
      name: 'Microsoft Defender for Endpoint',
      vendor: 'Microsoft',
      version: '101.24082.0004',
      installed: true,
      running: true,
      realTime: false,
      signatureVersion: '1.417.1.0',
      signatureDate: new Date(at.getTime() - 30 * 3600_000).toISOString(),
      signatureAgeHours: 30,
      antiMalware: true,
      protects: false,
      evidence: ['mdatp health: passive_mode_enabled true'],
      unknown: [],
    });
  }
  return r;
}

export interface SentHost extends FleetHost {
  agentId: string;
}

/** Enroll every host and send its report through the collector's real API. */
export async function sendFleet(url: string, hosts: FleetHost[] = fleetHosts(), at = new Date()): Promise<SentHost[]> {
  const secrets = new Map(TEST_UNITS.map((u) => [u.id, u.enrollmentSecret]));
  const sent: SentHost[] = [];
  for (const h of hosts) {
    const en = await fetch(`${url}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ unit: h.unit, secret: secrets.get(h.unit), hostname: h.hostname, machineId: '' }),
    });
    if (en.status !== 201) throw new Error(`enroll ${h.hostname}: HTTP ${en.status} ${await en.text()}`);
    const { agentId, credential } = (await en.json()) as EnrollResponse;
    const res = await fetch(`${url}/api/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
      body: JSON.stringify(fleetReport(h, agentId, new Date(at.getTime() - h.ageMinutes * 60_000))),
    });
    if (!res.ok) throw new Error(`report of ${h.hostname}: HTTP ${res.status} ${await res.text()}`);
    sent.push({ ...h, agentId });
  }
  return sent;
}
