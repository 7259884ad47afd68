/** One place that maps a format name to its renderer and content type (CLI and routes share it). */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { toCsv } from './csv.js';
import { toDocxOffThread } from './docx-offthread.js';
import { toHtml } from './html.js';
import { jsonText } from './json.js';
import { toMarkdown } from './markdown.js';
import { LANGS, type AppendixReport, type Lang } from './model.js';
import { ReportError } from './source-error.js';

export const FORMATS = ['markdown', 'csv', 'json', 'html', 'docx'] as const;
export type Format = (typeof FORMATS)[number];

export const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

export function checkFormat(format: string): Format {
  if (!(FORMATS as readonly string[]).includes(format)) throw new ReportError('QUERY_INVALID', `unknown format "${format}": use ${FORMATS.join(', ')}`);
  return format as Format;
}

export function checkLang(lang: string): Lang {
  if (!(LANGS as readonly string[]).includes(lang)) throw new ReportError('QUERY_INVALID', `unknown language "${lang}": use ${LANGS.join(' or ')}`);
  return lang as Lang;
}

/** A file name for downloads: appendix-2026-12-01.docx. */
export const fileName = (r: AppendixReport, format: Format): string => `appendix-${r.evaluatedAt.slice(0, 10)}.${format === 'markdown' ? 'md' : format}`;

export async function render(r: AppendixReport, format: Format, lang: Lang): Promise<{ contentType: string; body: string | Buffer }> {
  switch (format) {
    case 'markdown':
      return { contentType: 'text/markdown; charset=utf-8', body: toMarkdown(r, lang) };
    case 'csv':
      return { contentType: 'text/csv; charset=utf-8', body: toCsv(r, lang) };
    case 'json':
      // Compact: the failing lists of 100,000 hosts are megabytes, and indentation doubled them
      // (read it with `jq`); the people's copies are the other formats. Written a slice at a
      // time, a turn of the event loop each (the collector answers reports meanwhile).
      return { contentType: 'application/json; charset=utf-8', body: (await jsonText(r, lang, () => nextTurn())) + '\n' };
    case 'html':
      return { contentType: 'text/html; charset=utf-8', body: toHtml(r, lang) };
    case 'docx':
      return { contentType: DOCX_TYPE, body: await toDocxOffThread(r, lang) };
  }
}
