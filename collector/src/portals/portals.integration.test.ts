/**
 * The portal prober against a real test internet (testing/portal-net.ts: NSD, Unbound, nginx,
 * an SMTP listener, in network namespaces of the test's own), run through the real collector:
 * `posture portals probe` and `posture serve` with its own schedule, in the probe namespace,
 * with the test's Unbound as resolver and the test CA as bundle. Needs root (namespaces) and
 * Debian's nsd, unbound and nginx: without them it fails, it is not skipped. Also: a prober
 * with no Internet, and one with IPv4 only, must say "unreachable", never blame the portal.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { POSTURE_BIN, ROOT, TEST_AUTH, TEST_TOKENS, TEST_UNITS, startCollectorProcess, type CollectorProcess } from '../../../testing/collector.js';
import { createPortalNet, type PortalNet, type PortalSpec } from '../../../testing/portal-net.js';
import { sh } from '../../../testing/reliability.js';
import { waitFor } from '../../../testing/ports.js';
import { runCommand, type CommandResult } from '../../../testing/command.js';
import { CRITERIA, type CheckStatus, type Criterion, type PortalLevel, type PortalResult } from './types.js';

const P = 'pass';
const F = 'fail';
type Row = Record<Criterion, CheckStatus> & { level: PortalLevel };
const row = (level: PortalLevel, statuses: CheckStatus[]): Row => ({ level, ...(Object.fromEntries(CRITERIA.map((c, i) => [c, statuses[i]!])) as Record<Criterion, CheckStatus>) });

/** Each portal's state and what the prober must find: ns_aaaa ns_reachable web_aaaa web_reachable web_ports web_same_content tls http_status mail_aaaa mail_reachable. */
const PORTALS: { spec: PortalSpec; expected: Row; what: string }[] = [
  { spec: { name: 'dual' }, what: 'dual-stack and equal', expected: row('ready', [P, P, P, P, P, P, P, P, P, P]) },
  { spec: { name: 'noaaaa', webAaaa: false }, what: 'AAAA missing', expected: row('none', [P, P, F, F, F, F, F, F, P, P]) },
  { spec: { name: 'closed443', v6Https: false }, what: 'AAAA present, 443 closed over IPv6', expected: row('address', [P, P, P, F, F, F, F, F, P, P]) },
  { spec: { name: 'diffpage', v6Page: 'default-site' }, what: 'IPv6 serves another page (default site)', expected: row('reachable', [P, P, P, P, P, F, P, P, P, P]) },
  { spec: { name: 'onens', nsWithoutAaaa: true }, what: 'one name server without AAAA', expected: row('web', [F, F, P, P, P, P, P, P, P, P]) },
  { spec: { name: 'mxnoaaaa', mxAaaa: false }, what: 'MX without AAAA', expected: row('web', [P, P, P, P, P, P, P, P, F, F]) },
  { spec: { name: 'expiredv6', v6CertExpired: true }, what: 'expired certificate over IPv6 only', expected: row('reachable', [P, P, P, P, P, P, F, P, P, P]) },
  { spec: { name: 'dropped6', v6Dropped: true }, what: 'AAAA present, a firewall drops IPv6 silently', expected: row('address', [P, P, P, F, F, F, F, F, P, P]) },
  { spec: { name: 'wrongname6', v6CertWrongName: true }, what: "the hosting provider's certificate over IPv6 (other name)", expected: row('reachable', [P, P, P, P, P, P, F, P, P, P]) },
  { spec: { name: 'status503v6', v6Status: 503 }, what: 'HTTP 503 error page over IPv6', expected: row('address', [P, P, P, P, P, F, P, F, P, P]) },
  { spec: { name: 'mxclosed6', mxV6Closed: true }, what: 'MX has AAAA but port 25 closed over IPv6', expected: row('web', [P, P, P, P, P, P, P, P, P, F]) },
];

/**
 * A collector config and registry for the probe namespace. The collector listens on 127.0.0.1
 * inside that namespace (a new one per run), so a fixed port cannot meet another run's.
 */
function writeCollector(dir: string, net: PortalNet, names: string[], port: number, extra: object[] = []): string {
  const registry = {
    systems: [
      ...names.map((n, i) => ({
        id: `portal-${n}`,
        name: `Cổng thông tin ${n}`,
        ownerUnit: TEST_UNITS[i % TEST_UNITS.length]!.id,
        level: 3,
        tags: ['portal'],
        portal: { urls: [`https://www.${n}.test/`, `https://${n}.test/`] },
      })),
      ...extra,
    ],
  };
  writeFileSync(join(dir, 'systems.yaml'), stringify(registry));
  const configFile = join(dir, 'collector.yaml');
  writeFileSync(
    configFile,
    stringify({
      listen: { host: '127.0.0.1', port },
      dataDir: join(dir, 'data'),
      units: TEST_UNITS,
      auth: TEST_AUTH,
      registryFile: 'systems.yaml',
      evaluationIntervalSeconds: 1,
      // The defaults' bounds (5 s per operation, 30 s per portal): a loaded machine must not turn a
      // slow handshake into a failing criterion.
      portals: { resolvers: net.resolvers, caFile: net.caFile, checkTimeoutMs: 5000, portalTimeoutMs: 30_000, intervalMinutes: 60 },
    }),
  );
  return configFile;
}

/** Run the collector's CLI inside the probe namespace. */
const runInProbe = (net: PortalNet, args: string[], timeoutMs = 120_000): Promise<CommandResult> => runCommand(net.probeExec[0]!, [...net.probeExec.slice(1), process.execPath, POSTURE_BIN, ...args], { timeoutMs });

const statusRow = (r: PortalResult): Row => ({ level: r.level, ...(Object.fromEntries(r.checks.map((c) => [c.criterion, c.status])) as Record<Criterion, CheckStatus>) });

describe('portal prober in a test internet (integration)', () => {
  let dir: string;
  let net: PortalNet;
  let configFile: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posture-portals-'));
    net = await createPortalNet(
      dir,
      PORTALS.map((p) => p.spec),
    );
    // One more: a portal on a host name below its zone, given as its domain (the NS check walks up to the zone).
    configFile = writeCollector(
      dir,
      net,
      PORTALS.map((p) => p.spec.name),
      18080,
      [{ id: 'portal-host-only', name: 'Cổng dịch vụ công', ownerUnit: 'TTCNTT', tags: ['portal'], portal: { urls: ['https://www.dual.test/'], domain: 'www.dual.test', mail: false } }],
    );
  }, 120_000);
  afterAll(async () => {
    await net?.destroy();
  });

  it('finds each portal state: every criterion and level as expected, with evidence', async () => {
    const run = await runInProbe(net, ['-c', configFile, 'portals', 'probe', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const { results } = JSON.parse(run.stdout) as { results: PortalResult[]; ms: number };
    const lines = ['| portal | state | ' + CRITERIA.join(' | ') + ' | level |', '|' + ' --- |'.repeat(CRITERIA.length + 3)];
    const got: Record<string, Row> = {};
    for (const p of PORTALS) {
      const r = results.find((x) => x.systemId === `portal-${p.spec.name}`);
      expect(r, p.spec.name).toBeDefined();
      got[p.spec.name] = statusRow(r!);
      const cell = (k: Criterion | 'level') => (got[p.spec.name]![k] === p.expected[k] ? String(p.expected[k]) : `**${got[p.spec.name]![k]}** (expected ${p.expected[k]})`);
      lines.push(`| ${p.spec.name} | ${p.what} | ${CRITERIA.map(cell).join(' | ')} | ${cell('level')} |`);
    }
    mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
    writeFileSync(join(ROOT, 'artifacts/portal-criteria.md'), lines.join('\n') + '\n');
    console.log(lines.join('\n'));
    for (const p of PORTALS) expect(got[p.spec.name], `${p.spec.name} (${p.what})`).toEqual(p.expected);

    // Evidence: addresses, answers, timings, the similarity score, the certificate.
    const dual = results.find((x) => x.systemId === 'portal-dual')!;
    const ev = (c: Criterion, r = dual) => r.checks.find((k) => k.criterion === c)!.evidence;
    expect(JSON.stringify(ev('web_aaaa'))).toContain(net.addresses.get('dual')!.web6);
    const ns = ev('ns_reachable')['nameServers'] as { name: string; answers: { ok: boolean; ms: number }[] }[];
    expect(ns.map((s) => s.name)).toEqual(['ns1.nic.test', 'ns2.nic.test']);
    expect(ns.every((s) => s.answers.length > 0 && s.answers.every((a) => a.ok && a.ms >= 0))).toBe(true);
    const pages = ev('web_same_content')['pages'] as { similarity: number }[];
    expect(pages.every((p) => p.similarity === 1)).toBe(true); // identical once the per-request nonce and CSRF token are stripped
    const diff = results.find((x) => x.systemId === 'portal-diffpage')!;
    expect((ev('web_same_content', diff)['pages'] as { similarity: number }[])[0]!.similarity).toBeLessThan(0.5);
    const expired = results.find((x) => x.systemId === 'portal-expiredv6')!;
    expect(expired.checks.find((k) => k.criterion === 'tls')!.reasons[0]!.code).toBe('PORTAL_TLS_EXPIRED');
    expect(JSON.stringify(ev('mail_reachable'))).toContain('"code":220');
    const code = (id: string, c: Criterion) =>
      results
        .find((x) => x.systemId === `portal-${id}`)!
        .checks.find((k) => k.criterion === c)!
        .reasons.map((x) => [x.code, x.params?.error ?? x.params?.status]);
    expect(code('wrongname6', 'tls')).toContainEqual(['PORTAL_TLS_INVALID', 'ERR_TLS_CERT_ALTNAME_INVALID']);
    expect(code('status503v6', 'http_status')).toContainEqual(['PORTAL_HTTP_STATUS', 503]);
    expect(code('mxclosed6', 'mail_reachable')).toEqual([['PORTAL_MX_UNREACHABLE', 'ECONNREFUSED']]);
    const hostOnly = results.find((x) => x.systemId === 'portal-host-only')!;
    expect(statusRow(hostOnly)).toEqual({ ...PORTALS[0]!.expected, mail_aaaa: 'n/a', mail_reachable: 'n/a' });
    expect(ev('ns_aaaa', hostOnly)).toMatchObject({ domain: 'www.dual.test', zone: 'dual.test' });
    const dropped = results.find((x) => x.systemId === 'portal-dropped6')!;
    expect(dropped.checks.find((k) => k.criterion === 'web_reachable')!.reasons.map((x) => x.params?.error)).toContain('ETIMEDOUT');
    const onens = results.find((x) => x.systemId === 'portal-onens')!;
    expect(onens.blocking.map((b) => b.code)).toContain('PORTAL_NS_FEW_AAAA');
  }, 180_000);

  it('runs on the collector schedule; the ipv6_portals rule counts the outside view; the API and report show the criteria', async () => {
    const f = { dir, configFile, port: 18080, url: 'http://127.0.0.1:18080' };
    const curl = (path: string) => sh('ip', ['netns', 'exec', net.probe, 'curl', '-sf', '-H', `Authorization: Bearer ${TEST_TOKENS.viewer}`, `${f.url}${path}`]);
    let proc: CollectorProcess | undefined;
    const before = Date.now();
    try {
      proc = await startCollectorProcess(f, {
        prefix: net.probeExec,
        healthy: () => {
          try {
            sh('ip', ['netns', 'exec', net.probe, 'curl', '-sf', `${f.url}/healthz`]);
            return Promise.resolve(true);
          } catch {
            return Promise.resolve(false);
          }
        },
      });
      // The schedule's first run starts at once; wait for results newer than the collector's start.
      await waitFor(
        'a scheduled portal probe',
        () => {
          const list = JSON.parse(curl('/api/v1/portals')) as { portals: { probedAt: string | null; systemId: string }[] };
          return Promise.resolve(list.portals.length === PORTALS.length + 1 && list.portals.every((p) => p.probedAt !== null && Date.parse(p.probedAt) >= before));
        },
        60_000,
        500,
      );
      const list = JSON.parse(curl('/api/v1/portals')) as { portals: { systemId: string; level: string; ready: boolean; blocking: { code: string; vi: string }[] }[] };
      expect(list.portals.find((p) => p.systemId === 'portal-dual')!.ready).toBe(true);
      expect(list.portals.find((p) => p.systemId === 'portal-mxnoaaaa')!.blocking[0]!.vi).toMatch(/Máy chủ thư mail\.mxnoaaaa\.test không có bản ghi AAAA/);
      const one = JSON.parse(curl('/api/v1/portals/portal-dual')) as { history: { probedAt: string }[]; latest: { checks: { evidence: unknown }[] } };
      expect(Date.parse(one.history[0]!.probedAt)).toBeGreaterThanOrEqual(before); // newest first: the scheduled run
      expect(one.latest.checks).toHaveLength(10);
      // Evaluation every second: the rule reads system.portal.ready.
      await waitFor(
        'ipv6_portals evaluated with the portal results',
        () => {
          const rep = JSON.parse(curl('/api/v1/report?directive=2224-QD-BGTVT&format=json')) as { indicators: { id: string; ministry: { pass: number; total: number } }[] };
          const ind = rep.indicators.find((i) => i.id === 'ipv6_portals');
          return Promise.resolve(ind?.ministry.total === PORTALS.length + 1 && ind.ministry.pass === 2);
        },
        30_000,
        500,
      );
      // The report lists each portal's criteria, in Vietnamese by default and in English.
      const md = curl('/api/v1/report?directive=2224-QD-BGTVT&format=markdown');
      expect(md).toContain('## Cổng thông tin: tiêu chí IPv6 đo từ bên ngoài');
      expect(md).toMatch(new RegExp(`\\| Cổng thông tin dual \\(portal-dual\\) \\| [^|]+ \\| sẵn sàng IPv6 (\\| Đạt ){10}\\|`));
      expect(md).toMatch(/\| Cổng thông tin expiredv6 \(portal-expiredv6\) \| [^|]+ \| truy cập được qua IPv6 \| Đạt \| Đạt \| Đạt \| Đạt \| Đạt \| Đạt \| Không đạt \|/);
      expect(md).toMatch(/- Cổng thông tin expiredv6 \(portal-expiredv6\): (www\.)?expiredv6\.test \[2001:db8:1:7::80\]: chứng thư số qua IPv6 đã hết hạn ngày/);
      const html = curl('/report?directive=2224-QD-BGTVT&lang=vi');
      expect(html).toContain('<section id="portal-criteria"><h2>Cổng thông tin: tiêu chí IPv6 đo từ bên ngoài</h2>');
      expect(html).toMatch(/<tr><td>Cổng thông tin mxnoaaaa \(portal-mxnoaaaa\)<\/td><td>[^<]+<\/td><td>web sẵn sàng IPv6<\/td>(<td>Đạt<\/td>){8}<td>Không đạt<\/td><td>Không đạt<\/td>/);
      const en = curl('/api/v1/report?directive=2224-QD-BGTVT&format=markdown&lang=en');
      expect(en).toContain('| Portal | Unit | Level | Name servers with AAAA |');
      expect(en).toMatch(/- Cổng thông tin onens \(portal-onens\): 1\/2 name servers have an AAAA record; at least 2 needed/);
    } finally {
      await proc?.stop();
    }
  }, 180_000);
});

describe('portal prober with no Internet (integration)', () => {
  let dir: string;
  let net: PortalNet;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posture-portals-offline-'));
    net = await createPortalNet(dir, [{ name: 'dual' }], { routes: 'none' });
  }, 120_000);
  afterAll(async () => {
    await net?.destroy();
  });

  it('says "unreachable" for every criterion, level unknown, within the time bound', async () => {
    const configFile = writeCollector(dir, net, ['dual'], 18081);
    const t0 = Date.now();
    const run = await runInProbe(net, ['-c', configFile, 'portals', 'probe', '--json']);
    const took = Date.now() - t0;
    expect(run.code, run.stderr).toBe(0);
    const { results } = JSON.parse(run.stdout) as { results: PortalResult[] };
    expect(results).toHaveLength(1);
    expect(results[0]!.level).toBe('unknown');
    expect(results[0]!.ready).toBe(false);
    expect(results[0]!.checks.map((c) => c.status)).toEqual(CRITERIA.map(() => 'unreachable'));
    expect(results[0]!.blocking[0]!.code).toBe('PORTAL_UNREACHABLE');
    // Bounded: the resolver lookup gives up after checkTimeoutMs (5 s) plus margin, not hangs.
    expect(took).toBeLessThan(30_000);
  }, 60_000);
});

describe('portal prober on a machine without IPv6 (integration)', () => {
  let dir: string;
  let net: PortalNet;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posture-portals-v4only-'));
    net = await createPortalNet(dir, [{ name: 'dual' }], { routes: 'ipv4-only' });
  }, 120_000);
  afterAll(async () => {
    await net?.destroy();
  });

  it('does not blame a dual-stack portal: every criterion "unreachable", the reason names the missing IPv6 route', async () => {
    // The resolver is reached over IPv4 only, so DNS works; IPv6 does not.
    const configFile = join(dir, 'collector.yaml');
    writeCollector(dir, net, ['dual'], 18082);
    const cfg = parse(readFileSync(configFile, 'utf8')) as { portals: { resolvers: string[]; routeProbe6?: string } };
    cfg.portals.resolvers = net.resolvers.filter((r) => !r.includes(':'));
    cfg.portals.routeProbe6 = net.addresses.get('dual')!.web6;
    writeFileSync(configFile, stringify(cfg));
    const run = await runInProbe(net, ['-c', configFile, 'portals', 'probe', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const [r] = (JSON.parse(run.stdout) as { results: PortalResult[] }).results;
    expect(r!.level).toBe('unknown');
    expect(r!.checks.map((c) => c.status)).toEqual(CRITERIA.map(() => 'unreachable'));
    expect(r!.blocking).toEqual([{ code: 'PORTAL_UNREACHABLE', params: { detail: expect.stringMatching(/^no IPv6 route from the prober \(ENETUNREACH towards 2001:db8:1:1::80\)/) } }]);
  }, 60_000);
});

describe('portal prober time bound per portal (integration)', () => {
  let dir: string;
  let net: PortalNet;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posture-portals-bound-'));
    net = await createPortalNet(dir, [{ name: 'dropped6', v6Dropped: true }]);
  }, 120_000);
  afterAll(async () => {
    await net?.destroy();
  });

  it('cuts a portal at portalTimeoutMs: the web checks still waiting are "unreachable" (time limit), the rest is kept', async () => {
    const configFile = join(dir, 'collector.yaml');
    writeCollector(dir, net, ['dropped6'], 18083);
    const cfg = parse(readFileSync(configFile, 'utf8')) as { portals: Record<string, unknown> };
    Object.assign(cfg.portals, { checkTimeoutMs: 8000, portalTimeoutMs: 1500 });
    writeFileSync(configFile, stringify(cfg));
    const t0 = Date.now();
    const run = await runInProbe(net, ['-c', configFile, 'portals', 'probe', '--json']);
    // Nothing keeps running behind the result: without cancelling, the dropped connects, fetches
    // and handshakes (8 s each, some in sequence) would keep the CLI alive for half a minute.
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(run.code, run.stderr).toBe(0);
    const [r] = (JSON.parse(run.stdout) as { results: PortalResult[] }).results;
    expect(r!.ms).toBeLessThan(4000); // 1.5 s bound plus the resolver's SOA check, on a loaded machine
    const by = Object.fromEntries(r!.checks.map((c) => [c.criterion, c]));
    for (const c of ['web_aaaa', 'web_reachable', 'web_ports', 'web_same_content', 'http_status', 'tls'] as const) {
      expect(by[c]!.status, c).toBe('unreachable');
      expect(by[c]!.reasons[0]!.code, c).toBe('PORTAL_TIMEOUT');
    }
    expect([by.ns_aaaa!.status, by.mail_reachable!.status]).toEqual(['pass', 'pass']);
    expect(r!.level).toBe('unknown');
  }, 60_000);
});
