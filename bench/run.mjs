#!/usr/bin/env node
/** `npm run bench`: every bench/*.mjs in turn (each prints its own same-run baseline ratios); arguments such as --smoke are passed to each. */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = import.meta.dirname;
for (const f of readdirSync(dir)
  .filter((n) => n.endsWith('.mjs') && n !== 'run.mjs')
  .sort()) {
  console.log(`\n== ${f}`);
  execFileSync(process.execPath, [join(dir, f), ...process.argv.slice(2)], { stdio: 'inherit' });
}
