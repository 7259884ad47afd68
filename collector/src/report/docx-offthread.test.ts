/**
 * The .docx is rendered on a worker thread from the report without the failing lists of host
 * indicators: the same document as toDocx of the whole report on the collector's thread.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openCollector } from '../app.js';
import { validateConfig } from '../config.js';
import type { Collector } from '../context.js';
import { sampleReport } from '../../../testing/reports.js';
import { seedHosts } from '../../../testing/fleet.js';
import { TEST_UNITS } from '../../../testing/collector.js';
import { docxInput, toDocxOffThread } from './docx-offthread.js';
import { toDocx } from './docx.js';
import { buildReport } from './source.js';

let dir: string;
let c: Collector;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posture-docx-'));
  c = openCollector(validateConfig({ dataDir: dir, units: TEST_UNITS }, 'test'));
  const at = new Date(Date.now() - 60_000);
  for (const u of TEST_UNITS.slice(0, 2)) seedHosts(c, u.id, 6, 2, at);
  // A system no registry record names: a footnote of the systems indicators, from their failing members.
  const unit = TEST_UNITS[0]!.id;
  const { agentId } = c.agents.enroll(unit, 'srv-1', '');
  c.storeReport(sampleReport({ agentId, unit, hostname: 'srv-1', systems: ['unregistered'], role: 'server', collectedAt: at }), unit, [], at);
});
afterAll(async () => {
  vi.useRealTimers();
  c.db.close();
  await rm(dir, { recursive: true, force: true });
});

/** The files of a zip (what a .docx is), by name, inflated. */
function unzip(zip: Buffer): Map<string, string> {
  const files = new Map<string, string>();
  for (let at = 0; zip.readUInt32LE(at) === 0x04034b50;) {
    const method = zip.readUInt16LE(at + 8);
    const size = zip.readUInt32LE(at + 18);
    const nameLength = zip.readUInt16LE(at + 26);
    const extra = zip.readUInt16LE(at + 28);
    const name = zip.subarray(at + 30, at + 30 + nameLength).toString();
    const data = zip.subarray(at + 30 + nameLength + extra, at + 30 + nameLength + extra + size);
    files.set(name, (method === 8 ? inflateRawSync(data) : data).toString());
    at += 30 + nameLength + extra + size;
  }
  return files;
}

describe('the .docx rendered off the event loop', () => {
  it('is the document of the whole report, without copying the failing hosts to its thread', async () => {
    const r = buildReport(c, { fresh: true });
    const hostsFailing = r.indicators.filter((i) => i.population !== 'systems').reduce((n, i) => n + i.failing.length, 0);
    expect(hostsFailing).toBeGreaterThan(0);
    expect(r.indicators.some((i) => i.population === 'systems' && i.failing.length > 0)).toBe(true);
    const sent = docxInput(r);
    expect(sent.indicators.filter((i) => i.population !== 'systems').every((i) => i.failing.length === 0)).toBe(true);

    for (const lang of ['vi', 'en'] as const) {
      // The document's creation time is the only thing that changes from one rendering to the next.
      vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-06-30T10:00:00Z') });
      const whole = await toDocx(r, lang);
      expect((await toDocx(sent, lang)).equals(whole), lang).toBe(true);
      vi.useRealTimers();

      const offThread = await toDocxOffThread(r, lang);
      const a = unzip(offThread);
      const b = unzip(whole);
      expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
      expect(a.get('word/document.xml')).toContain(lang === 'vi' ? 'PHỤ LỤC' : 'APPENDIX');
      for (const [name, text] of b) if (name !== 'docProps/core.xml') expect(a.get(name), `${lang}: ${name}`).toBe(text);
    }
  });
});
