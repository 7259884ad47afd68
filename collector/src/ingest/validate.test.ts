/**
 * Body validation with its fast first pass (validate.ts): the verdicts are those of the full
 * validator (maxLength and minLength in code points, string-literal unions as enums), and a
 * refused body names every error.
 */
import { describe, expect, it } from 'vitest';
import { sampleReport } from '../../../testing/reports.js';
import { CheckResult, Ipv6Readiness, Report } from '@posture/protocol';
import { compileRequestSchema, literalUnionsAsEnums, problemsOf, validateReport } from './validate.js';

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

describe('the fast pass: string-literal unions as enums', () => {
  it('writes a union of string literals as its enum, and leaves every other union as it is', () => {
    expect(literalUnionsAsEnums(CheckResult)).toEqual({ type: 'string', enum: ['pass', 'fail', 'unknown'] });
    expect(literalUnionsAsEnums(Ipv6Readiness)).toEqual({ type: 'string', enum: ['none', 'address', 'routed', 'dual-stack-services', 'ready'] });
    // A probe's result (objects told apart by ok) and a nullable string are not literal unions.
    const probes = (literalUnionsAsEnums(Report) as { properties: { probes: { properties: { host: { anyOf: unknown[] } } } } }).properties.probes.properties.host;
    expect(probes.anyOf).toHaveLength(2);
    expect(literalUnionsAsEnums({ anyOf: [{ type: 'string' }, { type: 'null' }] })).toEqual({ anyOf: [{ type: 'string' }, { type: 'null' }] });
    expect(
      literalUnionsAsEnums({
        anyOf: [
          { const: 'a', type: 'string' },
          { const: 1, type: 'number' },
        ],
      }),
    ).toEqual({
      anyOf: [
        { const: 'a', type: 'string' },
        { const: 1, type: 'number' },
      ],
    });
  });

  it("takes every allowed value and refuses any other with the full validator's errors", () => {
    const withResult = (result: string) => {
      const r = sampleReport({ agentId: 'a-1', unit: 'TTCNTT', baseline: {}, ipv6: 'routed' });
      const b = r.probes.baseline;
      if (!b?.ok) throw new Error('the sample report has no baseline');
      (b.facts.checks[1] as { result: string }).result = result;
      return r;
    };
    for (const result of ['pass', 'fail', 'unknown']) {
      expect(validateReport(withResult(result))).toBe(true);
      expect(reportBody(withResult(result))).toBe(true);
    }
    for (const v of [validateReport, reportBody]) {
      expect(v(withResult('maybe'))).toBe(false);
      // The messages come from the schema as written (an anyOf of constants), not the enum.
      expect(problemsOf(v.errors)).toContainEqual({ path: '/probes/baseline/facts/checks/1/result', message: 'must be "pass"' });
      expect(v.errors?.some((e) => e.keyword === 'enum')).toBe(false);
    }
    const r = withResult('pass') as unknown as { probes: { ipv6: { facts: { readiness: string } } } };
    r.probes.ipv6.facts.readiness = 'dual-stack';
    expect(validateReport(r)).toBe(false);
  });
});
