/**
 * The agent as a real process for spool, crash and TLS tests: a config in a temporary
 * directory, `posture-agent run` as a daemon, and a TCP relay that slows the network down so
 * that a test can kill the agent while a send is in flight.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AGENT_BIN } from './collector.js';

export interface AgentFixture {
  dir: string;
  configFile: string;
  stateDir: string;
}

/** Write an agent config (deep-merged over a test default) in a fresh temporary directory. */
export async function agentFixture(config: Record<string, unknown>): Promise<AgentFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'posture-agent-'));
  const stateDir = join(dir, 'state');
  const configFile = join(dir, 'agent.yaml');
  await writeFile(configFile, stringify({ unit: 'TTCNTT', role: 'server', stateDir, ...config }));
  return { dir, configFile, stateDir };
}

/** Ids of the reports waiting in the agent's spool, oldest first. */
export async function spooledIds(stateDir: string): Promise<string[]> {
  const names = await readdir(join(stateDir, 'spool', 'queue')).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => n.slice(17, 53));
}

export interface AgentProcess {
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

/** `prefix` runs the agent through a wrapper that execs it (e.g. `ip netns exec <ns>`). */
export function startAgentProcess(f: AgentFixture, env: Record<string, string> = {}, prefix: string[] = []): AgentProcess {
  const [cmd, ...args] = [...prefix, process.execPath, AGENT_BIN, '-c', f.configFile, 'run'];
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POSTURE_AGENT_LOG_LEVEL: 'debug', ...env } });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

export interface Relay {
  port: number;
  /** Change the delay applied to chunks from now on. */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/** A loopback TCP relay to `targetPort` that holds every chunk for `delayMs` in both directions. */
export async function slowRelay(targetPort: number, delayMs: number): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  let delay = delayMs;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    // Target down or gone: the client sees its connection reset, as it would without the relay.
    upstream.on('error', () => client.resetAndDestroy());
    client.on('error', () => upstream.destroy());
    const pipe = (from: net.Socket, to: net.Socket) => {
      from.on('data', (d) => setTimeout(() => to.destroyed || to.write(d), delay));
      from.on('end', () => setTimeout(() => to.end(), delay));
    };
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as net.AddressInfo;
  return {
    port: addr.port,
    setDelay: (ms) => (delay = ms),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
