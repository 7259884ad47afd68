/**
 * A JSON object whose one big array is written out a chunk at a time, for list responses too
 * large to hold as one string or to build in one go (a 10,000-host page is ~14 MiB of JSON:
 * built whole, it and its objects cost ~100 MB of memory at once, and building it held the
 * event loop, so every agent's report, for a third of a second). The bytes are what the
 * route's response schema describes: fastify does not serialize a stream, so each element goes
 * through the serializer fastify compiles from the element's schema.
 *
 * Each chunk is read, built and serialized in a turn of the event loop of its own, and the
 * chunks are made one after the other without waiting for the client to read them: what they
 * are read from (a snapshot of the store, store/snapshot.ts) is then released as soon as
 * the object is made, whatever the client's speed. Only the text waits for a slow client (the
 * page's JSON, not its objects).
 */
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { TSchema } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';

export interface JsonArrayBody<T> {
  /** The object's other members (small: serialized with JSON.stringify). */
  head: Record<string, unknown>;
  /** The member holding the array, written last. */
  key: string;
  chunks: Iterable<readonly T[]> | AsyncIterable<readonly T[]>;
  /** The schema of one element, as in the route's response schema. */
  itemSchema: TSchema;
  /** Called once, when the last chunk is read or the object is given up (the client went away, a chunk failed). */
  close?: () => void;
}

/** `{...head, key: [...every chunk's items]}`, streamed. */
export function jsonArrayStream<T>(body: JsonArrayBody<T>, serialize: (item: T) => string): Readable {
  const out = new Readable({ read() {} });
  async function make(): Promise<void> {
    try {
      // `{..."key":[]}` without its last two characters: the object, open on its array.
      out.push(JSON.stringify({ ...body.head, [body.key]: [] }).slice(0, -2));
      // The head took a turn already (the route counted the list): the first chunk takes its own.
      await nextTurn();
      if (out.destroyed) return;
      let first = true;
      for await (const chunk of body.chunks) {
        if (chunk.length) {
          out.push((first ? '' : ',') + chunk.map(serialize).join(','));
          first = false;
        }
        // The client went away: read no more (leaving the loop ends the chunks' iteration).
        if (out.destroyed) return;
        await nextTurn();
        if (out.destroyed) return;
      }
      out.push(']}');
      out.push(null);
    } finally {
      body.close?.();
    }
  }
  make().catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
  return out;
}

/** Answer `reply` with the streamed object (application/json). */
export function sendJsonArray<T>(reply: FastifyReply, body: JsonArrayBody<T>): void {
  let serialize: (item: T) => string;
  try {
    serialize = reply.compileSerializationSchema(body.itemSchema) as (item: T) => string;
  } catch (e) {
    body.close?.();
    throw e;
  }
  void reply.type('application/json; charset=utf-8').send(jsonArrayStream(body, serialize));
}
