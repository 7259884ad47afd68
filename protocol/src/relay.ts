/**
 * Federation: a unit's collector (the relay) forwards the reports it stored to the ministry's
 * collector. The relay trades its unit's enrollment secret for a relay credential bound to that
 * unit, then posts batches; the answer says, per report, what became of it.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Ident } from './report.js';

export const RelayEnrollRequest = Type.Object(
  {
    /** The unit this relay speaks for; the secret must be that unit's. */
    unit: Ident,
    secret: Type.String({ minLength: 8, maxLength: 256 }),
    /** Who the relay is, e.g. the unit collector's host name; shown in lists and logs. */
    name: Type.String({ minLength: 1, maxLength: 253 }),
  },
  { additionalProperties: false, $id: 'RelayEnrollRequest' },
);
export type RelayEnrollRequest = Static<typeof RelayEnrollRequest>;

export const RelayEnrollResponse = Type.Object(
  {
    relayId: Ident,
    unit: Ident,
    /** Bearer credential for /api/v1/relay/reports. Shown once; the collector keeps its hash. */
    credential: Type.String({ maxLength: 256 }),
  },
  { additionalProperties: false, $id: 'RelayEnrollResponse' },
);
export type RelayEnrollResponse = Static<typeof RelayEnrollResponse>;

/**
 * Body of POST /api/v1/relay/reports. Items are checked one by one against the report schema
 * (so one bad item does not refuse its neighbours): here they are only objects.
 */
export const RelayBatch = Type.Object(
  {
    reports: Type.Array(Type.Object({}, { additionalProperties: true }), { minItems: 1, maxItems: 5000 }),
  },
  { additionalProperties: false, $id: 'RelayBatch' },
);
export type RelayBatch = Static<typeof RelayBatch>;

export const RelayItemResult = Type.Object(
  {
    /** The item's reportId, or null when the item has none that can be read. */
    reportId: Type.Union([Type.String(), Type.Null()]),
    /** stored: new; duplicate: already stored (a resend); refused: will never be stored, see code. */
    status: Type.Union([Type.Literal('stored'), Type.Literal('duplicate'), Type.Literal('refused')]),
    code: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type RelayItemResult = Static<typeof RelayItemResult>;

export const RelayAck = Type.Object(
  {
    /** One result per item, in the order of the batch. */
    results: Type.Array(RelayItemResult),
  },
  { additionalProperties: false, $id: 'RelayAck' },
);
export type RelayAck = Static<typeof RelayAck>;
