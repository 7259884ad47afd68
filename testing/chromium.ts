/**
 * Debian's Chromium, headless, for browser tests: load a page and return the DOM as the browser
 * built it (--dump-dom), or save a screenshot / PDF. Missing chromium is a loud failure.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, type CommandResult } from './command.js';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

async function chromium(args: string[], timeoutMs = 60_000): Promise<CommandResult> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: browser tests need Debian's chromium package (apt-get install -y chromium; see scripts/install-deps.sh)`);
  const profile = await mkdtemp(join(tmpdir(), 'posture-chromium-'));
  try {
    // The flags keep the browser off the network except for the page asked for.
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
    return await runCommand(CHROMIUM, [...flags, `--user-data-dir=${profile}`, ...args], { timeoutMs, stderrTail: 4000 });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** The page's DOM after loading, serialized by the browser. */
export async function dumpDom(url: string): Promise<string> {
  const r = await chromium(['--dump-dom', url]);
  if (r.code !== 0 || !r.stdout.includes('<html')) throw new Error(`chromium --dump-dom ${url} failed (exit ${r.code}): ${r.stderr.slice(-800)}`);
  return r.stdout;
}

/** Save a PNG screenshot of the page (window width x height). */
export async function screenshot(url: string, file: string, width = 1240, height = 1754): Promise<void> {
  const r = await chromium([`--screenshot=${file}`, `--window-size=${width},${height}`, '--hide-scrollbars', url]);
  if (r.code !== 0 || !existsSync(file)) throw new Error(`chromium --screenshot ${url} failed (exit ${r.code}): ${r.stderr.slice(-800)}`);
}

/** Print the page to PDF, as a user printing the report would. */
export async function printToPdf(url: string, file: string): Promise<void> {
  const r = await chromium([`--print-to-pdf=${file}`, '--no-pdf-header-footer', url]);
  if (r.code !== 0 || !existsSync(file)) throw new Error(`chromium --print-to-pdf ${url} failed (exit ${r.code}): ${r.stderr.slice(-800)}`);
}
