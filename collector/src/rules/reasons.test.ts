/**
 * Every reason code the collector can write exists in the one catalogue, in both languages with
 * the same parameters: the codes passed to because() anywhere in the collector's source, and
 * the codes its shipped rule files name. A code missing or half-translated fails here, before a
 * report shows a bare code or an English sentence in a Vietnamese appendix.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REASONS, placeholders } from '@posture/protocol';
import { loadRuleFiles } from './format.js';
import { expandRuleFiles, SHIPPED_RULES } from './manager.js';
import { because, reasonText } from './reasons.js';

const SRC = resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []));
}

const emitted = [...new Set(sources(SRC).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/because\(\s*'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]!)))].sort();
const inRules = [
  ...new Set(
    loadRuleFiles(expandRuleFiles([SHIPPED_RULES]))
      .flatMap((g) => g.rules)
      .flatMap((r) => [...(r.reason?.source ?? '').matchAll(/"([A-Z][A-Z0-9_]+)"/g)].map((m) => m[1]!)),
  ),
];

describe('reason codes the collector writes', () => {
  it('finds the codes (the scan itself works)', () => {
    expect(emitted).toEqual(expect.arrayContaining(['HOST_STALE', 'SYSTEM_UNCLASSIFIED', 'PORTAL_NO_REPORTS', 'RULE_EVAL_FAILED']));
    expect(inRules).toEqual(expect.arrayContaining(['PORTAL_NOT_PROBED_NO_REPORTS', 'PORTAL_NOT_PROBED', 'PORTAL_PROBE_TOO_OLD', 'PORTAL_OUTSIDE_LEVEL']));
  });

  it.each([...emitted, ...inRules].map((c) => [c]))('%s is in the catalogue in Vietnamese and English with the same parameters', (code) => {
    const t = REASONS[code];
    expect(t, `${code}: add it to protocol/src/reasons/collector.ts in both languages`).toBeDefined();
    expect(t!.vi.trim()).not.toBe('');
    expect(t!.en.trim()).not.toBe('');
    expect(placeholders(t!.vi)).toEqual(placeholders(t!.en));
    // A rendered reason never shows an unfilled placeholder when its parameters are given.
    const params = Object.fromEntries(placeholders(t!.vi).map((p) => [p, 'x']));
    expect(reasonText(because(code, params), 'vi')).not.toMatch(/\{[a-zA-Z]/);
  });

  it('an unknown code is shown as itself, never dropped', () => {
    expect(reasonText(because('NEWER_COLLECTOR_CODE', { n: 2 }), 'vi')).toBe('NEWER_COLLECTOR_CODE (n=2)');
  });
});
