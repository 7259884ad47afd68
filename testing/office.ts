/**
 * Reading documents back the way a person would see them: LibreOffice (headless) converts a
 * .docx to PDF, poppler's pdftoppm renders PDF pages to PNG and pdftotext extracts the text.
 * Each conversion uses its own LibreOffice profile, so parallel runs never share one. A missing
 * tool is a loud failure naming the Debian package.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

function run(cmd: string, args: string[], pkg: string, timeoutMs = 120_000): Promise<string> {
  if (!existsSync(cmd)) throw new Error(`${cmd} not found: install Debian's ${pkg} (see scripts/install-deps.sh)`);
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(t);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`));
    });
  });
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
