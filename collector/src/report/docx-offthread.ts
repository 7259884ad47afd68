/**
 * The .docx of a report rendered on a worker thread of its own (docx-worker.ts): at 100,000
 * hosts building and zipping it held the collector's event loop ~0.5 s in one go. The thread
 * is sent only what the document shows: the failing members of an indicator are read only by
 * the footnotes of system indicators (filed.ts), so the failing lists of host indicators (one
 * entry per failing host, megabytes) are left out rather than copied to the thread.
 */
import { Worker } from 'node:worker_threads';
import { workerFile } from '../worker-file.js';
import type { AppendixReport, Lang } from './model.js';

export interface DocxJob {
  report: AppendixReport;
  lang: Lang;
}

/** What toDocx reads of `r`: the same document (tests compare them). */
export const docxInput = (r: AppendixReport): AppendixReport => ({ ...r, indicators: r.indicators.map((i) => (i.population === 'systems' ? i : { ...i, failing: [] })) });

/** toDocx(r, lang), on a thread of its own. */
export function toDocxOffThread(r: AppendixReport, lang: Lang): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerFile('./docx-worker.js', import.meta.url), { workerData: { report: docxInput(r), lang } satisfies DocxJob });
    let bytes: Buffer | undefined;
    w.once('message', (m: Uint8Array) => (bytes = Buffer.from(m.buffer, m.byteOffset, m.byteLength)));
    w.once('error', reject);
    w.once('exit', (code) => (bytes ? resolve(bytes) : reject(new Error(`the .docx thread exited with code ${code} without a document`))));
  });
}
