/**
 * Validation with ajv against the protocol's schemas, for the routes' schemas and for each
 * relayed report. Bodies: strict, no coercion, no removal of unknown fields, every error named
 * by its JSON pointer. Query strings and path parameters arrive as text, so there numbers and
 * booleans are coerced ("10" -> 10) and defaults filled; unknown keys are still errors. Errors
 * of the `anyOf` branch that the document did not choose (probe `ok: true` vs `ok: false`) are
 * dropped so the message points at the real problem.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from '@sinclair/typebox';
import { ApiError, EnrollRequest, EnrollResponse, RelayAck, RelayBatch, RelayEnrollRequest, RelayEnrollResponse, Report, ReportAck } from '@posture/protocol';
import type { FieldProblem } from '../errors.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
type AddFormats = (ajv: Ajv, formats: string[]) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

/** The protocol's top-level schemas, known to routes by `$id` (`refTo` in routes/schemas.ts). */
export const WIRE_SCHEMAS: readonly TSchema[] = [Report, EnrollRequest, EnrollResponse, ApiError, ReportAck, RelayEnrollRequest, RelayEnrollResponse, RelayBatch, RelayAck];

const bodyAjv = new Ajv({ allErrors: true, strict: true, coerceTypes: false, removeAdditional: false, useDefaults: false });
addFormats(bodyAjv, ['date-time', 'uuid']);
for (const s of WIRE_SCHEMAS) bodyAjv.addSchema(s);

// verbose: errors carry their schema, so a message can list the allowed parameters.
const textAjv = new Ajv({ allErrors: true, strict: true, coerceTypes: true, removeAdditional: false, useDefaults: true, verbose: true });
addFormats(textAjv, ['date-time', 'uuid']);

/**
 * A fast first pass for bodies: the same schemas, stopping at the first error, with maxLength
 * counted in UTF-16 units (`unicode: false`) rather than code points. ajv's code-point count of
 * every bounded string was about a fifth of validating a real agent's report (62 baseline
 * checks, 120-300 µs). A body it accepts is valid (a UTF-16 length within a bound means the code
 * points are too); anything else goes through the full validator, which decides and names every
 * error. A minimum length above 1 could differ (4 emoji are 8 units but 4 code points), so
 * schemas with one get no fast pass. Its ajv logs nothing: `unicode` is deprecated, and bodyAjv
 * compiles and reports on the same schemas.
 */
const fastAjv = new Ajv({ allErrors: false, strict: true, coerceTypes: false, removeAdditional: false, useDefaults: false, unicode: false, logger: false });
addFormats(fastAjv, ['date-time', 'uuid']);

/**
 * For the fast pass: a union of string literals (TypeBox writes `anyOf` of `const`s: a check's
 * result, a readiness, an OS family) as the `enum` it is equal to. ajv builds an error object
 * for every `anyOf` branch that fails before one matches, so `"unknown"` cost three; an `enum`
 * is one comparison per value. Over a real agent's 62 checks that was about a sixth of the
 * report's validation. The full validator keeps the schema as written, so messages are unchanged.
 */
export function literalUnionsAsEnums(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(literalUnionsAsEnums);
  if (schema === null || typeof schema !== 'object') return schema;
  const { anyOf, ...rest } = schema as { anyOf?: unknown };
  // A branch is a literal when it says nothing but its string constant (and that it is a string).
  const literal = (b: unknown) => {
    const { const: value, type, ...other } = (b ?? {}) as { const?: unknown; type?: unknown };
    return typeof value === 'string' && (type === undefined || type === 'string') && Object.keys(other).length === 0 ? value : undefined;
  };
  const values = Array.isArray(anyOf) ? anyOf.map(literal) : [];
  if (values.length && values.every((v) => v !== undefined)) return { ...(literalUnionsAsEnums(rest) as object), type: 'string', enum: values };
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, literalUnionsAsEnums(v)]));
}
for (const s of WIRE_SCHEMAS) fastAjv.addSchema(literalUnionsAsEnums(s) as TSchema);

/** The largest minLength in a schema, through its $refs to the wire schemas. */
function largestMinLength(schema: unknown, seen = new Set<unknown>()): number {
  if (schema === null || typeof schema !== 'object' || seen.has(schema)) return 0;
  seen.add(schema);
  const s = schema as { minLength?: unknown; $ref?: unknown };
  let most = typeof s.minLength === 'number' ? s.minLength : 0;
  if (typeof s.$ref === 'string') {
    const id = s.$ref.split('#')[0];
    most = Math.max(
      most,
      largestMinLength(
        WIRE_SCHEMAS.find((w) => w.$id === id),
        seen,
      ),
    );
  }
  for (const v of Object.values(schema)) most = Math.max(most, largestMinLength(v, seen));
  return most;
}

/** `full`, asked only when `fast` refuses: its verdict and errors are the answer. */
function withFastPass(full: ValidateFunction, fast: ValidateFunction): ValidateFunction {
  const validate = ((data: unknown) => {
    if (fast(data)) {
      validate.errors = null;
      return true;
    }
    const ok = full(data);
    validate.errors = full.errors;
    return ok;
  }) as ValidateFunction;
  validate.schema = full.schema;
  validate.schemaEnv = full.schemaEnv;
  return validate;
}

/** A body validator: the full one, behind the fast pass where it gives the same verdicts. */
function bodyValidator(schema: object): ValidateFunction {
  const full = bodyAjv.compile(schema);
  return largestMinLength(schema) <= 1 ? withFastPass(full, fastAjv.compile(literalUnionsAsEnums(schema) as object)) : full;
}

/** The validator of one part of a request (fastify's validator compiler). */
export function compileRequestSchema(schema: object, httpPart: string | undefined): ValidateFunction {
  return httpPart === 'body' ? bodyValidator(schema) : textAjv.compile(schema);
}

export const validateReport: ValidateFunction = largestMinLength(Report) <= 1 ? withFastPass(bodyAjv.getSchema('Report')!, fastAjv.getSchema('Report')!) : bodyAjv.getSchema('Report')!;

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field "${String(e.params.additionalProperty)}" (not in schema version 1)`;
    case 'required':
      return `missing required field "${String(e.params.missingProperty)}"`;
    case 'maxLength':
      return `longer than ${String(e.params.limit)} characters`;
    case 'maxItems':
      return `more than ${String(e.params.limit)} items`;
    case 'type':
      return `must be ${String(e.params.type)}`;
    case 'const':
      return `must be ${JSON.stringify(e.params.allowedValue)}`;
    case 'format':
      return `must be a valid ${String(e.params.format)}`;
    default:
      return e.message ?? e.keyword;
  }
}

/** Turn ajv errors into field problems, most specific first, without duplicate noise. */
export function problemsOf(errors: ErrorObject[] | null | undefined): FieldProblem[] {
  if (!errors?.length) return [];
  // Branches of an anyOf whose `ok` literal did not match are not what the sender meant.
  const wrongBranches = new Set(errors.filter((e) => e.keyword === 'const' && /\/anyOf\/\d+\/properties\/ok\/const$/.test(e.schemaPath)).map((e) => e.schemaPath.replace(/\/properties\/ok\/const$/, '/')));
  const kept = errors.filter((e) => e.keyword !== 'anyOf' && ![...wrongBranches].some((b) => e.schemaPath.startsWith(b)));
  // A missing or unknown field is named by its own pointer, not its parent's.
  const child = (name: unknown) => `/${String(name).replace(/~/g, '~0').replace(/\//g, '~1')}`;
  const list = (kept.length ? kept : errors).map((e) => ({
    path: e.instancePath + (e.keyword === 'required' ? child(e.params.missingProperty) : e.keyword === 'additionalProperties' ? child(e.params.additionalProperty) : ''),
    message: describe(e),
  }));
  const seen = new Set<string>();
  return list
    .filter((p) => {
      const k = `${p.path} ${p.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .slice(0, 20);
}

/**
 * What the schema cannot say but the stores need, found by one walk of the accepted document:
 * numbers must be finite (JSON `1e400` parses to Infinity, which InfluxDB refuses), strings must
 * be well-formed UTF-16 (a lone surrogate cannot be stored as UTF-8 exactly), and the hostname,
 * the one free-text InfluxDB tag, must be writable as a tag: InfluxDB 1.x line protocol has no
 * escape for a newline or a trailing backslash in a tag value (node-influx writes them as they
 * are and InfluxDB refuses the batch), and no real hostname holds control characters or `\`.
 */
// With the u flag a well-formed pair is one code point, so only unpaired surrogates match.
const LONE_SURROGATE = /\p{Cs}/u;
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

export function storageProblems(report: { probes: { host: { ok: boolean; facts?: { hostname: string } } } }, json?: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const walk = (v: unknown, path: string): void => {
    if (problems.length >= 20) return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) problems.push({ path, message: 'must be a finite number' });
    } else if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) problems.push({ path, message: 'contains an unpaired UTF-16 surrogate (not valid Unicode text)' });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}/${i}`));
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    }
  };
  // JSON.stringify writes an unpaired surrogate as a \uD8xx-\uDFxx escape and ajv has refused
  // non-finite numbers, so with the report's JSON at hand only a hit needs the full walk.
  if (json === undefined || SURROGATE_ESCAPE.test(json)) walk(report, '');
  const host = report.probes.host;
  // eslint-disable-next-line no-control-regex
  if (host.ok && host.facts && /[\u0000-\u001f\u007f-\u009f\\]/.test(host.facts.hostname)) {
    problems.push({ path: '/probes/host/facts/hostname', message: 'must not contain control characters (newline, tab, ...) or backslashes' });
  }
  return problems;
}

/** The query-string or path parameter an error is about. */
function parameterOf(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return String(e.params.additionalProperty);
  if (e.keyword === 'required') return String(e.params.missingProperty);
  return decodeURIComponent(e.instancePath.split('/')[1] ?? '')
    .replace(/~1/g, '/')
    .replace(/~0/g, '~');
}

/** One sentence per error of a query string or path, naming the parameter and the fix. */
function describeParameter(e: ErrorObject, name: string): string {
  const schema = (e.parentSchema ?? {}) as { title?: string; properties?: Record<string, unknown>; type?: string; minimum?: number; maximum?: number };
  const given = Array.isArray(e.data) ? ', given more than once' : `, got ${JSON.stringify(e.data) ?? 'nothing'}`;
  if (schema.type === 'integer' && schema.minimum !== undefined && schema.maximum !== undefined && ['type', 'minimum', 'maximum'].includes(e.keyword)) {
    return `"${name}" must be a whole number from ${schema.minimum} to ${schema.maximum}${given}`;
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys(schema.properties ?? {});
      return `"${name}" is not a parameter here; ${allowed.length ? `allowed once each: ${allowed.join(', ')}` : 'this route takes none'}`;
    }
    case 'required':
      return `"${name}" is required`;
    case 'enum':
      return `unknown ${schema.title ?? name} ${JSON.stringify(e.data) ?? ''}: use ${(e.params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'type':
      return Array.isArray(e.data) ? `"${name}" is given more than once; give it once` : `"${name}" must be ${e.params.type === 'integer' ? 'a whole number' : String(e.params.type)}${given}`;
    case 'maxLength':
      return `"${name}" is longer than ${String(e.params.limit)} characters`;
    case 'minimum':
    case 'maximum':
      return `"${name}" must be ${e.keyword === 'minimum' ? 'at least' : 'at most'} ${String(e.params.limit)}${given}`;
    default:
      return `"${name}" ${e.message ?? `fails ${e.keyword}`}`;
  }
}

/** Field problems of a query string or path (JSON pointer of the parameter) and the names involved. */
export function parameterProblems(errors: readonly ErrorObject[]): { names: string[]; problems: FieldProblem[] } {
  const names: string[] = [];
  const problems: FieldProblem[] = [];
  for (const e of errors) {
    // A repeated parameter is an array: its type error says so, its enum error would only repeat it.
    if (e.keyword === 'enum' && Array.isArray(e.data)) continue;
    const name = parameterOf(e);
    if (!names.includes(name)) names.push(name);
    const p = { path: `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: describeParameter(e, name) };
    if (!problems.some((q) => q.path === p.path && q.message === p.message)) problems.push(p);
  }
  return { names, problems: problems.slice(0, 20) };
}
