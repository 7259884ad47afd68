/**
 * The agents list is read a chunk at a time from one snapshot of the store (the agents API
 * yields to the event loop between chunks): the same rows in the same order as one statement,
 * and agents enrolled or revoked between two chunks change nothing in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../context.js';
import { seedHosts, twoUnitCollector } from '../../../testing/fleet.js';

let c: Collector;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ c, close } = await twoUnitCollector('posture-agents-'));
  seedHosts(c, 'A', 6, 6, new Date());
  seedHosts(c, 'B', 4, 4, new Date());
  // Same hostname twice: the agent id orders them.
  c.agents.enroll('A', 'a-A-h3', '');
  c.agents.enroll('B', 'never-reported', '');
  c.agents.revoke('a-B-h1');
});
afterAll(() => close());

describe('agents read in chunks', () => {
  it('are the rows of list(), in its order, for every filter and chunk size', () => {
    for (const filter of [{}, { unit: 'A' }, { unit: 'B', revoked: false }, { revoked: true }, { unit: 'nope' }]) {
      const whole = c.agents.list(filter);
      for (const size of [1, 3, 1000]) {
        const list = c.agents.listChunks(filter, size);
        const chunks = [...list.chunks];
        expect(
          chunks.every((ch) => ch.length > 0 && ch.length <= size),
          JSON.stringify(filter),
        ).toBe(true);
        expect(chunks.flat(), `${JSON.stringify(filter)} in chunks of ${size}`).toEqual(whole);
      }
    }
    expect(c.agents.list().map((a) => a.id)).toHaveLength(12);
  });

  it('list the agents of the instant they were asked for, whatever is committed between chunks', () => {
    const before = c.agents.list();
    const list = c.agents.listChunks({}, 4);
    const read = [];
    for (const chunk of list.chunks) {
      read.push(...chunk);
      if (read.length === 4) {
        c.agents.enroll('A', '0-first', '');
        c.agents.revoke(before[6]!.id);
      }
    }
    expect(read).toEqual(before);
    const now = c.agents.list();
    expect(now).toHaveLength(13);
    expect(now[0]!.hostname).toBe('0-first');
    expect(now.find((a) => a.id === before[6]!.id)!.revoked_at).not.toBeNull();
  });
});
