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

export interface PortalSpec {
  /** The zone label: the portal is https://www.<name>.test and https://<name>.test. */
  name: string;
  /** Publish AAAA records for the web names (default true). */
  webAaaa?: boolean;
  /** nginx listens on 443 over IPv6 (default true). */
  v6Https?: boolean;
  /** What IPv6 visitors get: the portal's page, or the web server's default site (a wrong vhost). */
  v6Page?: 'same' | 'default-site';
  /** The second name server has no AAAA record (default false). */
  nsWithoutAaaa?: boolean;
  /** The MX host has an AAAA record (default true). */
  mxAaaa?: boolean;
  /** The certificate served over IPv6 expired yesterday; IPv4 keeps a valid one (default false). */
  v6CertExpired?: boolean;
  /** A firewall silently drops every packet to the web's IPv6 address (AAAA published; default false). */
  v6Dropped?: boolean;
  /** Over IPv6 the certificate is for another name (valid chain and dates; default false). */
  v6CertWrongName?: boolean;
  /** Over IPv6 the site answers with this HTTP status and an error page (default: 200, the portal's page). */
  v6Status?: number;
  /** Nothing listens on port 25 of the MX's IPv6 address (its AAAA is published; default false). */
  mxV6Closed?: boolean;
}

export interface PortalAddresses {
  web4: string;
  web6: string;
  mail4: string;
  mail6: string;
}

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

const NS1: [string, string] = ['2001:db8:53::1', '192.0.2.1'];
const NS2: [string, string] = ['2001:db8:53::2', '192.0.2.2'];
const NS3 = '192.0.2.3';
const RESOLVER: [string, string] = ['2001:db8:53::53', '192.0.2.53'];

/** Portal i's addresses (i from 0; up to 230 portals). */
function addressesOf(i: number): PortalAddresses {
  const h = (i + 1).toString(16);
  return { web4: `198.51.100.${10 + i}`, web6: `2001:db8:1:${h}::80`, mail4: `203.0.113.${10 + i}`, mail6: `2001:db8:2:${h}::25` };
}

function zoneFile(p: PortalSpec, a: PortalAddresses): string {
  const z = `${p.name}.test.`;
  const lines = [
    `$ORIGIN ${z}`,
    '$TTL 60',
    `@ IN SOA ns1.nic.test. hostmaster.nic.test. 1 3600 600 86400 60`,
    '@ IN NS ns1.nic.test.',
    `@ IN NS ${p.nsWithoutAaaa ? 'ns3' : 'ns2'}.nic.test.`,
    '@ IN MX 10 mail',
    `@ IN A ${a.web4}`,
    `www IN A ${a.web4}`,
    `mail IN A ${a.mail4}`,
  ];
  if (p.webAaaa !== false) lines.push(`@ IN AAAA ${a.web6}`, `www IN AAAA ${a.web6}`);
  if (p.mxAaaa !== false) lines.push(`mail IN AAAA ${a.mail6}`);
  return lines.join('\n') + '\n';
}

const NIC_ZONE = [
  '$ORIGIN nic.test.',
  '$TTL 60',
  '@ IN SOA ns1 hostmaster 1 3600 600 86400 60',
  '@ IN NS ns1',
  '@ IN NS ns2',
  `ns1 IN A ${NS1[1]}`,
  `ns1 IN AAAA ${NS1[0]}`,
  `ns2 IN A ${NS2[1]}`,
  `ns2 IN AAAA ${NS2[0]}`,
  `ns3 IN A ${NS3}`,
].join('\n') + '\n';

/** The page of a portal; the nonce and CSRF token change on every request ($request_id). */
const page = (name: string) =>
  `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="csrf-token" content="$request_id"><title>Cổng thông tin ${name}</title><script nonce="$request_id">window.t=1</script></head>` +
  `<body><h1>Cổng thông tin điện tử ${name}</h1><p>Tin tức, văn bản, thủ tục hành chính và dịch vụ công trực tuyến của đơn vị.</p>` +
  `<form method="post"><input type="hidden" name="csrf_token" value="$request_id"><input name="q"><button>Tìm kiếm</button></form></body></html>`;
const DEFAULT_SITE = '<!doctype html><html><head><title>Welcome to nginx!</title></head><body><h1>Welcome to nginx!</h1><p>If you see this page, the nginx web server is successfully installed and working. Further configuration is required.</p></body></html>';

const ERROR_PAGE = (status: number) => `<!doctype html><html><head><title>${status} Service Temporarily Unavailable</title></head><body><h1>${status}</h1><p>Máy chủ đang bảo trì.</p></body></html>`;

const nginxString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function nginxServers(p: PortalSpec, a: PortalAddresses, cert: { certFile: string; keyFile: string }, v6cert: { certFile: string; keyFile: string } | undefined): string {
  const names = `${p.name}.test www.${p.name}.test`;
  const body = (content: string, status = 200) => `default_type text/html; location / { return ${status} ${nginxString(content)}; }`;
  const tls = (c: { certFile: string; keyFile: string }) => `ssl_certificate ${c.certFile}; ssl_certificate_key ${c.keyFile};`;
  const v6Same = (p.v6Page ?? 'same') === 'same';
  const out: string[] = [];
  // IPv4: always the portal's page, valid certificate.
  out.push(`server { listen ${a.web4}:80; listen ${a.web4}:443 ssl; server_name ${names}; ${tls(cert)} ${body(page(p.name))} }`);
  const v6Content = p.v6Status ? ERROR_PAGE(p.v6Status) : v6Same ? page(p.name) : DEFAULT_SITE;
  const v6Listens = [`listen [${a.web6}]:80;`];
  if (p.v6Https !== false) v6Listens.push(`listen [${a.web6}]:443 ssl;`);
  out.push(`server { ${v6Listens.join(' ')} server_name ${names}; ${tls(v6cert ?? cert)} ${body(v6Content, p.v6Status ?? 200)} }`);
  return out.join('\n');
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
    const batch = [...NS1, ...NS2, NS3, ...RESOLVER, ...[...addrs.values()].flatMap((a) => [a.web4, a.web6, a.mail4, a.mail6])].map((x) =>
      x.includes(':') ? `addr add ${x}/128 dev lo nodad` : `addr add ${x}/32 dev lo`,
    );
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
    writeFileSync(
      join(nsdDir, 'nsd.conf'),
      [
        'server:',
        ...[...NS1, ...NS2, NS3].map((a) => `  ip-address: ${a}`),
        '  port: 53',
        `  zonesdir: "${nsdDir}"`,
        `  pidfile: "${join(nsdDir, 'nsd.pid')}"`,
        `  xfrdfile: "${join(nsdDir, 'xfrd.state')}"`,
        `  zonelistfile: "${join(nsdDir, 'zone.list')}"`,
        '  database: ""',
        '  username: ""',
        '  chroot: ""',
        `  logfile: "${join(nsdDir, 'nsd.log')}"`,
        '  server-count: 1',
        'remote-control:',
        '  control-enable: no',
        ...zones.flatMap((z) => ['zone:', `  name: "${z}.test"`, `  zonefile: "${z}.test.zone"`]),
      ].join('\n') + '\n',
    );
    start('nsd', ['nsd', '-d', '-c', join(nsdDir, 'nsd.conf')]);

    // Unbound: the resolver the collector asks; each test zone is a stub zone served by NSD.
    const ubDir = join(dir, 'unbound');
    mkdirSync(ubDir, { recursive: true });
    writeFileSync(
      join(ubDir, 'unbound.conf'),
      [
        'server:',
        ...RESOLVER.map((a) => `  interface: ${a}`),
        '  port: 53',
        '  access-control: 0.0.0.0/0 allow',
        '  access-control: ::/0 allow',
        '  username: ""',
        '  chroot: ""',
        `  directory: "${ubDir}"`,
        `  pidfile: "${join(ubDir, 'unbound.pid')}"`,
        '  do-daemonize: no',
        '  use-syslog: no',
        `  logfile: "${join(ubDir, 'unbound.log')}"`,
        '  module-config: "iterator"',
        '  num-threads: 1',
        '  cache-max-ttl: 5',
        '  cache-max-negative-ttl: 5',
        // Unbound answers NXDOMAIN for the RFC 6761 name "test." itself unless told not to.
        '  local-zone: "test." nodefault',
        'remote-control:',
        '  control-enable: no',
        ...zones.flatMap((z) => ['stub-zone:', `  name: "${z}.test"`, `  stub-addr: ${NS1[0]}`, `  stub-addr: ${NS1[1]}`, `  stub-addr: ${NS2[0]}`]),
      ].join('\n') + '\n',
    );
    start('unbound', ['unbound', '-d', '-c', join(ubDir, 'unbound.conf')]);

    // nginx: every portal's web site.
    const ngDir = join(dir, 'nginx');
    mkdirSync(join(ngDir, 'tmp'), { recursive: true });
    const servers = portals.map((p) => nginxServers(p, addrs.get(p.name)!, certs.get(p.name)!, v6certs.get(p.name))).join('\n');
    writeFileSync(
      join(ngDir, 'nginx.conf'),
      `user root; worker_processes 1; pid ${join(ngDir, 'nginx.pid')}; error_log ${join(ngDir, 'error.log')};
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${ngDir}/tmp/body; proxy_temp_path ${ngDir}/tmp/proxy; fastcgi_temp_path ${ngDir}/tmp/fcgi;
  uwsgi_temp_path ${ngDir}/tmp/uwsgi; scgi_temp_path ${ngDir}/tmp/scgi;
  server_names_hash_bucket_size 128;
${servers}
}
`,
    );
    start('nginx', ['nginx', '-p', ngDir, '-c', join(ngDir, 'nginx.conf'), '-g', 'daemon off;']);

    // SMTP on every portal's MX addresses (both families; DNS decides what is published).
    const smtp = start('smtp', ['node', join(ROOT, 'testing/portal-net/smtp-listener.mjs'), ...portals.flatMap((p) => [`mail.${p.name}.test=${addrs.get(p.name)!.mail4}`, ...(p.mxV6Closed ? [] : [`mail.${p.name}.test=${addrs.get(p.name)!.mail6}`])])]);
    let smtpReady = false;
    smtp.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) smtpReady = true;
    });

    const listening = () => inInet(['ss', '-Hlntu']);
    await waitFor('the test internet (nsd, unbound, nginx, smtp)', () => {
      const ss = listening();
      const first = addrs.values().next().value as PortalAddresses | undefined;
      return Promise.resolve(
        smtpReady &&
          ss.includes(`${NS3}:53`) &&
          ss.includes(`[${RESOLVER[0]}]:53`) &&
          (!first || ss.includes(`${first.web4}:443`)) &&
          children.every((c) => c.exitCode === null),
      );
    }, 30_000, 200);
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
    throw new Error(`${(e as Error).message}\n${logs.filter(Boolean).join('\n')}`);
  }
}
