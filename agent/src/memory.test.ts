/** The collection after a cycle: which `gc` it uses, and that the one it makes collects. */
import { afterEach, describe, expect, it } from 'vitest';
import { gcFunction } from './memory.js';

const g = globalThis as { gc?: unknown };
const original = g.gc;
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
