/**
 * The committed dashboard JSON validates against the Grafana Foundation SDK's own types: JSON
 * Schemas generated from the SDK's .d.ts (ts-json-schema-generator, closed objects), for the
 * dashboard and panel structure, each panel type's options and custom field config, and our
 * InfluxQL target type. A misspelt key or a wrong value type fails here.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { createGenerator } from 'ts-json-schema-generator';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OUT } from './build.js';

const SDK = resolve(import.meta.dirname, '../../node_modules/@grafana/grafana-foundation-sdk/dist');

// No ambient @types: otherwise a global type of the same name from another package (iconv-lite
// declares a global `Options`) wins over the SDK's own.
const TSCONFIG = resolve(import.meta.dirname, '../tsconfig.schema.json');

function schemaOf(path: string, type: string): Record<string, unknown> {
  const g = createGenerator({ path, tsconfig: TSCONFIG, type, skipTypeCheck: true, functions: 'hide', additionalProperties: false, expose: 'all', topRef: false, jsDoc: 'none' });
  return g.createSchema(type) as Record<string, unknown>;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const compile = (s: Record<string, unknown>): ValidateFunction => ajv.compile(s);

// Our target type stands in for the SDK's opaque Dataquery interface.
const targetSchema = schemaOf(resolve(import.meta.dirname, 'influxql.ts'), 'InfluxQLTarget');
const dashboardSchema = schemaOf(join(SDK, 'dashboard/types.gen.d.ts'), 'Dashboard') as { definitions: Record<string, unknown> };
dashboardSchema.definitions.Dataquery = { ...targetSchema, definitions: undefined };
Object.assign(dashboardSchema.definitions, (targetSchema as { definitions?: Record<string, unknown> }).definitions ?? {});
const validateDashboard = compile(dashboardSchema);

const OPTIONS: Record<string, ValidateFunction> = {};
const options = (type: string) => (OPTIONS[type] ??= compile(schemaOf(join(SDK, `${type}/types.gen.d.ts`), 'Options')));
const CUSTOM_TYPES: Record<string, [string, string]> = {
  timeseries: ['common', 'GraphFieldConfig'],
  table: ['common', 'TableFieldOptions'],
  barchart: ['barchart', 'FieldConfig'],
  histogram: ['histogram', 'FieldConfig'],
};
const CUSTOM: Record<string, ValidateFunction> = {};
const custom = (type: string) => {
  const t = CUSTOM_TYPES[type];
  return t ? (CUSTOM[type] ??= compile(schemaOf(join(SDK, `${t[0]}/types.gen.d.ts`), t[1]))) : undefined;
};

const errors = (v: ValidateFunction) => (v.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`).join('\n');

interface PanelJson {
  type: string;
  title?: string;
  options?: unknown;
  fieldConfig?: { defaults?: { custom?: unknown } };
}

const files = ['vi', 'en'].flatMap((lang) => readdirSync(join(DEFAULT_OUT, 'dashboards', lang)).map((f) => join('dashboards', lang, f)));

describe('generated dashboards validate against the SDK types', () => {
  it('finds the ten dashboards (five, in Vietnamese and English)', () => {
    expect(files).toHaveLength(10);
  });

  it.each(files)('%s', (file) => {
    const d = JSON.parse(readFileSync(join(DEFAULT_OUT, file), 'utf8')) as { panels: PanelJson[] };
    expect(validateDashboard(d), errors(validateDashboard)).toBe(true);
    for (const p of d.panels.filter((x) => x.type !== 'row')) {
      const vo = options(p.type);
      expect(vo(p.options ?? {}), `${file} panel "${p.title}" options:\n${errors(vo)}`).toBe(true);
      const vc = custom(p.type);
      if (vc && p.fieldConfig?.defaults?.custom) expect(vc(p.fieldConfig.defaults.custom), `${file} panel "${p.title}" custom:\n${errors(vc)}`).toBe(true);
    }
  });

  it('rejects a dashboard with a misspelt panel key (the check can fail)', () => {
    const d = JSON.parse(readFileSync(join(DEFAULT_OUT, files[0]!), 'utf8')) as { panels: Record<string, unknown>[] };
    d.panels[0]!.titel = 'typo';
    expect(validateDashboard(d)).toBe(false);
    expect(errors(validateDashboard)).toMatch(/titel/);
  });

  it('rejects a target with a misspelt key or a wrong result format', () => {
    const d = JSON.parse(readFileSync(join(DEFAULT_OUT, files[0]!), 'utf8')) as { panels: { targets?: Record<string, unknown>[] }[] };
    const target = d.panels.find((p) => p.targets?.length)!.targets![0]!;
    target.querry = target.query;
    expect(validateDashboard(d)).toBe(false);
    delete target.querry;
    target.resultFormat = 'tabel';
    expect(validateDashboard(d)).toBe(false);
    target.resultFormat = 'table';
    expect(validateDashboard(d), errors(validateDashboard)).toBe(true);
  });
});
