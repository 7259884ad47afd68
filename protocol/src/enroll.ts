/** Enrollment: an agent trades its unit's enrollment secret for its own credential. */
import { Type, type Static } from '@sinclair/typebox';
import { Ident } from './report.js';

export const EnrollRequest = Type.Object(
  {
    /** The unit the agent asks to join; the secret must be that unit's. */
    unit: Ident,
    secret: Type.String({ minLength: 8, maxLength: 256 }),
    hostname: Type.String({ minLength: 1, maxLength: 253 }),
    /** Lets a re-installed host keep one identity; empty when unknown. */
    machineId: Type.String({ maxLength: 128 }),
  },
  { additionalProperties: false, $id: 'EnrollRequest' },
);
export type EnrollRequest = Static<typeof EnrollRequest>;

export const EnrollResponse = Type.Object(
  {
    agentId: Ident,
    unit: Ident,
    /** Bearer credential for /api/v1/reports. Shown once; the collector keeps only its hash. */
    credential: Type.String({ maxLength: 256 }),
  },
  { additionalProperties: false, $id: 'EnrollResponse' },
);
export type EnrollResponse = Static<typeof EnrollResponse>;

/** Body of every 4xx/5xx answer of the collector's API. */
export const ApiError = Type.Object(
  {
    /** Stable code, e.g. REPORT_INVALID, AUTH_REQUIRED (see collector/src/errors.ts). */
    code: Type.String(),
    message: Type.String(),
    /** For validation errors: the JSON pointer of the failing field and why. */
    details: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { additionalProperties: false, $id: 'ApiError' },
);
export type ApiError = Static<typeof ApiError>;

export const ReportAck = Type.Object(
  {
    reportId: Type.String(),
    /** false when this report id was already stored (a resend); it was not counted twice. */
    stored: Type.Boolean(),
  },
  { additionalProperties: false, $id: 'ReportAck' },
);
export type ReportAck = Static<typeof ReportAck>;
