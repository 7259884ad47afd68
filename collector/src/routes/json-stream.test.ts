import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { jsonArrayStream } from './json-stream.js';

async function text(chunks: number[][]): Promise<string> {
  let out = '';
  for await (const part of jsonArrayStream({ head: { total: 7, note: 'a "quoted" ư' }, key: 'items', chunks, itemSchema: Type.Number() }, (n: number) => JSON.stringify({ n }))) out += String(part);
  return out;
}

describe('a JSON object streamed a chunk of its array at a time', () => {
  it('is the same JSON as the whole object, for no chunk, empty chunks and several chunks', async () => {
    expect(JSON.parse(await text([]))).toEqual({ total: 7, note: 'a "quoted" ư', items: [] });
    expect(JSON.parse(await text([[], [], []]))).toEqual({ total: 7, note: 'a "quoted" ư', items: [] });
    expect(JSON.parse(await text([[1], [], [2, 3], [4]]))).toEqual({ total: 7, note: 'a "quoted" ư', items: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }] });
    expect(await text([[1, 2], [3]])).toBe(JSON.stringify({ total: 7, note: 'a "quoted" ư', items: [{ n: 1 }, { n: 2 }, { n: 3 }] }));
  });

  it('makes each chunk in a turn of the event loop of its own, without waiting for the reader, and closes after the last', async () => {
    const log: string[] = [];
    function* chunks() {
      for (let i = 0; i < 4; i++) {
        log.push(`chunk ${i}`);
        // Runs in the next turn of the event loop: before the next chunk only if the stream yielded.
        setImmediate(() => log.push(`turn after ${i}`));
        yield [i];
      }
    }
    const stream = jsonArrayStream({ head: {}, key: 'items', chunks: chunks(), itemSchema: Type.Number(), close: () => log.push('closed') }, String);
    // Nobody reads: every chunk is made all the same, one a turn.
    await new Promise<void>((resolve) => {
      const wait = () => (log.includes('closed') ? resolve() : setTimeout(wait, 5));
      wait();
    });
    expect(log.slice(0, 8)).toEqual(['chunk 0', 'turn after 0', 'chunk 1', 'turn after 1', 'chunk 2', 'turn after 2', 'chunk 3', 'turn after 3']);
    expect(log.filter((l) => l === 'closed')).toHaveLength(1);
    let out = '';
    for await (const part of stream) out += String(part);
    expect(out).toBe('{"items":[0,1,2,3]}');
  });

  it('stops reading the chunks and closes when the stream is destroyed (the client went away)', async () => {
    const made: number[] = [];
    let finished = false;
    function* chunks() {
      try {
        for (let i = 0; i < 1000; i++) {
          made.push(i);
          yield [i];
        }
      } finally {
        finished = true;
      }
    }
    let closed = 0;
    const stream = jsonArrayStream({ head: {}, key: 'items', chunks: chunks(), itemSchema: Type.Number(), close: () => closed++ }, String);
    await new Promise((r) => setImmediate(r));
    stream.destroy();
    await new Promise((r) => setTimeout(r, 20));
    expect(made.length).toBeLessThan(10);
    expect(finished).toBe(true);
    expect(closed).toBe(1);
  });

  it('fails the stream when a chunk cannot be made, and closes', async () => {
    function* chunks(): Generator<number[]> {
      yield [1];
      throw new Error('the snapshot is gone');
    }
    let closed = 0;
    const stream = jsonArrayStream({ head: {}, key: 'items', chunks: chunks(), itemSchema: Type.Number(), close: () => closed++ }, String);
    await expect(
      (async () => {
        for await (const _ of stream) void _;
      })(),
    ).rejects.toThrow('the snapshot is gone');
    expect(closed).toBe(1);
  });
});
