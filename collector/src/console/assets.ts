/**
 * The console's static files (one stylesheet, one small script), read once at start from
 * `assets/` beside this module's source and served by the collector itself: the console works in
 * a ministry network with no Internet (no CDN, no web font). The URL carries a hash of the
 * content so a browser may keep a file for a day and still never use a stale one after an update.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// From dist/console/ (built) the sources are two levels up; from src/console/ (tests) beside.
const DIR = [join(import.meta.dirname, 'assets'), resolve(import.meta.dirname, '../../src/console/assets')].find((d) => existsSync(join(d, 'console.css')));
if (!DIR) throw new Error(`console assets not found next to ${import.meta.dirname}: collector/src/console/assets/ must ship with the collector`);

export interface Asset {
  body: Buffer;
  type: string;
}

const load = (file: string, type: string): { path: string; asset: Asset } => {
  const body = readFileSync(join(DIR, file));
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { path: `/console/assets/${hash}/${file}`, asset: { body, type } };
};

const css = load('console.css', 'text/css; charset=utf-8');
const js = load('console.js', 'text/javascript; charset=utf-8');

export const ASSET_PATHS = { css: css.path, js: js.path } as const;

/** Asset by file name (the hash in the URL is not checked: a stale hash still gets today's file). */
export const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['console.css', css.asset],
  ['console.js', js.asset],
]);
