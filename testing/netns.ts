/**
 * Two network namespaces joined by a veth pair, IPv6 only (a random ULA /64; no IPv4 address
 * anywhere), for partition tests. Names carry a random suffix so parallel runs never meet; the
 * test deletes them in afterAll. Faults: an nft drop rule inside the agent's namespace (packets
 * vanish, as on a broken WAN link) or the link set down (errors at once).
 */
import { randomBytes } from 'node:crypto';
import { sh } from './reliability.js';

export interface NetPair {
  /** Namespace of the server (collector) and of the client (agent). */
  server: string;
  client: string;
  serverAddr: string;
  clientAddr: string;
  /** Command prefix that runs a program inside a namespace. */
  exec(ns: string): string[];
  /** Run a program inside a namespace to completion; its stdout (throws on failure). */
  run(ns: string, argv: string[]): string;
  /** Drop packets between the two inside the client namespace: both ways, or only replies. */
  partition(mode: 'both' | 'replies'): void;
  /** Remove the drop rules. */
  heal(): void;
  /** Take the client's end of the link down or up. */
  link(up: boolean): void;
  destroy(): void;
}

export function createNetPair(): NetPair {
  const id = randomBytes(3).toString('hex');
  const server = `posture-srv-${id}`;
  const client = `posture-cli-${id}`;
  const prefix = `fd${id.slice(0, 2)}:${id.slice(2)}:9b::`;
  const serverAddr = `${prefix}1`;
  const clientAddr = `${prefix}2`;
  const vs = `pv-s-${id}`;
  const vc = `pv-c-${id}`;
  const made: string[] = [];
  const destroy = () => {
    for (const ns of made) {
      try {
        sh('ip', ['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
  };
  try {
    for (const ns of [server, client]) {
      sh('ip', ['netns', 'add', ns]);
      made.push(ns);
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    // Created in the server namespace, so nothing of it ever exists in the host's namespace.
    sh('ip', ['-n', server, 'link', 'add', vs, 'type', 'veth', 'peer', 'name', vc, 'netns', client]);
    // nodad: the address is usable at once instead of after duplicate address detection.
    sh('ip', ['-n', server, 'addr', 'add', `${serverAddr}/64`, 'dev', vs, 'nodad']);
    sh('ip', ['-n', client, 'addr', 'add', `${clientAddr}/64`, 'dev', vc, 'nodad']);
    // Keep the static addresses across a link down/up (the kernel flushes IPv6 ones by default).
    sh('ip', ['netns', 'exec', server, 'sysctl', '-qw', `net.ipv6.conf.${vs}.keep_addr_on_down=1`]);
    sh('ip', ['netns', 'exec', client, 'sysctl', '-qw', `net.ipv6.conf.${vc}.keep_addr_on_down=1`]);
    sh('ip', ['-n', server, 'link', 'set', vs, 'up']);
    sh('ip', ['-n', client, 'link', 'set', vc, 'up']);
    sh('ip', ['netns', 'exec', client, 'nft', 'add', 'table', 'inet', 'posture_partition']);
    sh('ip', ['netns', 'exec', client, 'nft', 'add', 'chain', 'inet', 'posture_partition', 'out', '{ type filter hook output priority 0; }']);
    sh('ip', ['netns', 'exec', client, 'nft', 'add', 'chain', 'inet', 'posture_partition', 'in', '{ type filter hook input priority 0; }']);
  } catch (e) {
    destroy();
    throw e;
  }
  const nft = (...args: string[]) => sh('ip', ['netns', 'exec', client, 'nft', ...args]);
  return {
    server,
    client,
    serverAddr,
    clientAddr,
    exec: (ns) => ['ip', 'netns', 'exec', ns],
    run: (ns, argv) => sh('ip', ['netns', 'exec', ns, ...argv]),
    partition(mode) {
      nft('add', 'rule', 'inet', 'posture_partition', 'in', 'ip6', 'saddr', serverAddr, 'drop');
      if (mode === 'both') nft('add', 'rule', 'inet', 'posture_partition', 'out', 'ip6', 'daddr', serverAddr, 'drop');
    },
    heal() {
      nft('flush', 'chain', 'inet', 'posture_partition', 'in');
      nft('flush', 'chain', 'inet', 'posture_partition', 'out');
    },
    link(up) {
      sh('ip', ['-n', client, 'link', 'set', vc, up ? 'up' : 'down']);
    },
    destroy,
  };
}
