/**
 * The .docx of a report rendered on a worker thread of its own (docx-worker.ts): at 100,000
 * hosts building and zipping it held the collector's event loop ~0.5 s in one go. The thread
 * is sent only what the document shows: the failing members of an indicator are read only by
 * the footnotes of system indicators (filed.ts), so the failing lists of host indicators (one
 * entry per failing host, megabytes) are left out rather than copied to the thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AppendixReport, Lang } from './model.js';

export interface DocxJob {
  report: AppendixReport;
  lang: Lang;
}

/** What toDocx reads of `r`: the same document (tests compare them). */
export const docxInput = (r: AppendixReport): AppendixReport => ({ ...r, indicators: r.indicators.map((i) => (i.population === 'systems' ? i : { ...i, failing: [] })) });

/**
 * The compiled worker file. Under vitest this module runs from src/*.ts, which a worker thread
 * cannot load: use the build's dist/ copy (`npm test` builds first).
 */
function workerFile(): URL {
  const here = new URL('./docx-worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return here;
  const dist = new URL(here.href.replace('/collector/src/', '/collector/dist/'));
  if (!existsSync(fileURLToPath(dist))) throw new Error(`${fileURLToPath(dist)} is missing: run "npm run build" before the tests`);
  return dist;
}

/** toDocx(r, lang), on a thread of its own. */
export function toDocxOffThread(r: AppendixReport, lang: Lang): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerFile(), { workerData: { report: docxInput(r), lang } satisfies DocxJob });
    let bytes: Buffer | undefined;
    w.once('message', (m: Uint8Array) => (bytes = Buffer.from(m.buffer, m.byteOffset, m.byteLength)));
    w.once('error', reject);
    w.once('exit', (code) => (bytes ? resolve(bytes) : reject(new Error(`the .docx thread exited with code ${code} without a document`))));
  });
}
