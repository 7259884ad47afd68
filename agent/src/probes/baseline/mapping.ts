/**
 * The check-to-level mapping (mapping.yaml): parsed and validated apart from the checks, like
 * Prometheus' rulefmt. The built-in copy is embedded at build time (mapping.generated.ts), so
 * the agent needs no file next to it; `baseline.mappingFile` overrides entries field by field.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { LineCounter, parseDocument } from 'yaml';
import { BUILTIN_MAPPING_YAML } from './mapping.generated.js';

const Obj = <T extends Parameters<typeof Type.Object>[0]>(p: T) => Type.Object(p, { additionalProperties: false });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

export const MappingEntry = Obj({
  level: Type.Integer({ minimum: 1, maximum: 5 }),
  clause: Text(512),
  judgement: Type.Boolean(),
  note: Type.Optional(Text(512)),
  roles: Type.Optional(Type.Array(Type.Union([Type.Literal('server'), Type.Literal('workstation')]), { minItems: 1, maxItems: 2 })),
  params: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]*$' }), Type.Number())),
  /** Per-level minimum of the check's measured value (level -> minimum), when it grows with the level. */
  minByLevel: Type.Optional(Type.Record(Type.String({ pattern: '^[1-5]$' }), Type.Number())),
  remediation: Type.Optional(Text(512)),
  title: Obj({ vi: Text(256), en: Text(256) }),
});
export type MappingEntry = Static<typeof MappingEntry>;

const CheckId = '^[a-z0-9][a-z0-9._-]*$';
/** The full file: every field required. */
const MappingFile = Obj({
  legal_basis: Text(512),
  checks: Type.Record(Type.String({ pattern: CheckId, maxLength: 64 }), MappingEntry),
});
/** An override file: any subset of entries and fields. */
const OverrideFile = Obj({
  legal_basis: Type.Optional(Text(512)),
  checks: Type.Optional(Type.Record(Type.String({ pattern: CheckId, maxLength: 64 }), Type.Partial(MappingEntry))),
});

export interface Mapping {
  legalBasis: string;
  checks: ReadonlyMap<string, MappingEntry>;
}

export class MappingError extends Error {
  readonly code = 'BASELINE_MAPPING_INVALID';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: invalid baseline mapping:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Parse YAML and validate it against `schema`; errors name the line and the key. */
function parseWith<T>(schema: Parameters<typeof Value.Errors>[0], text: string, source: string): T {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length)
    throw new MappingError(
      source,
      doc.errors.map((e) => `line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`),
    );
  const raw: unknown = doc.toJS();
  const problems = [...Value.Errors(schema, raw)].map((e) => {
    const path = e.path.split('/').filter(Boolean);
    // A missing key has no node: point at its parent instead.
    const at = (p: string[]) => doc.getIn(p, true) as { range?: [number, number] } | undefined;
    const node = at(path)?.range ? at(path) : at(path.slice(0, -1));
    const line = node?.range ? `line ${lines.linePos(node.range[0]).line}, ` : '';
    const key = path.join('.') || '(top level)';
    return e.message.includes('Unexpected property') ? `${line}unknown key "${key}": remove it or check its spelling` : `${line}${key}: ${e.message}`;
  });
  if (problems.length) throw new MappingError(source, [...new Set(problems)]);
  return raw as T;
}

export function parseMapping(text: string, source: string): Mapping {
  const f = parseWith<Static<typeof MappingFile>>(MappingFile, text, source);
  return { legalBasis: f.legal_basis, checks: new Map(Object.entries(f.checks)) };
}

/** Apply an override file: only known check ids, fields replaced, params merged. */
export function applyOverride(base: Mapping, text: string, source: string): Mapping {
  const o = parseWith<Static<typeof OverrideFile>>(OverrideFile, text, source);
  const checks = new Map(base.checks);
  const unknownIds = Object.keys(o.checks ?? {}).filter((id) => !checks.has(id));
  if (unknownIds.length) {
    throw new MappingError(
      source,
      unknownIds.map((id) => `unknown check id "${id}" (known: ${[...checks.keys()].join(', ')})`),
    );
  }
  // A parameter the check does not read would be silently ignored: refuse it, naming it.
  const badParams = Object.entries(o.checks ?? {}).flatMap(([id, patch]) =>
    Object.keys(patch.params ?? {})
      .filter((k) => !(k in (checks.get(id)!.params ?? {})))
      .map((k) => {
        const known = Object.keys(checks.get(id)!.params ?? {});
        const hint = checks.get(id)!.minByLevel ? `; this check's thresholds are per level: set minByLevel (e.g. minByLevel: { "3": 90 })` : '';
        return `checks.${id}.params.${k}: unknown parameter (known: ${known.join(', ') || 'none'})${hint}`;
      }),
  );
  if (badParams.length) throw new MappingError(source, badParams);
  for (const [id, patch] of Object.entries(o.checks ?? {})) {
    const old = checks.get(id)!;
    checks.set(id, { ...old, ...patch, params: { ...old.params, ...patch.params }, ...(old.minByLevel || patch.minByLevel ? { minByLevel: { ...old.minByLevel, ...patch.minByLevel } } : {}) });
  }
  return { legalBasis: o.legal_basis ?? base.legalBasis, checks };
}

let builtin: Mapping | undefined;
/** The mapping compiled into the agent (validated once; a broken build fails its tests). */
export function builtinMapping(): Mapping {
  builtin ??= parseMapping(BUILTIN_MAPPING_YAML, 'built-in baseline mapping (agent/src/probes/baseline/mapping.yaml)');
  return builtin;
}
