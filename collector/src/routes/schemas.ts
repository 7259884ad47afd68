/**
 * Pieces every route's schema uses, and the type of the options each route plugin gets. A
 * route declares body, querystring, params and response; the TypeBox type provider turns those
 * schemas into the handler's types, so the schema is the one source of truth for both.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ApiError } from '@posture/protocol';
import type { TokenBuckets } from '../auth/ratelimit.js';
import type { Collector } from '../context.js';

/** What app.ts hands every route plugin. */
export interface RouteDeps {
  c: Collector;
  /** Per-source limiter of enrollment attempts (agents and relays share it). */
  enrollLimiter: TokenBuckets;
}

/** A protocol schema by its `$id` (shared with validation and serialization, not copied). */
export const refTo = <T extends TSchema>(schema: T) => Type.Unsafe<Static<T>>(Type.Ref(schema.$id!));

/** Every error answer is the API's error body. */
export const errorResponses = { '4xx': refTo(ApiError), '5xx': refTo(ApiError) } as const;

/** A query string that takes no parameters: any key is refused, naming it. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

/** A closed query-string schema: unknown keys are refused, each key at most once. */
export const Query = <T extends Parameters<typeof Type.Object>[0]>(props: T) => Type.Object(props, { additionalProperties: false });

/** A string from a fixed list; `title` names it in the error ("unknown language ..."). */
export const StringEnum = <const T extends readonly string[]>(values: T, title?: string) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(title ? { title } : {}) });

/** A path segment naming a record (an id, or for hosts also a hostname). */
export const Key = Type.String({ minLength: 1, maxLength: 253 });

/** `:id` paths. */
export const IdParams = Type.Object({ id: Key }, { additionalProperties: false });

/** A database row: the named columns are typed, others are passed through as stored. */
export const Row = <T extends Parameters<typeof Type.Object>[0]>(props: T) => Type.Object(props, { additionalProperties: true });

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
