/**
 * A deterministic virtual fleet: each host's unit, role, OS, products, IPv6 readiness and
 * systems follow from (seed, index) and the configured shares, so tests and benchmarks can
 * recompute every expected ratio from the same inputs.
 */
import type { Ipv6Readiness, ProtectionProduct, Report } from '@posture/protocol';
import { sampleReport } from './sample-report.js';

export interface FleetShares {
  /** Share of hosts with a product that protects (running, real-time, fresh signatures). */
  protected: number;
  /** Share of hosts that report once and then fall silent (they turn stale after the window). */
  stale: number;
  /** Share of servers at IPv6 readiness "ready". */
  ipv6Ready: number;
}

export interface VirtualHost {
  index: number;
  unit: string;
  hostname: string;
  role: 'server' | 'workstation';
  os: 'windows-client' | 'windows-server' | 'linux';
  protected: boolean;
  stale: boolean;
  ipv6: Ipv6Readiness;
  systems: string[];
  machineId: string;
}

/** mulberry32: tiny, fast, good enough for simulation; same seed -> same fleet. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** System ids of a unit: `<unit-lowercase>-sys-<k>`; the registry generator uses the same. */
export const systemIdsOf = (unit: string, perUnit: number) => Array.from({ length: perUnit }, (_, k) => `${unit.toLowerCase()}-sys-${k + 1}`);

export function buildFleet(opts: { hosts: number; units: readonly string[]; shares: FleetShares; seed: number; systemsPerUnit: number }): VirtualHost[] {
  const rnd = prng(opts.seed);
  // Units differ: each gets its own protected share around the fleet share, so some units
  // land below the 90% target and some above, as in the directive's footnotes.
  const unitShare = new Map(opts.units.map((u) => [u, clamp01(opts.shares.protected + (rnd() - 0.5) * 0.3)]));
  const hosts: VirtualHost[] = [];
  for (let i = 0; i < opts.hosts; i++) {
    // Larger units first: a mild skew so unit sizes differ.
    const unit = opts.units[Math.floor(Math.pow(rnd(), 1.3) * opts.units.length)]!;
    const role = rnd() < 0.2 ? 'server' : 'workstation';
    const os = role === 'workstation' ? 'windows-client' : rnd() < 0.6 ? 'linux' : 'windows-server';
    const stale = rnd() < opts.shares.stale;
    const prot = rnd() < unitShare.get(unit)!;
    const r = rnd();
    const ipv6: Ipv6Readiness = role === 'server' ? (r < opts.shares.ipv6Ready ? 'ready' : r < 0.7 ? 'routed' : 'none') : r < 0.3 ? 'address' : 'none';
    const systems = role === 'server' ? [systemIdsOf(unit, opts.systemsPerUnit)[Math.floor(rnd() * opts.systemsPerUnit)]!] : [];
    hosts.push({
      index: i,
      unit,
      hostname: `${unit.toLowerCase()}-${role === 'server' ? 'srv' : 'pc'}-${String(i).padStart(6, '0')}`,
      role,
      os,
      protected: prot,
      stale,
      ipv6,
      systems,
      machineId: (i.toString(16).padStart(8, '0') + opts.seed.toString(16).padStart(8, '0')).repeat(2),
    });
  }
  return hosts;
}

function productOf(h: VirtualHost, now: Date, variant: number): ProtectionProduct {
  const windows = h.os !== 'linux';
  // Unprotected hosts fail for varied, realistic reasons.
  const why = h.protected ? 'ok' : (['stopped', 'old-signatures', 'realtime-off', 'passive'] as const)[variant % 4]!;
  const age = why === 'old-signatures' ? 400 + variant : 3 + (variant % 40);
  const base = windows ? { id: h.os === 'windows-server' ? 'defender' : variant % 3 === 0 ? 'kaspersky' : 'defender', vendor: 'Microsoft' } : { id: variant % 2 ? 'clamav' : 'mdatp', vendor: variant % 2 ? 'Cisco Talos' : 'Microsoft' };
  const name = { defender: 'Microsoft Defender Antivirus', kaspersky: 'Kaspersky Endpoint Security', clamav: 'ClamAV', mdatp: 'Microsoft Defender for Endpoint' }[base.id]!;
  const running = why !== 'stopped';
  const realTime = running && why !== 'realtime-off' && why !== 'passive';
  return {
    id: base.id,
    name,
    vendor: base.id === 'kaspersky' ? 'Kaspersky' : base.vendor,
    version: '4.18.25010.11',
    installed: true,
    running,
    realTime,
    signatureVersion: `1.421.${(variant % 900) + 100}.0`,
    signatureDate: new Date(now.getTime() - age * 3600_000).toISOString(),
    signatureAgeHours: age,
    antiMalware: true,
    protects: h.protected,
    evidence: [windows ? 'Get-MpComputerStatus' : 'process check'],
    unknown: [],
  };
}

/** One report of a virtual host at `now`, valid against the protocol schema (sample-report.ts). */
export function reportOf(h: VirtualHost, agentId: string, now: Date, cycle: number): Report {
  const variant = (h.index * 7 + cycle) % 997;
  const p = productOf(h, now, variant);
  const reasons = [h.protected ? `${p.name}: protecting` : `${p.name}: not protecting (${!p.running ? 'not running' : !p.realTime ? 'real-time protection off' : `signatures ${p.signatureAgeHours} h old (limit 168 h)`})`];
  // The same as catalogue codes, as agents send them: the report renders them in Vietnamese.
  const product = { product: p.name };
  const reasonCodes = [
    h.protected
      ? { code: 'PROTECTION_PRODUCT_PROTECTS', params: product }
      : !p.running
        ? { code: 'PROTECTION_NOT_RUNNING', params: product }
        : !p.realTime
          ? { code: 'PROTECTION_REALTIME_OFF', params: product }
          : { code: 'PROTECTION_SIGNATURES_OLD', params: { ...product, ageHours: p.signatureAgeHours ?? 0, limitHours: 168 } },
  ];
  const distro = { 'windows-client': 'Microsoft Windows 11 Pro', 'windows-server': 'Microsoft Windows Server 2019 Standard', linux: 'Ubuntu' }[h.os];
  const global = h.ipv6 === 'none' ? [] : [{ interface: 'eth0', address: `2001:db8:${(h.index >> 16).toString(16)}:${(h.index & 0xffff).toString(16)}::10`, prefixLength: 64, scope: 'global' as const }];
  const report = sampleReport({
    agentId,
    unit: h.unit,
    hostname: h.hostname,
    role: h.role,
    systems: h.systems,
    collectedAt: now,
    index: h.index,
    host: {
      os: { family: h.os === 'linux' ? 'linux' : 'windows', distro, release: h.os === 'linux' ? '22.04' : '10.0.19045', kernel: h.os === 'linux' ? '5.15.0-91-generic' : '10.0.19045', arch: 'x64' },
      uptimeSeconds: 3600 * (1 + (variant % 500)),
      machineId: h.machineId,
      ips: [`10.${h.index >> 16}.${(h.index >> 8) & 255}.${h.index & 255}`, ...global.map((g) => g.address)],
    },
    protected: h.protected,
    products: [p],
    protectionReasons: reasons,
    protectionReasonCodes: reasonCodes,
    ipv6: {
      readiness: h.ipv6,
      enabled: true,
      disabledBy: null,
      addresses: [{ interface: 'eth0', address: 'fe80::1', prefixLength: 64, scope: 'link-local' }, ...global],
      defaultRoute: h.ipv6 === 'routed' || h.ipv6 === 'ready' || h.ipv6 === 'dual-stack-services',
      dns: { resolvers: ['10.0.0.53'], ipv6ResolverReachable: false },
      services: [],
      listeners: h.role === 'server' ? [{ port: 443, bind: h.ipv6 === 'ready' ? '::' : '0.0.0.0', family: h.ipv6 === 'ready' ? 'dual-stack' : 'ipv4', process: null }] : [],
      outbound: null,
      reasons: h.ipv6 === 'ready' ? [] : ['simulated host'],
    },
    agent: { collectMs: 150 + (variant % 200) },
  });
  return report;
}
