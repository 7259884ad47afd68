/**
 * The compiled file of a worker thread (the commit thread, the .docx renderer). Under vitest
 * the module that starts it runs from src/*.ts, which a worker thread cannot load: the build's
 * dist/ copy is used then (`npm test` builds first).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `file` (e.g. './commit-thread.js') next to the module whose import.meta.url is `from`. */
export function workerFile(file: string, from: string): URL {
  const here = new URL(file, from);
  if (!from.endsWith('.ts')) return here;
  const dist = new URL(here.href.replace('/collector/src/', '/collector/dist/'));
  if (!existsSync(fileURLToPath(dist))) throw new Error(`${fileURLToPath(dist)} is missing: run "npm run build" before the tests`);
  return dist;
}
