/**
 * Worker thread entry: renders one .docx (docx.ts) from the report in its workerData and posts
 * the bytes back (docx-offthread.ts starts it). Building and zipping the document is half a
 * second of CPU in one go, which the collector's event loop (every agent's report) must not wait for.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toDocx } from './docx.js';
import type { DocxJob } from './docx-offthread.js';

const { report, lang } = workerData as DocxJob;
const bytes = await toDocx(report, lang);
parentPort!.postMessage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
