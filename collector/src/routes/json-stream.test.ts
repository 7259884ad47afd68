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

  it('builds each chunk only when the reader asks for it (one read ahead at most)', async () => {
    const built: number[] = [];
    function* chunks() {
      for (let i = 0; i < 6; i++) {
        built.push(i);
        yield [i];
      }
    }
    const stream = jsonArrayStream({ head: {}, key: 'items', chunks: chunks(), itemSchema: Type.Number() }, String);
    const it = stream[Symbol.asyncIterator]();
    await it.next(); // the head
    await it.next(); // the first chunk
    expect(built.length).toBeLessThanOrEqual(2);
    let rest = '';
    for (let r = await it.next(); !r.done; r = await it.next()) rest += String(r.value);
    expect(built).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rest.endsWith(']}')).toBe(true);
  });
});
