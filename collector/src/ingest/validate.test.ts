/**
 * Body validation with its fast first pass (validate.ts): the verdicts are those of the full
 * validator (maxLength and minLength in code points), and a refused body names every error.
 */
import { describe, expect, it } from 'vitest';
import { sampleReport } from '../../../testing/reports.js';
import { compileRequestSchema, validateReport } from './validate.js';

const report = () => sampleReport({ agentId: 'a-1', unit: 'TTCNTT' });
const reportBody = compileRequestSchema({ $ref: 'Report#' }, 'body');
const enrollBody = compileRequestSchema({ $ref: 'EnrollRequest#' }, 'body');

describe('body validation', () => {
  it('takes a string within its bound in code points though longer in UTF-16 units', () => {
    const r = report();
    // 200 emoji: 200 code points (bound 253), 400 UTF-16 units.
    if (r.probes.host.ok) r.probes.host.facts.fqdn = '😀'.repeat(200);
    for (const v of [validateReport, reportBody]) {
      expect(v(r)).toBe(true);
      expect(v.errors).toBeNull();
    }
    if (r.probes.host.ok) r.probes.host.facts.fqdn = '😀'.repeat(254);
    expect(validateReport(r)).toBe(false);
  });

  it('refuses a string under its minimum length in code points (no fast pass where minLength > 1)', () => {
    // 4 emoji: 8 UTF-16 units, 4 code points (minimum 8).
    expect(enrollBody({ unit: 'TTCNTT', secret: '😀😀😀😀', hostname: 'h', machineId: '' })).toBe(false);
    expect(enrollBody.errors).toEqual([expect.objectContaining({ instancePath: '/secret', keyword: 'minLength' })]);
    expect(enrollBody({ unit: 'TTCNTT', secret: '😀😀😀😀😀😀😀😀', hostname: 'h', machineId: '' })).toBe(true);
  });

  it('names every error of a refused report', () => {
    const r = report() as unknown as { agentId: unknown; collectedAt: unknown };
    r.agentId = 7;
    r.collectedAt = 'yesterday';
    expect(validateReport(r)).toBe(false);
    expect(validateReport.errors?.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/agentId', '/collectedAt']));
    expect(validateReport(report())).toBe(true);
    expect(validateReport.errors).toBeNull();
  });
});
