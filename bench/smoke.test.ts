/**
 * Benches cannot rot: every bench/*.mjs runs once with --smoke (its tiniest size) under
 * `npm test`, after the build. No timing is asserted; a bench fails here when it crashes, exits
 * non-zero, prints no figures, or does not honour --smoke. New benches are picked up by
 * listing the folder.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOALS, figureIn } from './lib/goals.mjs';

const DIR = import.meta.dirname;
/** The runners of `npm run bench` and of the goals table run the others: they are not benches themselves. */
const RUNNERS = new Set(['run.mjs', 'goals.mjs']);
const BENCHES = readdirSync(DIR)
  .filter((n) => n.endsWith('.mjs') && !RUNNERS.has(n))
  .sort();
const TIMEOUT_MS = 180_000;

function run(file: string): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(DIR, file), '--smoke'], { cwd: join(DIR, '..'), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POSTURE_LOG_LEVEL: 'error' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), TIMEOUT_MS - 5_000);
    p.once('error', reject);
    p.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('every bench runs in its smoke size', () => {
  it('finds the benches, and every bench the goals table reads', () => {
    expect(BENCHES.length).toBeGreaterThan(0);
    for (const g of GOALS) expect(BENCHES, g.figure).toContain(g.bench);
  });

  // One at a time: benches measure CPU and RSS of the processes they start, and the machine is small.
  it.each(BENCHES)('%s', { timeout: TIMEOUT_MS }, async (file) => {
    const source = readFileSync(join(DIR, file), 'utf8');
    if (!source.includes("from './lib/smoke.mjs'")) {
      expect.fail(`bench/${file} does not honour --smoke: import { SMOKE, sized } from './lib/smoke.mjs' and give every size (hosts, runs, seconds) a tiny value with sized(full, tiny)`);
    }
    const r = await run(file);
    const tail = `\n--- stdout (end)\n${r.stdout.slice(-3000)}\n--- stderr (end)\n${r.stderr.slice(-3000)}`;
    expect(r.signal, `bench/${file} --smoke was killed (${r.signal}) after ${TIMEOUT_MS / 1000 - 5} s: make its smoke size smaller${tail}`).toBeNull();
    expect(r.code, `bench/${file} --smoke exited ${r.code}${tail}`).toBe(0);
    // Figures are numbers: a bench that prints none has not measured anything.
    expect(r.stdout, `bench/${file} --smoke printed no figures${tail}`).toMatch(/\d/);
    // The goals table (bench/goals.mjs) reads its figures off this output.
    for (const g of GOALS.filter((x) => x.bench === file)) {
      expect(figureIn(g, r.stdout), `bench/${file} no longer prints "${g.figure}" as bench/lib/goals.mjs reads it (${String(g.pattern)})${tail}`).toBeTypeOf('number');
    }
  });
});
