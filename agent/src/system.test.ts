/** LocalSystem's line readers and its answer for programs that are not installed, on this machine. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalSystem } from './system.js';

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
