/**
 * The pool gives back exactly the product facts it was given (nulls, several products, facts of
 * another form kept whole), after facts were replaced and after it dropped the garbage; facts
 * whose shapes differ only where a key written carelessly would make them equal stay apart.
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

  it('keeps apart shapes that differ only in how their strings split, in a null or in a value of another type', () => {
    const base = clamavFacts(true, '2026-03-01T00:00:00.000Z');
    const product = base.products![0]!;
    const variants: ProtectionFacts[] = [
      base,
      // The same characters split otherwise between id and name (and a name that looks like a length prefix).
      { ...base, products: [{ ...product, id: 'clam', name: 'avClamAV' }] },
      { ...base, products: [{ ...product, id: 'clamav1:', name: 'ClamAV' }] },
      { ...base, products: [{ ...product, id: 'clamav', name: '1:ClamAV' }] },
      // null against false, 0 and the strings a key might write for null.
      { ...base, failure: 'n' },
      { ...base, failure: 'null' },
      { ...base, agentProtected: null },
      { ...base, agentProtected: false },
      { ...base, agentLimitHours: null },
      { ...base, agentLimitHours: 0 },
      { ...base, agentLimitHours: -0 },
      { ...base, products: [{ ...product, running: null, realTime: null }] },
      { ...base, products: [{ ...product, running: false, realTime: true }] },
      { ...base, products: [product, { ...product, key: 'clamav#2' }] },
      { ...base, products: [] },
      { ...base, products: null },
    ];
    const pool = new ProtectionPool(2);
    const refs = variants.map((f) => pool.put(f));
    // Each one twice, interleaved: the second finds the shape the first made.
    const again = variants.map((f) => pool.put(f));
    variants.forEach((f, i) => {
      expect(pool.get(refs[i]!), `variant ${i}`).toEqual(f);
      expect(pool.get(again[i]!), `variant ${i} again`).toEqual(f);
      expect(Object.is(pool.get(refs[i]!)!.agentLimitHours, f.agentLimitHours), `variant ${i}: agentLimitHours ${f.agentLimitHours}`).toBe(true);
    });
  });

  it('keeps whole the facts whose values are of another type than a shape keeps', () => {
    const base = clamavFacts(true, '2026-03-01T00:00:00.000Z');
    const product = base.products![0]!;
    const odd = [
      { ...base, failure: 5 },
      { ...base, agentProtected: 'yes' },
      { ...base, products: [{ ...product, name: 7 }] },
      { ...base, products: [{ ...product, running: 1 }] },
      { ...base, products: [{ ...product, signatureMs: Number.NaN }] },
      // The same fields in another order.
      { failure: null, collectedMs: base.collectedMs, products: base.products, agentProtected: true, agentLimitHours: 168 },
    ] as unknown as ProtectionFacts[];
    const pool = new ProtectionPool(2);
    const refs = odd.map((f) => pool.put(f));
    odd.forEach((f, i) => expect(pool.get(refs[i]!), `odd ${i}`).toBe(f));
  });
});
