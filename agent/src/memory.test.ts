/** The collection after a cycle: which `gc` it uses, and that the one it makes collects. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { gcFunction } from './memory.js';

const g = globalThis as { gc?: unknown };
const original = g.gc;
const run = promisify(execFile);
const nextTurn = () => new Promise((r) => setImmediate(r));

describe('gcFunction', () => {
  afterEach(() => {
    if (original === undefined) delete g.gc;
    else g.gc = original;
  });

  it('without --expose-gc, makes a gc that really collects', async () => {
    delete g.gc;
    const gc = gcFunction();
    let ref: WeakRef<object> | undefined;
    (() => {
      ref = new WeakRef({ big: new Array(10_000).fill('x') });
    })();
    // A WeakRef keeps its target until the end of the turn that made it.
    await nextTurn();
    gc();
    expect(ref?.deref()).toBeUndefined();
  });

  it('with --expose-gc (the systemd unit), uses the global gc and makes no second context', () => {
    let calls = 0;
    const global = () => {
      calls++;
    };
    g.gc = global;
    const gc = gcFunction();
    expect(gc).toBe(global);
    gc();
    expect(calls).toBe(1);
  });
});

/** Runs `code` in a fresh node (no test runner in between: V8's flushing as the daemon sees it). */
async function inNode(code: string, flags: string[] = []): Promise<string> {
  const { stdout } = await run(process.execPath, [...flags, '--input-type=module', '-e', code]);
  return stdout.trim();
}

describe('collectGarbage', () => {
  // Startup-like code: a big function compiled and run once, then the first collection.
  const probe = (memory: string) => `
    import { getHeapCodeStatistics } from 'node:v8';
    import { collectGarbage } from ${JSON.stringify(memory)};
    const body = Array.from({ length: 4000 }, (_, i) => 'x = (x * 31 + ' + i + ') % 1000003;').join('\\n');
    const once = new Function('let x = 1;\\n' + body + '\\nreturn x;');
    once();
    const size = () => getHeapCodeStatistics().bytecode_and_metadata_size;
    const before = size();
    collectGarbage();
    const first = before - size();
    // Run it again (compiled anew), then two full collections: back at the default age, it stays.
    once();
    const again = size();
    if (typeof gc === 'function') { gc(); gc(); }
    console.log(JSON.stringify({ first, later: typeof gc === 'function' ? again - size() : null }));`;

  for (const [name, flags] of [
    ['with --expose-gc (the unit)', ['--expose-gc']],
    ['without it', []],
  ] as const) {
    it(`${name}: the first call flushes the bytecode of code that ran once; later collections leave what runs`, async () => {
      const r = JSON.parse(await inNode(probe(new URL('../dist/memory.js', import.meta.url).href), [...flags])) as { first: number; later: number };
      // 4000 statements are well over 40 KB of bytecode and metadata.
      expect(r.first).toBeGreaterThan(40_000);
      if (flags.length) expect(r.later).toBeLessThan(40_000);
      else expect(r.later).toBeNull();
    });
  }
});

describe('shrinkYoungGeneration', () => {
  // A cycle-like burst of short-lived objects, then what the daemon does after a cycle; in the
  // V8 the daemon runs (lite mode, set by v8-flags.js as main.js does; the unit's young generation).
  const probe = (dist: string) => `
    import ${JSON.stringify(`${dist}/v8-flags.js`)};
    import { collectGarbage, shrinkYoungGeneration, youngGeneration } from ${JSON.stringify(`${dist}/memory.js`)};
    let keep = [];
    for (let i = 0; i < 300000; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 2000) keep = []; }
    const burst = youngGeneration();
    collectGarbage();
    const full = youngGeneration();
    const shrink = await shrinkYoungGeneration();
    const after = youngGeneration();
    const again = await shrinkYoungGeneration();
    console.log(JSON.stringify({ burst, full, shrink, after, again }));`;
  type Young = { committed: number; resident: number };
  type Shrink = { before: number; after: number; scavenges: number };

  for (const [name, flags] of [
    ['with --expose-gc (the unit)', ['--expose-gc', '--max-semi-space-size=1']],
    ['without it', ['--max-semi-space-size=1']],
  ] as const) {
    it(`${name}: V8 gives back the young generation's idle pages, which a full collection leaves resident; nothing to do right after`, async () => {
      const r = JSON.parse(await inNode(probe(new URL('../dist', import.meta.url).href), [...flags])) as { burst: Young; full: Young; shrink: Shrink; after: Young; again: Shrink };
      // The burst used both semi-spaces, and the full collection alone keeps them resident.
      expect(r.burst.resident).toBe(r.burst.committed);
      expect(r.full.resident).toBe(r.burst.resident);
      // The scavenges made V8 uncommit the idle semi-space and leave the other one mostly untouched.
      expect(r.shrink.scavenges).toBeGreaterThan(0);
      expect(r.shrink.before).toBe(r.full.resident);
      expect(r.after.committed).toBeLessThan(r.full.committed);
      expect(r.after.resident * 2).toBeLessThanOrEqual(r.after.committed);
      expect(r.shrink.after).toBe(r.after.resident);
      // Nothing allocated since: no scavenge.
      expect(r.again.scavenges).toBe(0);
    });
  }
});
