/**
 * time.synchronized against real chronyd instances started by the test (`-x`: they never touch
 * the system clock; own sockets, pid and drift files in a temp dir; NTP on a free loopback UDP
 * port). Trap: a chronyd with only `local stratum 10` reports "Leap status: Normal" and tells
 * the kernel it is synchronised, while it follows no source. A second chronyd that uses the
 * first as its server is synchronised for real. Needs chrony (scripts/install-deps.sh).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../../../testing/ports.js';
import { baselineContext } from '../../../../testing/baseline-context.js';
import { LocalSystem, type CommandResult } from '../../system.js';
import { timeFamily } from './time.js';
import { linuxProcessNames } from '../common/processes.js';

let dir = '';
const daemons: ChildProcess[] = [];

/** The real machine, with chronyc talking to one of the test's daemons. */
class ChronySystem extends LocalSystem {
  constructor(private readonly socket: string) {
    super();
  }
  override run(command: string, args: readonly string[], opts?: { timeoutMs?: number }): Promise<CommandResult> {
    if (command === 'chronyc') return super.run('chronyc', ['-h', this.socket, ...args], opts);
    // No systemd here or there: the chrony answer must decide, not timedatectl.
    if (command === 'timedatectl') return Promise.resolve({ kind: 'not-found' });
    return super.run(command, args, opts);
  }
}

async function chronyd(name: string, conf: string): Promise<string> {
  const d = join(dir, name);
  mkdirSync(d);
  chmodSync(d, 0o700); // chronyd refuses a socket directory others can enter
  const sock = join(d, 'chronyd.sock');
  writeFileSync(join(d, 'chrony.conf'), `${conf}\nbindcmdaddress ${sock}\ncmdport 0\npidfile ${d}/chronyd.pid\ndriftfile ${d}/drift\n`);
  const p = spawn('chronyd', ['-x', '-d', '-u', 'root', '-f', join(d, 'chrony.conf')], { stdio: 'ignore' });
  daemons.push(p);
  await waitFor(`chronyd ${name} socket`, async () => existsSync(sock));
  return sock;
}
// The processes running now (the test's chronyds among them), as the probe reads them.
const check = async (sock: string) => (await timeFamily.run(baselineContext({ processes: [...(await linuxProcessNames(new LocalSystem()))] }, { system: new ChronySystem(sock) })))[0]!;

beforeAll(() => {
  if (!existsSync('/usr/sbin/chronyd')) throw new Error('/usr/sbin/chronyd missing: install chrony (scripts/install-deps.sh)');
  dir = mkdtempSync(join(tmpdir(), 'p4-chrony-'));
});
afterAll(() => {
  for (const p of daemons) p.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('chrony', () => {
  it('trap: only a local stratum 10 reference ("Leap status: Normal") fails', async () => {
    const sock = await chronyd('local-only', 'local stratum 10');
    const o = await check(sock);
    expect(o).toMatchObject({ result: 'fail', evidence: expect.stringMatching(/reference 7F7F0101, stratum 10, leap status Normal.*follows its own clock/) as unknown });
  }, 30_000);

  it('a chronyd that follows a real NTP server passes, naming the selected source', async () => {
    const ntpPort = await freePort();
    await chronyd('server', `local stratum 8\nport ${ntpPort}\nbindaddress 127.0.0.1\nallow 127.0.0.1`);
    const sock = await chronyd('client', `server 127.0.0.1 port ${ntpPort} iburst minpoll -4 maxpoll -4\nport 0`);
    let o = await check(sock);
    await waitFor('client chronyd synchronised', async () => (o = await check(sock)).result === 'pass', 40_000, 500);
    expect(o.evidence).toMatch(/reference 127\.0\.0\.1, stratum 9, .*selected source 127\.0\.0\.1/);
  }, 60_000);
});
