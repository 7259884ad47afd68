/**
 * The configuration texts of the portal test internet (testing/portal-net.ts): the portals'
 * states, their addresses, zone files for NSD, the Unbound resolver, nginx's sites.
 */
import { join } from 'node:path';

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

export const NS1: [string, string] = ['2001:db8:53::1', '192.0.2.1'];
export const NS2: [string, string] = ['2001:db8:53::2', '192.0.2.2'];
export const NS3 = '192.0.2.3';
export const RESOLVER: [string, string] = ['2001:db8:53::53', '192.0.2.53'];

/** Portal i's addresses (i from 0; up to 230 portals). */
export function addressesOf(i: number): PortalAddresses {
  const h = (i + 1).toString(16);
  return { web4: `198.51.100.${10 + i}`, web6: `2001:db8:1:${h}::80`, mail4: `203.0.113.${10 + i}`, mail6: `2001:db8:2:${h}::25` };
}

export function zoneFile(p: PortalSpec, a: PortalAddresses): string {
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

export const NIC_ZONE =
  ['$ORIGIN nic.test.', '$TTL 60', '@ IN SOA ns1 hostmaster 1 3600 600 86400 60', '@ IN NS ns1', '@ IN NS ns2', `ns1 IN A ${NS1[1]}`, `ns1 IN AAAA ${NS1[0]}`, `ns2 IN A ${NS2[1]}`, `ns2 IN AAAA ${NS2[0]}`, `ns3 IN A ${NS3}`].join('\n') + '\n';

/** The page of a portal; the nonce and CSRF token change on every request ($request_id). */
const page = (name: string) =>
  `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="csrf-token" content="$request_id"><title>Cổng thông tin ${name}</title><script nonce="$request_id">window.t=1</script></head>` +
  `<body><h1>Cổng thông tin điện tử ${name}</h1><p>Tin tức, văn bản, thủ tục hành chính và dịch vụ công trực tuyến của đơn vị.</p>` +
  `<form method="post"><input type="hidden" name="csrf_token" value="$request_id"><input name="q"><button>Tìm kiếm</button></form></body></html>`;
const DEFAULT_SITE =
  '<!doctype html><html><head><title>Welcome to nginx!</title></head><body><h1>Welcome to nginx!</h1><p>If you see this page, the nginx web server is successfully installed and working. Further configuration is required.</p></body></html>';

const ERROR_PAGE = (status: number) => `<!doctype html><html><head><title>${status} Service Temporarily Unavailable</title></head><body><h1>${status}</h1><p>Máy chủ đang bảo trì.</p></body></html>`;

const nginxString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function nginxServers(p: PortalSpec, a: PortalAddresses, cert: { certFile: string; keyFile: string }, v6cert: { certFile: string; keyFile: string } | undefined): string {
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

/** NSD: authoritative for nic.test and every portal zone, on the three name server addresses. */
export const nsdConf = (nsdDir: string, zones: string[]): string =>
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
  ].join('\n') + '\n';

/** Unbound: the resolver the collector asks; each test zone is a stub zone served by NSD. */
export const unboundConf = (ubDir: string, zones: string[]): string =>
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
  ].join('\n') + '\n';

/** nginx: every portal's web site (`servers` from nginxServers). */
export const nginxConf = (ngDir: string, servers: string): string =>
  `user root; worker_processes 1; pid ${join(ngDir, 'nginx.pid')}; error_log ${join(ngDir, 'error.log')};
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${ngDir}/tmp/body; proxy_temp_path ${ngDir}/tmp/proxy; fastcgi_temp_path ${ngDir}/tmp/fcgi;
  uwsgi_temp_path ${ngDir}/tmp/uwsgi; scgi_temp_path ${ngDir}/tmp/scgi;
  server_names_hash_bucket_size 128;
${servers}
}
`;
