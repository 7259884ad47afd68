/** The protection policy as a pure function: hand-computed cases, and the fast path agreeing with the full verdict. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROTECTION_POLICY, judgeProtection, productKeys, protectsAt, type ProductFact, type ProtectionFacts, type ProtectionPolicy } from './protection.js';

const H = 3_600_000;
const T = Date.parse('2026-11-30T00:00:00Z');
const product = (o: Partial<ProductFact> = {}): ProductFact => ({
  key: 'clamav',
  id: 'clamav',
  name: 'ClamAV',
  antiMalware: true,
  installed: true,
  running: true,
  realTime: true,
  signatureless: false,
  signatureMs: null,
  signatureAgeHours: null,
  signatureUpToDate: null,
  ...o,
});
const facts = (products: ProductFact[] | null, collectedMs = T): ProtectionFacts => ({ collectedMs, products, failure: products ? null : 'PROBE_TIMEOUT', agentProtected: true, agentLimitHours: 168 });
const codes = (f: ProtectionFacts, nowMs: number, policy: ProtectionPolicy = DEFAULT_PROTECTION_POLICY) => judgeProtection(f, new Date(nowMs), policy).reasons.map((r) => r.code);

describe('judgeProtection', () => {
  it('ages a dated signature to the evaluation time: 167 h protects, 169 h does not', () => {
    const f = facts([product({ signatureMs: T - 144 * H, signatureAgeHours: 144 })]);
    expect(judgeProtection(f, new Date(T + 23 * H), DEFAULT_PROTECTION_POLICY)).toMatchObject({ protected: true, minSignatureAgeHours: 167 });
    expect(judgeProtection(f, new Date(T + 25 * H), DEFAULT_PROTECTION_POLICY).reasons).toEqual([{ code: 'POLICY_SIGNATURES_OLD', params: { product: 'ClamAV', ageHours: 169, limitHours: 168 } }]);
  });

  it('a signature date after the collection counts from the collection: a clock ahead buys nothing', () => {
    const f = facts([product({ signatureMs: T + 30 * 24 * H })]);
    expect(judgeProtection(f, new Date(T + 100 * H), DEFAULT_PROTECTION_POLICY)).toMatchObject({ protected: true, minSignatureAgeHours: 100 });
    expect(codes(f, T + 169 * H)).toEqual(['POLICY_SIGNATURES_OLD']);
  });

  it('exempts from the age only the EDR products of the policy, whatever the agent claims', () => {
    expect(codes(facts([product({ id: 'falcon', name: 'Falcon', signatureless: true })]), T)).toEqual(['POLICY_PROTECTING']);
    expect(codes(facts([product({ signatureless: true })]), T)).toEqual(['POLICY_SIGNATURE_AGE_UNKNOWN']);
  });

  it('never counts Wazuh or OSSEC, nor a product the agent does not class as anti-malware', () => {
    expect(codes(facts([product({ id: 'wazuh', name: 'Wazuh', signatureMs: T })]), T)).toEqual(['POLICY_NOT_PROTECTION']);
    expect(codes(facts([product({ antiMalware: false, signatureMs: T })]), T)).toEqual(['POLICY_NOT_PROTECTION']);
  });

  it('takes a vendor flag without a date only when the policy accepts it, and only while the report is younger than the limit', () => {
    const f = facts([product({ signatureUpToDate: true })]);
    expect(codes(f, T + 100 * H)).toEqual(['POLICY_PROTECTING']);
    expect(codes(f, T + 169 * H)).toEqual(['POLICY_VENDOR_FLAG_EXPIRED']);
    expect(codes(f, T, { ...DEFAULT_PROTECTION_POLICY, acceptVendorUpToDateFlag: false })).toEqual(['POLICY_VENDOR_FLAG_NOT_ACCEPTED']);
    expect(codes(facts([product({ signatureUpToDate: false })]), T)).toEqual(['POLICY_VENDOR_FLAG_OUT_OF_DATE']);
  });

  it('unknown is not protected: no product, a failed probe, unknown running or real-time state', () => {
    expect(judgeProtection(facts([]), new Date(T), DEFAULT_PROTECTION_POLICY)).toMatchObject({ known: true, protected: false });
    expect(judgeProtection(facts(null), new Date(T), DEFAULT_PROTECTION_POLICY)).toMatchObject({ known: false, protected: false, reasons: [{ code: 'POLICY_PROBE_FAILED', params: { code: 'PROBE_TIMEOUT' } }] });
    expect(codes(facts([product({ running: null, realTime: false, signatureMs: T })]), T)).toEqual(['POLICY_RUNNING_UNKNOWN', 'POLICY_REALTIME_OFF']);
  });

  it('keys repeated ids apart in report order', () => {
    expect(productKeys(['sophos', 'defender', 'sophos', 'sophos'])).toEqual(['sophos', 'defender', 'sophos#2', 'sophos#3']);
  });
});

describe('protectsAt, the fast path of evaluation', () => {
  it('gives the same answer as judgeProtection over every combination of facts, times and policies', () => {
    const tri = [true, false, null] as const;
    const sig: Partial<ProductFact>[] = [
      {},
      { signatureMs: T - 100 * H },
      { signatureMs: T - 200 * H },
      { signatureMs: T + 100 * H },
      { signatureAgeHours: 160 },
      { signatureAgeHours: 10 },
      { signatureUpToDate: true },
      { signatureUpToDate: false },
      { signatureless: true },
      { id: 'falcon' },
      { id: 'wazuh', signatureMs: T },
    ];
    const policies: ProtectionPolicy[] = [DEFAULT_PROTECTION_POLICY, { ...DEFAULT_PROTECTION_POLICY, acceptVendorUpToDateFlag: false, maxSignatureAgeHours: 72 }];
    let cases = 0;
    for (const running of tri)
      for (const realTime of tri)
        for (const s of sig)
          for (const installed of [true, false]) {
            const one = product({ running, realTime, installed, ...s });
            for (const f of [facts([one]), facts([product({ running: false }), one]), facts(null), facts([])]) {
              for (const dt of [0, 5 * H, 50 * H, 170 * H]) {
                for (const policy of policies) {
                  cases++;
                  expect(protectsAt(f, T + dt, policy), JSON.stringify({ f, dt, policy })).toBe(judgeProtection(f, new Date(T + dt), policy).protected);
                }
              }
            }
          }
    expect(cases).toBe(3 * 3 * 11 * 2 * 4 * 4 * 2);
  });
});
