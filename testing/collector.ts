/** Start the collector as a real process (bin/posture serve) for end-to-end and crash tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { runCommand, type CommandResult } from './command.js';
import { freePort, waitFor } from './ports.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const POSTURE_BIN = join(ROOT, 'collector/bin/posture.js');
export const AGENT_BIN = join(ROOT, 'agent/bin/posture-agent.js');

export const TEST_UNITS = [
  { id: 'TTCNTT', name: 'Trung tâm Công nghệ thông tin', enrollmentSecret: 'ttcntt-secret-0123456789' },
  { id: 'CHHVN', name: 'Cục Hàng hải Việt Nam', enrollmentSecret: 'chhvn-secret-0123456789' },
  { id: 'TCDBVN', name: 'Tổng cục Đường bộ Việt Nam', enrollmentSecret: 'tcdbvn-secret-0123456789' },
];

/**
 * API tokens every collector fixture accepts (the read and admin APIs need one): send
 * `authorization: Bearer ${TEST_TOKENS.viewer}` (or .admin). A test that passes its own `auth`
 * replaces them.
 */
export const TEST_TOKENS = {
  viewer: 'pt_test-viewer-token-0123456789abcdefghijklmnopqrs',
  admin: 'pt_test-admin-token-0123456789abcdefghijklmnopqrst',
} as const;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const TEST_AUTH = {
  tokens: [
    { name: 'test-viewer', role: 'viewer', sha256: sha256(TEST_TOKENS.viewer) },
    { name: 'test-admin', role: 'admin', sha256: sha256(TEST_TOKENS.admin) },
  ],
};

export interface CollectorFixture {
  dir: string;
  configFile: string;
  port: number;
  url: string;
}

/** Write a collector config in a fresh temporary directory. */
export async function collectorFixture(extra: Record<string, unknown> = {}): Promise<CollectorFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'posture-collector-'));
  const port = await freePort();
  const configFile = join(dir, 'collector.yaml');
  // Test fleets enroll dozens of hosts from one address: lift the per-source enrollment limit
  // (the rate-limit test sets its own).
  await writeFile(configFile, stringify({ listen: { host: '127.0.0.1', port }, dataDir: join(dir, 'data'), units: TEST_UNITS, auth: TEST_AUTH, limits: { enrollPerMinute: 100_000 }, ...extra }));
  return { dir, configFile, port, url: `http://127.0.0.1:${port}` };
}

export interface CollectorProcess {
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

/**
 * `healthy` replaces the plain fetch of /healthz (e.g. for HTTPS with a test CA); `prefix` runs
 * the collector through a wrapper that execs it (e.g. `ip netns exec <ns>`).
 */
export async function startCollectorProcess(f: CollectorFixture, opts: { healthy?: () => Promise<boolean>; prefix?: string[] } = {}): Promise<CollectorProcess> {
  const [cmd, ...args] = [...(opts.prefix ?? []), process.execPath, POSTURE_BIN, '-c', f.configFile, 'serve'];
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POSTURE_LOG_LEVEL: 'warn' } });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(`collector on ${f.url} (output: ${out.slice(-800)})`, async () => {
    if (proc.exitCode !== null) throw new Error(`collector exited with ${proc.exitCode}: ${out.slice(-800)}`);
    return opts.healthy ? opts.healthy() : (await fetch(`${f.url}/healthz`)).ok;
  }).catch((e: unknown) => {
    proc.kill('SIGKILL'); // never leave a collector that did not come up running after the test
    throw e;
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** Run a CLI (node script) to completion; never throws on a non-zero exit. */
export function runNode(script: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CommandResult> {
  return runCommand(process.execPath, [script, ...args], { env, timeoutMs });
}
