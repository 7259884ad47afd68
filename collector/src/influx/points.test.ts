/** The count of points a report makes, which the ingest's room check uses without making them. */
import { describe, expect, it } from 'vitest';
import type { Report } from '@posture/protocol';
import { sampleReport } from '../../../testing/reports.js';
import { pointCountOfReport, pointsOfReport } from './points.js';

const withProducts = (n: number): Report => {
  const r = sampleReport({ agentId: 'a-1', unit: 'TTCNTT' });
  const p = r.probes.protection;
  if (!p?.ok) throw new Error('sample report has no protection facts');
  const first = p.facts.products[0]!;
  p.facts.products = Array.from({ length: n }, (_, i) => ({ ...first, id: i < 2 ? first.id : `${first.id}-${i}` }));
  return r;
};

describe('pointCountOfReport', () => {
  const cases: [string, Report][] = [
    ['no product', withProducts(0)],
    ['one product', withProducts(1)],
    ['three products, two with the same id', withProducts(3)],
    ['a failed protection probe', { ...withProducts(1), probes: { ...withProducts(1).probes, protection: { ok: false, error: { code: 'TIMEOUT', message: 'probe timed out' } } } } as Report],
    ['no protection probe', { ...withProducts(1), probes: { ...withProducts(1).probes, protection: undefined } }],
  ];
  for (const [name, report] of cases) {
    it(`counts what pointsOfReport makes: ${name}`, () => {
      expect(pointCountOfReport(report)).toBe(pointsOfReport(report, 'TTCNTT').length);
    });
  }
});
