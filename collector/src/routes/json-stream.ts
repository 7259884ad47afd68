/**
 * A JSON object whose one big array is written out a chunk at a time, for list responses too
 * large to hold as one string (a 10,000-host page is ~14 MiB of JSON: built whole, it and its
 * objects cost ~100 MB of memory at once). The bytes are what the route's response schema
 * describes: fastify does not serialize a stream, so each element goes through the serializer
 * fastify compiles from the element's schema.
 */
import { Readable } from 'node:stream';
import type { TSchema } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';

export interface JsonArrayBody<T> {
  /** The object's other members (small: serialized with JSON.stringify). */
  head: Record<string, unknown>;
  /** The member holding the array, written last. */
  key: string;
  chunks: Iterable<readonly T[]>;
  /** The schema of one element, as in the route's response schema. */
  itemSchema: TSchema;
}

/** `{...head, key: [...every chunk's items]}`, streamed. */
export function jsonArrayStream<T>(body: JsonArrayBody<T>, serialize: (item: T) => string): Readable {
  function* text(): Generator<string, void, undefined> {
    // `{..."key":[]}` without its last two characters: the object, open on its array.
    yield JSON.stringify({ ...body.head, [body.key]: [] }).slice(0, -2);
    let first = true;
    for (const chunk of body.chunks) {
      if (!chunk.length) continue;
      yield (first ? '' : ',') + chunk.map(serialize).join(',');
      first = false;
    }
    yield ']}';
  }
  // One part read ahead at most: a slow reader must not make the whole page be built meanwhile.
  return Readable.from(text(), { highWaterMark: 1 });
}

/** Answer `reply` with the streamed object (application/json). */
export function sendJsonArray<T>(reply: FastifyReply, body: JsonArrayBody<T>): void {
  const serialize = reply.compileSerializationSchema(body.itemSchema) as (item: T) => string;
  void reply.type('application/json; charset=utf-8').send(jsonArrayStream(body, serialize));
}
