#!/usr/bin/env node
// Embed agent/src/probes/baseline/mapping.yaml as a TS module, so the mapping travels inside
// dist/ and inside a single-file bundle (esbuild) without a file beside the agent.
// Run after editing mapping.yaml; a unit test fails while the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../src/probes/baseline/', import.meta.url));
export const render = (yamlText) => '// GENERATED from mapping.yaml by agent/scripts/gen-baseline-mapping.mjs: do not edit.\n' + `export const BUILTIN_MAPPING_YAML = ${JSON.stringify(yamlText)};\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(`${dir}mapping.generated.ts`, render(readFileSync(`${dir}mapping.yaml`, 'utf8')));
  console.log(`wrote ${dir}mapping.generated.ts`);
}
