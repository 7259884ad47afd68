/** LocalSystem's line readers, its file reads (synchronous and not) and its answer for programs that are not installed, on this machine. */
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalSystem, readSynchronously } from './system.js';

const dir = mkdtempSync(join(tmpdir(), 'posture-system-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const system = new LocalSystem();

describe('LocalSystem.readLines', () => {
  it('hands out every line of a file larger than one read chunk, multi-byte characters intact', async () => {
    // 'ệ' is 3 bytes in UTF-8: lines of odd lengths put some across the 64 KiB chunk boundaries.
    const lines = Array.from({ length: 20_000 }, (_, i) => `Package: gói-${i}-${'ệ'.repeat(i % 7)}`);
    const file = join(dir, 'big');
    writeFileSync(file, `${lines.join('\r\n')}\r\nlast line without newline`);
    const got: string[] = [];
    expect(await system.readLines(file, (l) => got.push(l))).toBe(true);
    expect(got).toEqual([...lines, 'last line without newline']);
  });

  it('says false for a file it cannot read', async () => {
    expect(await system.readLines(join(dir, 'absent'), () => undefined)).toBe(false);
  });
});

describe('LocalSystem.runLines', () => {
  it('streams stdout by lines, keeps none of it, and gives the exit code and stderr', async () => {
    const got: string[] = [];
    const r = await system.runLines('sh', ['-c', 'printf "a\\nb\\n\\nc"; echo oops >&2; exit 3'], (l) => got.push(l));
    expect(r).toEqual({ kind: 'ok', code: 3, stdout: '', stderr: 'oops\n' });
    expect(got).toEqual(['a', 'b', '', 'c']);
  });

  it('stops a program that outlives its timeout', async () => {
    expect(await system.runLines('sleep', ['5'], () => undefined, { timeoutMs: 200 })).toEqual({ kind: 'timeout', afterMs: 200 });
  });
});

describe('LocalSystem.run', () => {
  it('answers not-found for a program that is not installed, absolute or on PATH', async () => {
    expect(await system.run('posture-no-such-program', [])).toEqual({ kind: 'not-found' });
    expect(await system.run(join(dir, 'absent'), [])).toEqual({ kind: 'not-found' });
    expect(await system.runLines('posture-no-such-program', [], () => undefined)).toEqual({ kind: 'not-found' });
  });

  it('still runs what is on PATH and reads /proc', async () => {
    expect(await system.run('true', [])).toMatchObject({ kind: 'ok', code: 0 });
    expect((await system.readFile('/proc/self/status'))?.startsWith('Name:')).toBe(true);
    expect(await system.readDir('/proc/self/fd')).not.toBeNull();
  });
});

describe('LocalSystem file reads', () => {
  it('reads synchronously only the kernel pseudo-files and the directories the OS cannot run without', () => {
    for (const p of ['/proc/self/status', '/sys/kernel', '/etc/pam.d', '/etc/pam.d/common-auth', '/usr/bin/sudo', '/usr/lib/os-release', '/run/sshd.pid']) expect(readSynchronously(p), p).toBe(true);
    // What may be a network or FUSE mount stays asynchronous: a hung mount must not stop the probe timeouts.
    for (const p of ['/usr/local/bin/x', '/usr/local', '/run/user/1000/gvfs', '/opt/CrowdStrike/falconctl', '/var/log/syslog', '/home/a', '/tmp/x', '/etcetera/x', '/usrx/y']) expect(readSynchronously(p), p).toBe(false);
  });

  it('answers the same on both paths: stat with mode and owners after symlinks, null when absent; contents and entries', async () => {
    const file = join(dir, 'mode-file');
    writeFileSync(file, 'x\n');
    chmodSync(file, 0o4640);
    for (const p of [file, '/etc/passwd', '/usr/bin/env']) {
      const want = statSync(p);
      expect(await system.stat(p), p).toEqual({ mtime: want.mtime, size: want.size, ctime: want.ctime, mode: want.mode, uid: want.uid, gid: want.gid });
    }
    expect(((await system.stat(file))!.mode & 0o7777).toString(8)).toBe('4640');
    for (const p of [join(dir, 'absent'), '/etc/posture-no-such-file', '/usr/lib/posture-no-such-file']) {
      expect(await system.stat(p), p).toBeNull();
      expect(await system.readFile(p), p).toBeNull();
    }
    expect(await system.readFile(file)).toBe('x\n');
    expect((await system.readFile('/etc/passwd'))?.startsWith('root:')).toBe(true);
    expect((await system.readDir('/etc'))?.sort()).toEqual(readdirSync('/etc').sort());
    expect((await system.readDir(dir))?.sort()).toEqual(readdirSync(dir).sort());
    expect(await system.readDir('/etc/posture-no-such-dir')).toBeNull();
  });
});
