/**
 * A small test internet for the portal prober, in two network namespaces of its own:
 *
 *   "inet" namespace: every public server, each on its own documentation address (on the
 *     namespace's loopback interface: no dummy module needed): NSD (authoritative for the test zones, on ns1/ns2 with IPv4+IPv6 and ns3 with
 *     IPv4 only), Unbound (the recursive resolver the collector is configured with, stub zones
 *     pointing at NSD), nginx (every portal's web site, HTTP and HTTPS) and an SMTP listener
 *     (the smtp-server library, testing/portal-net/smtp-listener.mjs) on each portal's MX.
 *   "probe" namespace: where the collector runs, joined to inet by a veth pair, default routes
 *     for both families through it (or IPv4 only: a prober without IPv6; or none: a machine
 *     with no Internet).
 *
 * Only documentation prefixes are used: 2001:db8::/32, 192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24. Names carry a random suffix, so parallel runs never meet. Each portal's zone
 * is `<name>.test` with `www.<name>.test` and `mail.<name>.test`; the state of a portal (what is
 * broken) is set per portal by PortalSpec.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from './reliability.js';
import { ROOT } from './collector.js';
import { issue, makeCa, type TestCa } from './tls.js';
import { waitFor } from './ports.js';
import { NIC_ZONE, NS1, NS2, NS3, RESOLVER, addressesOf, nginxConf, nginxServers, nsdConf, unboundConf, zoneFile, type PortalAddresses, type PortalSpec } from './portal-net/configs.js';

export type { PortalAddresses, PortalSpec } from './portal-net/configs.js';

export interface PortalNet {
  inet: string;
  probe: string;
  /** The recursive resolver's addresses (IPv6 first), for the collector's portals.resolvers. */
  resolvers: string[];
  /** The test CA's certificate, for portals.caFile. */
  caFile: string;
  /** Name server addresses: ns1 and ns2 dual-stack, ns3 IPv4 only. */
  nameServers: { ns1: [string, string]; ns2: [string, string]; ns3: string };
  addresses: Map<string, PortalAddresses>;
  /** Command prefix that runs a program in the probe namespace. */
  probeExec: string[];
  destroy(): Promise<void>;
}

/** routes: both families (default), 'ipv4-only' (a prober without IPv6), or none (no Internet). */
export async function createPortalNet(dir: string, portals: PortalSpec[], opts: { routes?: 'both' | 'ipv4-only' | 'none' } = {}): Promise<PortalNet> {
  const id = randomBytes(3).toString('hex');
  const inet = `posture-inet-${id}`;
  const probe = `posture-probe-${id}`;
  const children: ChildProcess[] = [];
  const made: string[] = [];
  const destroy = async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGTERM');
        await new Promise<void>((r) => {
          const t = setTimeout(() => {
            c.kill('SIGKILL');
            r();
          }, 3000);
          c.once('exit', () => {
            clearTimeout(t);
            r();
          });
        });
      }
    }
    for (const ns of made) {
      try {
        sh('ip', ['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
  };
  const inInet = (argv: string[]) => sh('ip', ['netns', 'exec', inet, ...argv]);
  const start = (name: string, argv: string[]) => {
    const c = spawn('ip', ['netns', 'exec', inet, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    c.stdout.on('data', () => undefined);
    c.on('exit', (code, sig) => {
      if (code !== 0 && sig !== 'SIGTERM') process.stderr.write(`portal-net: ${name} exited (${code ?? sig}): ${err}\n`);
    });
    children.push(c);
    return c;
  };
  try {
    for (const ns of [inet, probe]) {
      sh('ip', ['netns', 'add', ns]);
      made.push(ns);
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    const vi = `pn-i-${id}`;
    const vp = `pn-p-${id}`;
    sh('ip', ['-n', inet, 'link', 'add', vi, 'type', 'veth', 'peer', 'name', vp, 'netns', probe]);
    sh('ip', ['-n', inet, 'addr', 'add', '2001:db8:ff::1/64', 'dev', vi, 'nodad']);
    sh('ip', ['-n', inet, 'addr', 'add', '192.0.2.253/30', 'dev', vi]);
    sh('ip', ['-n', probe, 'addr', 'add', '2001:db8:ff::2/64', 'dev', vp, 'nodad']);
    sh('ip', ['-n', probe, 'addr', 'add', '192.0.2.254/30', 'dev', vp]);
    sh('ip', ['-n', inet, 'link', 'set', vi, 'up']);
    sh('ip', ['-n', probe, 'link', 'set', vp, 'up']);
    const routes = opts.routes ?? 'both';
    if (routes === 'both') sh('ip', ['-n', probe, '-6', 'route', 'add', 'default', 'via', '2001:db8:ff::1', 'dev', vp]);
    if (routes !== 'none') sh('ip', ['-n', probe, 'route', 'add', 'default', 'via', '192.0.2.253', 'dev', vp]);
    const addrs = new Map<string, PortalAddresses>();
    portals.forEach((p, i) => addrs.set(p.name, addressesOf(i)));
    // One `ip -batch` for every service address (hundreds for the bench's 100 portals).
    const batch = [...NS1, ...NS2, NS3, ...RESOLVER, ...[...addrs.values()].flatMap((a) => [a.web4, a.web6, a.mail4, a.mail6])].map((x) => (x.includes(':') ? `addr add ${x}/128 dev lo nodad` : `addr add ${x}/32 dev lo`));
    writeFileSync(join(dir, 'addrs.batch'), batch.join('\n') + '\n');
    sh('ip', ['-n', inet, '-batch', join(dir, 'addrs.batch')]);

    // Firewall: silent drops (no reset, no ICMP) to the IPv6 web address of portals that ask.
    const dropped = portals.filter((p) => p.v6Dropped).map((p) => addrs.get(p.name)!.web6);
    if (dropped.length) {
      inInet(['nft', 'add', 'table', 'inet', 'portal_fw']);
      inInet(['nft', 'add', 'chain', 'inet', 'portal_fw', 'in', '{ type filter hook input priority 0; }']);
      for (const a of dropped) inInet(['nft', 'add', 'rule', 'inet', 'portal_fw', 'in', 'ip6', 'daddr', a, 'drop']);
    }

    // Certificates: one per portal for its two names; an expired one where asked.
    const ca: TestCa = await makeCa(dir, 'portal-ca');
    const certs = new Map<string, { certFile: string; keyFile: string }>();
    const v6certs = new Map<string, { certFile: string; keyFile: string }>();
    for (const p of portals) {
      certs.set(p.name, await issue(dir, ca, `web-${p.name}`, 'server', `DNS:${p.name}.test,DNS:www.${p.name}.test`));
      if (p.v6CertExpired) v6certs.set(p.name, await issue(dir, ca, `web-${p.name}-expired`, 'server', `DNS:${p.name}.test,DNS:www.${p.name}.test`, -1));
      if (p.v6CertWrongName) v6certs.set(p.name, await issue(dir, ca, `web-${p.name}-othername`, 'server', 'DNS:hosting-provider.test,DNS:www.hosting-provider.test'));
    }

    // NSD: authoritative for nic.test and every portal zone, on the three name server addresses.
    const nsdDir = join(dir, 'nsd');
    mkdirSync(nsdDir, { recursive: true });
    writeFileSync(join(nsdDir, 'nic.test.zone'), NIC_ZONE);
    const zones = ['nic', ...portals.map((p) => p.name)];
    for (const p of portals) writeFileSync(join(nsdDir, `${p.name}.test.zone`), zoneFile(p, addrs.get(p.name)!));
    writeFileSync(join(nsdDir, 'nsd.conf'), nsdConf(nsdDir, zones));
    start('nsd', ['nsd', '-d', '-c', join(nsdDir, 'nsd.conf')]);

    // Unbound: the resolver the collector asks; each test zone is a stub zone served by NSD.
    const ubDir = join(dir, 'unbound');
    mkdirSync(ubDir, { recursive: true });
    writeFileSync(join(ubDir, 'unbound.conf'), unboundConf(ubDir, zones));
    start('unbound', ['unbound', '-d', '-c', join(ubDir, 'unbound.conf')]);

    // nginx: every portal's web site.
    const ngDir = join(dir, 'nginx');
    mkdirSync(join(ngDir, 'tmp'), { recursive: true });
    const servers = portals.map((p) => nginxServers(p, addrs.get(p.name)!, certs.get(p.name)!, v6certs.get(p.name))).join('\n');
    writeFileSync(join(ngDir, 'nginx.conf'), nginxConf(ngDir, servers));
    start('nginx', ['nginx', '-p', ngDir, '-c', join(ngDir, 'nginx.conf'), '-g', 'daemon off;']);

    // SMTP on every portal's MX addresses (both families; DNS decides what is published).
    const smtp = start('smtp', [
      'node',
      join(ROOT, 'testing/portal-net/smtp-listener.mjs'),
      ...portals.flatMap((p) => [`mail.${p.name}.test=${addrs.get(p.name)!.mail4}`, ...(p.mxV6Closed ? [] : [`mail.${p.name}.test=${addrs.get(p.name)!.mail6}`])]),
    ]);
    let smtpReady = false;
    smtp.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) smtpReady = true;
    });

    const listening = () => inInet(['ss', '-Hlntu']);
    await waitFor(
      'the test internet (nsd, unbound, nginx, smtp)',
      () => {
        const ss = listening();
        const first = addrs.values().next().value;
        return Promise.resolve(smtpReady && ss.includes(`${NS3}:53`) && ss.includes(`[${RESOLVER[0]}]:53`) && (!first || ss.includes(`${first.web4}:443`)) && children.every((c) => c.exitCode === null));
      },
      30_000,
      200,
    );
    return {
      inet,
      probe,
      resolvers: [...RESOLVER],
      caFile: ca.certFile,
      nameServers: { ns1: NS1, ns2: NS2, ns3: NS3 },
      addresses: addrs,
      probeExec: ['ip', 'netns', 'exec', probe],
      destroy,
    };
  } catch (e) {
    const logs = ['nsd/nsd.log', 'unbound/unbound.log', 'nginx/error.log'].map((f) => {
      try {
        return `${f}: ${readFileSync(join(dir, f), 'utf8').slice(-2000)}`;
      } catch {
        return '';
      }
    });
    await destroy();
    throw new Error(`${(e as Error).message}\n${logs.filter(Boolean).join('\n')}`, { cause: e });
  }
}
