/**
 * Report validation with ajv against the protocol's schema: strict, no coercion, no removal of
 * unknown fields, every error named by its JSON pointer. Errors of the `anyOf` branch that the
 * document did not choose (probe `ok: true` vs `ok: false`) are dropped so the message points
 * at the real problem.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { EnrollRequest, Report } from '@posture/protocol';
import type { FieldProblem } from '../errors.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
type AddFormats = (ajv: Ajv, formats: string[]) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: false, removeAdditional: false, useDefaults: false });
addFormats(ajv, ['date-time', 'uuid']);

export const validateReport: ValidateFunction = ajv.compile(Report);
export const validateEnroll: ValidateFunction = ajv.compile(EnrollRequest);

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
  const wrongBranches = new Set(
    errors.filter((e) => e.keyword === 'const' && /\/anyOf\/\d+\/properties\/ok\/const$/.test(e.schemaPath)).map((e) => e.schemaPath.replace(/\/properties\/ok\/const$/, '/')),
  );
  const kept = errors.filter((e) => e.keyword !== 'anyOf' && ![...wrongBranches].some((b) => e.schemaPath.startsWith(b)));
  const list = (kept.length ? kept : errors).map((e) => ({
    path: e.instancePath + (e.keyword === 'required' || e.keyword === 'additionalProperties' ? '' : ''),
    message: describe(e),
  }));
  const seen = new Set<string>();
  return list.filter((p) => {
    const k = `${p.path} ${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  }).slice(0, 20);
}
