/** Test helpers: read recorded outputs from testdata/, run the probe over a FixtureSystem. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FormatRegistry } from '@sinclair/typebox';
import { expect } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { ProtectionFacts } from '@posture/protocol';
import { validateConfig } from '../../config.js';
import { FixtureSystem, type Fixture } from '../../../../testing/fixture-system.js';
import { MP_PROPS as MP_PROPS_READ } from './windows/defender.js';
import { protectionProbe } from './index.js';

// The collector validates date-time with ajv-formats; TypeBox needs the format declared.
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)));

/** A recorded output from testdata/ (see testdata/README.md for where each came from). */
export const fx = (path: string): string => readFileSync(fileURLToPath(new URL(`./testdata/${path}`, import.meta.url)), 'utf8');

/** Properties our Get-MpComputerStatus pipeline selects, in its order. */
const MP_PROPS: readonly string[] = MP_PROPS_READ;

/**
 * What `Get-MpComputerStatus | Select-Object ... | ConvertTo-Json -Compress` prints on Windows
 * PowerShell 5.1 for a machine whose `Format-List` view was recorded: True/False become booleans,
 * integers numbers, dates "/Date(ms)/" (local time taken as UTC), empty values null.
 */
export function formatListToMpJson(text: string, dateOrder: 'dmy' | 'mdy'): string {
  const o: Record<string, unknown> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = line.match(/^(\w+)\s*:\s?(.*)$/);
    if (!m || !MP_PROPS.includes(m[1]!)) continue;
    const v = m[2]!.trim();
    const d = v.match(/^(\d{1,2})[/-](\d{1,2})[/-](\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)$/);
    if (v === '') o[m[1]!] = null;
    else if (v === 'True' || v === 'False') o[m[1]!] = v === 'True';
    else if (/^\d+$/.test(v)) o[m[1]!] = Number(v);
    else if (d) {
      const [day, month] = dateOrder === 'dmy' ? [+d[1]!, +d[2]!] : [+d[2]!, +d[1]!];
      const hour = (+d[4]! % 12) + (d[7] === 'PM' ? 12 : 0);
      o[m[1]!] = `/Date(${Date.UTC(+d[3]!, month - 1, day, hour, +d[5]!, +d[6]!)})/`;
    } else o[m[1]!] = v;
  }
  return JSON.stringify(o);
}

/** Run the probe on a replayed machine; the facts must always satisfy the wire schema. */
export async function collect(spec: Fixture, protection: Record<string, unknown> = {}) {
  const system = new FixtureSystem(spec);
  const config = validateConfig({ unit: 'test-unit', protection }, 'test');
  const facts = await protectionProbe.collect({ system, config, signal: new AbortController().signal, earlier: {} });
  if (!Value.Check(ProtectionFacts, facts)) {
    throw new Error(`facts break the report schema: ${JSON.stringify([...Value.Errors(ProtectionFacts, facts)].slice(0, 3))}`);
  }
  return { facts, system, byId: (id: string) => facts.products.find((p) => p.id === id) };
}

/** What a table case expects of one product. */
export interface ExpectedProduct {
  id: string;
  running?: boolean | null;
  realTime?: boolean | null;
  protects: boolean;
  signatureAgeHours?: number | null;
  /** Fields that must be listed as unknown (with a reason). */
  unknown?: string[];
}

type Facts = Awaited<ReturnType<typeof collect>>['facts'];

/** The checks every table case makes: verdict, the product's facts, the reason text. */
export function expectCase(facts: Facts, c: { protected: boolean; product?: ExpectedProduct; reason?: RegExp }): void {
  expect(facts.protected).toBe(c.protected);
  if (c.product) {
    const p = facts.products.find((x) => x.id === c.product!.id);
    expect(p, `product ${c.product.id} in ${JSON.stringify(facts.products.map((x) => x.id))}`).toBeDefined();
    expect(p!.protects).toBe(c.product.protects);
    if (c.product.running !== undefined) expect(p!.running).toBe(c.product.running);
    if (c.product.realTime !== undefined) expect(p!.realTime).toBe(c.product.realTime);
    if (c.product.signatureAgeHours !== undefined) expect(p!.signatureAgeHours).toBe(c.product.signatureAgeHours);
    for (const f of c.product.unknown ?? []) expect(p!.unknown.map((u) => u.field)).toContain(f);
    for (const u of p!.unknown) expect(u.reason.length).toBeGreaterThan(5);
  }
  if (c.reason) expect(facts.reasons.join('\n')).toMatch(c.reason);
}
