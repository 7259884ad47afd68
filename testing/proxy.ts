/** Debian's tinyproxy as a real HTTP proxy (plain requests and CONNECT tunnels) on loopback. */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';

export interface Proxy {
  url: string;
  /** tinyproxy's log (connections and CONNECT requests). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export async function startTinyproxy(): Promise<Proxy> {
  const dir = await mkdtemp(join(tmpdir(), 'posture-proxy-'));
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  // No ConnectPort line: CONNECT is allowed to any port (the collector's is random).
  await writeFile(
    join(dir, 'tinyproxy.conf'),
    [`Port ${port}`, 'Listen 127.0.0.1', 'Allow 127.0.0.1', 'User nobody', 'Group nogroup', 'Timeout 30', `LogFile "${logFile}"`, 'LogLevel Connect', `PidFile "${join(dir, 'pid')}"`, 'MaxClients 20', 'DisableViaHeader Yes'].join('\n') + '\n',
  );
  // tinyproxy drops to nobody: it must be able to reach and write its log.
  await chmod(dir, 0o755);
  await writeFile(logFile, '');
  await chown(logFile, 65534, 65534);
  let proc: ChildProcess;
  try {
    proc = spawn('tinyproxy', ['-d', '-c', join(dir, 'tinyproxy.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`cannot start tinyproxy (apt-get install tinyproxy): ${(e as Error).message}`, { cause: e });
  }
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const spawnError = new Promise<Error>((r) => proc.once('error', r));
  await Promise.race([
    waitFor(`tinyproxy on 127.0.0.1:${port}`, async () => {
      if (proc.exitCode !== null) throw new Error(`tinyproxy exited ${proc.exitCode}: ${out}`);
      return new Promise((r) =>
        net
          .connect(port, '127.0.0.1')
          .once('connect', function (this: net.Socket) {
            this.destroy();
            r(true);
          })
          .once('error', () => r(false)),
      );
    }),
    spawnError.then((e) => Promise.reject(new Error(`cannot start tinyproxy (apt-get install tinyproxy): ${e.message}`))),
  ]);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    url: `http://127.0.0.1:${port}`,
    log: async () => `${await readFile(logFile, 'utf8').catch(() => '')}${out}`,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
