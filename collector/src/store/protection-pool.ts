/**
 * The product facts of many hosts kept compact, for the evaluation's cache
 * (host-inputs-cache.ts): what is equal between hosts (products, flags, the agent's verdict
 * and limit) is one frozen shape per distinct value, and the numbers that differ from host to
 * host (the collection instant, each product's signature date and age) sit in one
 * Float64Array. Parsed objects cost about 250 bytes per host, 25 MB for 100,000 hosts kept
 * between evaluations; this costs the numbers and two indexes. `get` makes the facts anew
 * (plain objects, equal to the parsed ones) for one evaluation.
 *
 * Facts of another form (a field this code does not know, a number where it expects none)
 * are kept as they are, so nothing is lost or changed by being kept.
 */
import type { ProductFact, ProtectionFacts } from '../policy/protection.js';

/** What hosts share: every field but the numbers. */
interface Shape {
  products: Omit<ProductFact, 'signatureMs' | 'signatureAgeHours'>[] | null;
  failure: string | null;
  agentProtected: boolean | null;
  agentLimitHours: number | null;
}

const FACT_KEYS = 'collectedMs,products,failure,agentProtected,agentLimitHours';
const PRODUCT_KEYS = 'key,id,name,antiMalware,installed,running,realTime,signatureless,signatureMs,signatureAgeHours,signatureUpToDate';
/** null as a number (a JSON value is never NaN). */
const num = (x: number | null): number => (x === null ? NaN : x);
const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);
const isNum = (x: unknown): x is number | null => x === null || typeof x === 'number';

export class ProtectionPool {
  private readonly shapes: Shape[] = [];
  private readonly shapeIds = new Map<string, number>();
  private readonly whole: ProtectionFacts[] = [];
  /** Per kept facts: its shape's index (or -1 - index in `whole`), the collection instant, then each product's signature date and age. */
  private nums: Float64Array;
  private used = 0;
  /** Numbers still referenced (the rest is garbage of facts replaced since). */
  private live = 0;

  /** Sized for `hosts` with one product each (it grows as needed). */
  constructor(hosts = 256) {
    this.nums = new Float64Array(4 * hosts + 1024);
  }

  /** Keep `f`; the number returned says where (-1: no facts). */
  put(f: ProtectionFacts | null): number {
    if (f === null) return -1;
    if (!compactable(f)) {
      this.whole.push(f);
      return this.append([-this.whole.length]);
    }
    const shape: Shape = {
      products:
        f.products &&
        f.products.map((p) => ({ key: p.key, id: p.id, name: p.name, antiMalware: p.antiMalware, installed: p.installed, running: p.running, realTime: p.realTime, signatureless: p.signatureless, signatureUpToDate: p.signatureUpToDate })),
      failure: f.failure,
      agentProtected: f.agentProtected,
      agentLimitHours: f.agentLimitHours,
    };
    const key = JSON.stringify(shape);
    let id = this.shapeIds.get(key);
    if (id === undefined) {
      id = this.shapes.push(Object.freeze(shape)) - 1;
      this.shapeIds.set(key, id);
    }
    const nums = [id, f.collectedMs];
    for (const p of f.products ?? []) nums.push(num(p.signatureMs), num(p.signatureAgeHours));
    return this.append(nums);
  }

  /** The facts kept at `ref`, as new plain objects (or the one kept whole). */
  get(ref: number): ProtectionFacts | null {
    if (ref < 0) return null;
    const nums = this.nums;
    const id = nums[ref]!;
    if (id < 0) return this.whole[-id - 1]!;
    const s = this.shapes[id]!;
    const at = ref + 2;
    return {
      collectedMs: nums[ref + 1]!,
      products:
        s.products &&
        s.products.map((p, i) => ({
          key: p.key,
          id: p.id,
          name: p.name,
          antiMalware: p.antiMalware,
          installed: p.installed,
          running: p.running,
          realTime: p.realTime,
          signatureless: p.signatureless,
          signatureMs: orNull(nums[at + 2 * i]!),
          signatureAgeHours: orNull(nums[at + 1 + 2 * i]!),
          signatureUpToDate: p.signatureUpToDate,
        })),
      failure: s.failure,
      agentProtected: s.agentProtected,
      agentLimitHours: s.agentLimitHours,
    };
  }

  /** The facts at `ref` are no longer needed (replaced, or the host left). */
  release(ref: number): void {
    if (ref < 0) return;
    const id = this.nums[ref]!;
    this.live -= id < 0 ? 1 : 2 + 2 * (this.shapes[id]!.products?.length ?? 0);
  }

  /** Whether most of the numbers are garbage (facts replaced since): then the owner calls compact(). */
  get wasteful(): boolean {
    return this.used > 65_536 && this.live < this.used / 2;
  }

  /**
   * Drop the garbage: `refs` are every ref still in use (undefined: a hole), replaced in place by
   * their new values. Each host's facts are kept exactly; O(refs), once the fleet has reported
   * about once since the last time.
   */
  compact(refs: (number | undefined)[]): void {
    const old = this.nums;
    const whole = this.whole.splice(0);
    this.nums = new Float64Array(Math.max(1024, this.live + 1024));
    this.used = 0;
    this.live = 0;
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i];
      if (ref === undefined || ref < 0) continue;
      const id = old[ref]!;
      if (id < 0) {
        this.whole.push(whole[-id - 1]!);
        refs[i] = this.append([-this.whole.length]);
        continue;
      }
      const n = 2 + 2 * (this.shapes[id]!.products?.length ?? 0);
      refs[i] = this.append(Array.from(old.subarray(ref, ref + n)));
    }
  }

  private append(values: number[]): number {
    if (this.used + values.length > this.nums.length) {
      const next = new Float64Array(Math.max(2 * this.nums.length, this.used + values.length));
      next.set(this.nums.subarray(0, this.used));
      this.nums = next;
    }
    const at = this.used;
    this.nums.set(values, at);
    this.used += values.length;
    this.live += values.length;
    return at;
  }
}

/** Whether `f` has exactly the fields this pool keeps, with numbers where it keeps numbers. */
function compactable(f: ProtectionFacts): boolean {
  if (Object.keys(f).join(',') !== FACT_KEYS || typeof f.collectedMs !== 'number' || !isNum(f.agentLimitHours)) return false;
  if (f.products === null) return true;
  if (!Array.isArray(f.products)) return false;
  return f.products.every((p) => Object.keys(p).join(',') === PRODUCT_KEYS && isNum(p.signatureMs) && isNum(p.signatureAgeHours) && !Number.isNaN(p.signatureMs) && !Number.isNaN(p.signatureAgeHours));
}
