/**
 * The SSH checks against a real OpenSSH sshd started by the test on a free loopback port, with
 * its own config directory, host key, pid file and authorized_keys in a temp dir. The check's
 * reader is the real machine with three paths redirected to that directory (sshd_config, the
 * drop-in directory and the pid file) and `-f <temp config>` added to every `sshd -T`, so
 * sshd's own parser evaluates the files. The traps are proved with a real client: root logs
 * in with a key through a `Match User root` drop-in while the main file says no.
 * Needs openssh-server and openssh-client (scripts/install-deps.sh).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../../../testing/ports.js';
import { baselineContext } from '../../../../testing/baseline-context.js';
import { LocalSystem, type CommandResult } from '../../system.js';
import { sshFamily } from './ssh.js';

let dir = '';
let port = 0;
let sshd: ChildProcess | undefined;
let madePrivsep = false;

/** The real machine, with sshd's paths pointing at the test's directory. */
class RedirectedSystem extends LocalSystem {
  private map(path: string) {
    if (path === '/etc/ssh/sshd_config') return join(dir, 'sshd_config');
    if (path.startsWith('/etc/ssh/sshd_config.d')) return path.replace('/etc/ssh/sshd_config.d', join(dir, 'sshd_config.d'));
    if (path === '/run/sshd.pid') return join(dir, 'sshd.pid');
    return path;
  }
  override readFile(path: string) {
    return super.readFile(this.map(path));
  }
  override readDir(path: string) {
    return super.readDir(this.map(path));
  }
  override stat(path: string) {
    return super.stat(this.map(path));
  }
  override run(command: string, args: readonly string[], opts?: { timeoutMs?: number }): Promise<CommandResult> {
    if (command === 'sshd') return super.run('/usr/sbin/sshd', ['-f', join(dir, 'sshd_config'), ...args], opts);
    return super.run(command, args, opts);
  }
}

const MAIN = () =>
  `Port ${port}\nListenAddress 127.0.0.1\nHostKey ${dir}/host_ed25519\nPidFile ${dir}/sshd.pid\nAuthorizedKeysFile ${dir}/authorized_keys\nStrictModes no\nUsePAM no\nInclude ${dir}/sshd_config.d/*.conf\nPermitRootLogin no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n`;

async function startSshd() {
  sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitFor('sshd pid file', async () => existsSync(join(dir, 'sshd.pid')));
}
async function stopSshd() {
  if (!sshd) return;
  const exited = new Promise((r) => sshd!.once('exit', r));
  sshd.kill('SIGTERM');
  await exited;
  sshd = undefined;
  rmSync(join(dir, 'sshd.pid'), { force: true });
}
const rootLogsIn = () => {
  try {
    execFileSync('ssh', ['-i', join(dir, 'client'), '-p', String(port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${dir}/known`, '-o', 'ConnectTimeout=5', 'root@127.0.0.1', 'true'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
};
const checks = async () => Object.fromEntries((await sshFamily.run(baselineContext({}, { system: new RedirectedSystem() }))).map((o) => [o.id, o]));

beforeAll(async () => {
  if (!existsSync('/usr/sbin/sshd')) throw new Error('/usr/sbin/sshd missing: install openssh-server (scripts/install-deps.sh)');
  dir = mkdtempSync(join(tmpdir(), 'p4-sshd-'));
  mkdirSync(join(dir, 'sshd_config.d'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_ed25519')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client.pub')));
  // sshd refuses to start without its privilege separation directory (systemd makes it at boot).
  if (!existsSync('/run/sshd')) {
    mkdirSync('/run/sshd', { mode: 0o755 });
    madePrivsep = true;
  }
  port = await freePort();
  writeFileSync(join(dir, 'sshd_config'), MAIN());
}, 30_000);

afterAll(async () => {
  await stopSshd();
  if (madePrivsep) rmSync('/run/sshd', { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('SSH checks against a real sshd', () => {
  it('main file says no root login: root cannot log in, and the check passes', async () => {
    await startSshd();
    expect(rootLogsIn()).toBe(false);
    const r = await checks();
    expect(r['ssh.root_login']).toMatchObject({ result: 'pass', evidence: expect.stringMatching(/permitrootlogin no .*sshd -T and -C/) as unknown });
    expect(r['ssh.config_loaded']!.result).toBe('pass');
    await stopSshd();
  }, 30_000);

  it('trap: a Match User root drop-in re-allows root: root logs in with a key, and the check fails', async () => {
    writeFileSync(join(dir, 'sshd_config.d/50-admin.conf'), 'Match User root\n  PermitRootLogin yes\n');
    await startSshd();
    expect(rootLogsIn()).toBe(true);
    const r = await checks();
    expect(r['ssh.root_login']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/^permitrootlogin yes for root/) as unknown });
    await stopSshd();
  }, 30_000);

  it('trap: the drop-in is removed without a restart: the file says no, the daemon still lets root in', async () => {
    await startSshd();
    rmSync(join(dir, 'sshd_config.d/50-admin.conf'));
    // The main file is touched too (an edit), after the daemon started.
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'sshd_config'), later, later);
    expect(rootLogsIn()).toBe(true);
    const r = await checks();
    expect(r['ssh.config_loaded']).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/changed .* after sshd started/) as unknown });
    expect(r['ssh.root_login']).toMatchObject({ result: 'unknown', evidence: expect.stringMatching(/may enforce older settings/) as unknown });
    await stopSshd();
  }, 30_000);
});
