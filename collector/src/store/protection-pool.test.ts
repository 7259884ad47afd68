/**
 * The pool gives back exactly the product facts it was given (nulls, several products, facts of
 * another form kept whole), after facts were replaced and after it dropped the garbage.
 */
import { describe, expect, it } from 'vitest';
import type { ProtectionFacts } from '../policy/protection.js';
import { clamavFacts } from '../../../testing/fleet.js';
import { ProtectionPool } from './protection-pool.js';

const two: ProtectionFacts = {
  ...clamavFacts(true, '2026-03-01T00:00:00.000Z', 12.5),
  products: [
    ...clamavFacts(true, '2026-03-01T00:00:00.000Z', 12.5).products!,
    { key: 'mdatp', id: 'mdatp', name: 'Microsoft Defender for Endpoint', antiMalware: true, installed: true, running: null, realTime: false, signatureless: false, signatureMs: null, signatureAgeHours: null, signatureUpToDate: true },
  ],
};
/** A field this code does not know: kept whole. */
const other = { ...clamavFacts(false, '2026-03-01T00:00:00.000Z'), extra: 1 } as unknown as ProtectionFacts;
const failed = clamavFacts(null, '2026-03-01T00:00:00.000Z');

describe('ProtectionPool', () => {
  it('gives back what it kept, through replacements and compaction', () => {
    const pool = new ProtectionPool(4);
    const kept: (ProtectionFacts | null)[] = [];
    const refs: (number | undefined)[] = [];
    for (let i = 0; i < 200; i++) {
      const f = [two, other, failed, null, clamavFacts(i % 2 === 0, new Date(Date.UTC(2026, 2, 1, 0, i)).toISOString(), i / 3)][i % 5]!;
      kept.push(f);
      refs.push(pool.put(f));
    }
    // Replace every other one (the old numbers become garbage), and leave one hole.
    for (let i = 0; i < 200; i += 2) {
      pool.release(refs[i]!);
      const f = clamavFacts(true, '2026-03-02T00:00:00.000Z', i);
      kept[i] = f;
      refs[i] = pool.put(f);
    }
    pool.release(refs[7]!);
    refs[7] = undefined;
    const check = () => refs.forEach((r, i) => r !== undefined && expect(pool.get(r)).toEqual(kept[i]));
    check();
    const before = [...refs];
    pool.compact(refs);
    expect(refs).not.toEqual(before);
    check();
    // Made anew each time: a reader cannot change what the pool keeps.
    expect(pool.get(refs[0]!)).not.toBe(pool.get(refs[0]!));
  });
});
