/**
 * The JSON report is written a slice of failing members at a time (the collector answers
 * reports between slices): byte for byte the text of JSON.stringify of the whole object.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { sampleReport } from '../../../testing/reports.js';
import { seedHosts } from '../../../testing/fleet.js';
import { TEST_UNITS } from '../../../testing/collector.js';
import { jsonText, toJson } from './json.js';
import { buildReport } from './source.js';

let dir: string;
let c: Collector;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-json-report-'));
  c = openCollector(validateConfig({ dataDir: dir, units: TEST_UNITS }, 'test'));
  const at = new Date(Date.now() - 60_000);
  for (const u of TEST_UNITS.slice(0, 2)) seedHosts(c, u.id, 9, 3, at);
  // Text an agent chooses, with quotes, escapes and what looks like a marker of the writer.
  const unit = TEST_UNITS[0]!.id;
  const hostname = 'x"\\\u0000 failing-0 "failing-00000000-0000-0000-0000-000000000000-0" ư';
  const { agentId } = c.agents.enroll(unit, hostname, '');
  c.storeReport(sampleReport({ agentId, unit, hostname, protected: false, collectedAt: at }), unit, [], at);
});
afterAll(async () => {
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the JSON report written in slices', () => {
  it('is the text of JSON.stringify(toJson()), in each language and slice size, with a pause between slices', async () => {
    const r = buildReport(c, { fresh: true });
    const failing = r.indicators.reduce((n, i) => n + i.failing.length, 0);
    expect(failing).toBeGreaterThan(12);
    for (const lang of ['vi', 'en'] as const) {
      const whole = JSON.stringify(toJson(r, lang));
      for (const slice of [1, 5, 2000]) {
        let pauses = 0;
        const text = await jsonText(
          r,
          lang,
          () => {
            pauses++;
            return new Promise((resolve) => setImmediate(resolve));
          },
          slice,
        );
        expect(text, `${lang}, slices of ${slice}`).toBe(whole);
        // One pause between two slices of a list, and one after each list.
        const slices = r.indicators.reduce((n, i) => n + Math.max(1, Math.ceil(i.failing.length / slice)), 0);
        expect(pauses).toBe(slices);
      }
    }
    expect(JSON.stringify(toJson(r))).toContain('failing-0');
  });
});
