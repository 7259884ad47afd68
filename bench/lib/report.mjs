// Realistic agent reports (2-4 KB of JSON, like a Linux server with ClamAV, IPv6 and baseline
// checks) for the benchmarks. Each call gives a fresh report id and collection time.
import { randomUUID } from 'node:crypto';

const check = (id, level, result) => ({
  id,
  title: { vi: `Kiểm tra ${id}`, en: `Check ${id}` },
  level,
  result,
  evidence: `${id}: ${result === 'pass' ? 'configured as required' : 'not configured; see the runbook'}`,
});

export function benchReport(agentId, unit, i, at = new Date()) {
  const hostname = `srv-${unit.toLowerCase()}-${String(i).padStart(5, '0')}`;
  return {
    schemaVersion: 1,
    reportId: randomUUID(),
    agentId,
    collectedAt: at.toISOString(),
    probes: {
      host: {
        ok: true,
        durationMs: 11.2,
        facts: {
          hostname,
          fqdn: `${hostname}.mt.gov.vn`,
          os: { family: 'linux', distro: 'Debian GNU/Linux', release: '12', kernel: '6.1.0-18-amd64', arch: 'x64' },
          uptimeSeconds: 86400 + i,
          machineId: agentId.replace(/[^0-9a-f]/g, '').padEnd(32, '0').slice(0, 32),
          ips: [`10.${i % 250}.${(i >> 8) % 250}.3`, `2001:db8:${i.toString(16)}::3`],
          role: 'server',
          roleSource: 'config',
          agentVersion: '0.1.0',
        },
      },
      membership: { ok: true, durationMs: 0.1, facts: { unit, systems: [`${unit.toLowerCase()}-portal`], role: 'server' } },
      protection: {
        ok: true,
        durationMs: 31.5,
        facts: {
          products: [
            {
              id: 'clamav', name: 'ClamAV', vendor: 'Cisco Talos', version: '1.4.3', installed: true, running: true, realTime: i % 10 !== 0,
              signatureVersion: 'daily 27093', signatureDate: new Date(at.getTime() - 5 * 3600_000).toISOString(), signatureAgeHours: 5,
              antiMalware: true, protects: i % 10 !== 0, evidence: ['process clamd running', '/var/lib/clamav/daily.cld'], unknown: [],
            },
          ],
          protected: i % 10 !== 0,
          reasons: [i % 10 !== 0 ? 'ClamAV: protecting' : 'ClamAV: real-time protection off (clamonacc not running)'],
          maxSignatureAgeHours: 168,
        },
      },
      ipv6: {
        ok: true,
        durationMs: 20.4,
        facts: {
          enabled: true,
          disabledBy: null,
          addresses: [
            { interface: 'eth0', address: `2001:db8:${i.toString(16)}::3`, prefixLength: 64, scope: 'global' },
            { interface: 'eth0', address: 'fe80::5054:ff:fe12:3456', prefixLength: 64, scope: 'link-local' },
          ],
          defaultRoute: true,
          dns: { resolvers: ['2001:db8::53', '10.0.0.53'], ipv6ResolverReachable: true },
          services: [{ name: 'www.mt.gov.vn', a: ['203.0.113.10'], aaaa: ['2001:db8::10'], error: null }],
          listeners: [
            { port: 22, bind: '::', family: 'dual-stack', process: 'sshd' },
            { port: 443, bind: '::', family: 'dual-stack', process: 'nginx' },
            { port: 5432, bind: '127.0.0.1', family: 'ipv4', process: 'postgres' },
          ],
          outbound: { target: '[2001:db8::1]:443', reachable: true, error: null, ms: 12.5 },
          readiness: 'ready',
          reasons: [],
          unknown: [],
        },
      },
      baseline: {
        ok: true,
        durationMs: 45.1,
        facts: {
          checks: [
            check('firewall.active', 1, 'pass'),
            check('time.synchronised', 1, 'pass'),
            check('logging.journald', 2, 'pass'),
            check('updates.pending_security', 1, i % 7 === 0 ? 'fail' : 'pass'),
            check('updates.automatic', 2, 'fail'),
            check('ssh.root_login', 1, 'pass'),
            check('password.min_length', 2, 'unknown'),
            check('disk.encryption', 3, 'fail'),
          ],
        },
      },
    },
    agent: { spoolDepth: 0, dropped: 0, collectMs: 152.3 },
  };
}
