/**
 * Reading documents back the way a person would see them: LibreOffice (headless) converts a
 * .docx to PDF, poppler's pdftoppm renders PDF pages to PNG and pdftotext extracts the text.
 * Each conversion uses its own LibreOffice profile, so parallel runs never share one. A missing
 * tool is a loud failure naming the Debian package.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCommand } from './command.js';

async function run(cmd: string, args: string[], pkg: string, timeoutMs = 120_000): Promise<string> {
  if (!existsSync(cmd)) throw new Error(`${cmd} not found: install Debian's ${pkg} (see scripts/install-deps.sh)`);
  const r = await runCommand(cmd, args, { timeoutMs, stderrTail: 4000 });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Convert a .docx to PDF with LibreOffice; returns the PDF's path (in `outDir`). */
export async function docxToPdf(docx: string, outDir: string): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'posture-lo-'));
  try {
    await run('/usr/bin/soffice', [`-env:UserInstallation=${pathToFileURL(profile).href}`, '--headless', '--norestore', '--convert-to', 'pdf', '--outdir', outDir, docx], 'libreoffice-common and libreoffice-writer-nogui');
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
  const pdf = join(outDir, basename(docx).replace(/\.docx$/, '.pdf'));
  if (!existsSync(pdf)) throw new Error(`LibreOffice wrote no ${pdf}`);
  return pdf;
}

/** Render every page of a PDF to `<prefix>-<n>.png` (grayscale when asked, as printed); returns the files. */
export async function pdfPages(pdf: string, prefix: string, opts: { dpi?: number; gray?: boolean } = {}): Promise<string[]> {
  const dir = join(prefix, '..');
  const base = basename(prefix);
  // Pages of an earlier, longer rendering would otherwise be listed as this one's.
  for (const f of await readdir(dir)) if (f.startsWith(`${base}-`) && f.endsWith('.png')) await rm(join(dir, f), { force: true });
  await run('/usr/bin/pdftoppm', ['-png', '-r', String(opts.dpi ?? 70), ...(opts.gray ? ['-gray'] : []), pdf, prefix], 'poppler-utils');
  return (await readdir(dir))
    .filter((f) => f.startsWith(`${base}-`) && f.endsWith('.png'))
    .sort()
    .map((f) => join(dir, f));
}

/** The PDF's text, laid out as on the page. */
export const pdfText = (pdf: string): Promise<string> => run('/usr/bin/pdftotext', ['-layout', pdf, '-'], 'poppler-utils');

/** The fonts a PDF embeds (pdffonts' name column, subset prefix removed): what the pages are set in. */
export async function pdfFonts(pdf: string): Promise<string[]> {
  const lines = (await run('/usr/bin/pdffonts', [pdf], 'poppler-utils')).split('\n').slice(2);
  return [...new Set(lines.map((l) => l.split(/\s+/)[0]!.replace(/^[A-Z]{6}\+/, '')).filter(Boolean))];
}
