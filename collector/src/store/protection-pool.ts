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

/** Where one host's facts are: `shape` (-1: none, -2: kept whole in `whole`) and the offset of its numbers. */
export interface PoolRef {
  shape: number;
  at: number;
}

export class ProtectionPool {
  private readonly shapes: Shape[] = [];
  private readonly shapeIds = new Map<string, number>();
  private readonly whole: ProtectionFacts[] = [];
  private nums = new Float64Array(1024);
  private used = 0;
  /** Numbers still referenced (the rest is garbage of facts replaced since). */
  private live = 0;

  /** Keep `f`; the ref says where. */
  put(f: ProtectionFacts | null): PoolRef {
    if (f === null) return { shape: -1, at: 0 };
    if (!compactable(f)) {
      this.whole.push(f);
      return { shape: -2, at: this.whole.length - 1 };
    }
    const shape: Shape = {
      products: f.products && f.products.map((p) => ({ key: p.key, id: p.id, name: p.name, antiMalware: p.antiMalware, installed: p.installed, running: p.running, realTime: p.realTime, signatureless: p.signatureless, signatureUpToDate: p.signatureUpToDate })),
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
    const n = 1 + 2 * (f.products?.length ?? 0);
    if (this.used + n > this.nums.length) this.grow(n);
    const at = this.used;
    this.nums[at] = f.collectedMs;
    f.products?.forEach((p, i) => {
      this.nums[at + 1 + 2 * i] = num(p.signatureMs);
      this.nums[at + 2 + 2 * i] = num(p.signatureAgeHours);
    });
    this.used += n;
    this.live += n;
    return { shape: id, at };
  }

  /** The facts of a ref's `shape` and `at`, as new plain objects. */
  get(shape: number, at: number): ProtectionFacts | null {
    if (shape === -1) return null;
    if (shape === -2) return this.whole[at]!;
    const s = this.shapes[shape]!;
    const nums = this.nums;
    return {
      collectedMs: nums[at]!,
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
          signatureMs: orNull(nums[at + 1 + 2 * i]!),
          signatureAgeHours: orNull(nums[at + 2 + 2 * i]!),
          signatureUpToDate: p.signatureUpToDate,
        })),
      failure: s.failure,
      agentProtected: s.agentProtected,
      agentLimitHours: s.agentLimitHours,
    };
  }

  /** The facts of a ref's `shape` are no longer needed (replaced, or the host left). */
  release(shape: number): void {
    if (shape >= 0) this.live -= 1 + 2 * (this.shapes[shape]!.products?.length ?? 0);
  }

  /** Whether most of the numbers are garbage: then the owner rebuilds the pool (a full read). */
  get wasteful(): boolean {
    return this.used > 65_536 && this.live < this.used / 2;
  }

  private grow(n: number): void {
    const next = new Float64Array(Math.max(2 * this.nums.length, this.used + n));
    next.set(this.nums.subarray(0, this.used));
    this.nums = next;
  }
}

/** Whether `f` has exactly the fields this pool keeps, with numbers where it keeps numbers. */
function compactable(f: ProtectionFacts): boolean {
  if (Object.keys(f).join(',') !== FACT_KEYS || typeof f.collectedMs !== 'number' || !isNum(f.agentLimitHours)) return false;
  if (f.products === null) return true;
  if (!Array.isArray(f.products)) return false;
  return f.products.every((p) => Object.keys(p).join(',') === PRODUCT_KEYS && isNum(p.signatureMs) && isNum(p.signatureAgeHours) && !Number.isNaN(p.signatureMs) && !Number.isNaN(p.signatureAgeHours));
}
