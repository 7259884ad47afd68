/**
 * The product facts of many hosts kept compact, for the evaluation's cache
 * (host-inputs-cache.ts): what is equal between hosts (products, flags, the agent's verdict
 * and limit) is one frozen shape per distinct value, and the numbers that differ from host to
 * host (the collection instant, each product's signature date and age) sit in one
 * Float64Array. Parsed objects cost about 250 bytes per host, 25 MB for 100,000 hosts kept
 * between evaluations; this costs the numbers and two indexes. `get` makes the facts anew
 * (plain objects, equal to the parsed ones) for one evaluation.
 *
 * Facts of another form (a field this code does not know, a value of another type than it keeps)
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

const FACT_KEYS = ['collectedMs', 'products', 'failure', 'agentProtected', 'agentLimitHours'];
const PRODUCT_KEYS = ['key', 'id', 'name', 'antiMalware', 'installed', 'running', 'realTime', 'signatureless', 'signatureMs', 'signatureAgeHours', 'signatureUpToDate'];
/** null as a number (a JSON value is never NaN). */
const num = (x: number | null): number => (x === null ? NaN : x);
const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);
const isNum = (x: unknown): x is number | null => x === null || typeof x === 'number';
const isFlag = (x: unknown): x is boolean | null => x === null || typeof x === 'boolean';
const isStringOrNull = (x: unknown): x is string | null => x === null || typeof x === 'string';

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

  /**
   * Keep `f`; the number returned says where (-1: no facts). Called for every host at a full
   * read (100,000 at a restart): its shape is found by a key written from the values themselves
   * (JSON.stringify of a shape object, and Object.keys(...).join to check the form, cost 4 us a
   * host, 0.4 s a full read), and a Shape object is made only for a shape not seen before.
   */
  put(f: ProtectionFacts | null): number {
    if (f === null) return -1;
    if (!compactable(f)) {
      this.whole.push(f);
      return this.append1(-this.whole.length);
    }
    const key = shapeKey(f);
    let id = this.shapeIds.get(key);
    if (id === undefined) {
      const shape: Shape = {
        products:
          f.products &&
          f.products.map((p) => ({ key: p.key, id: p.id, name: p.name, antiMalware: p.antiMalware, installed: p.installed, running: p.running, realTime: p.realTime, signatureless: p.signatureless, signatureUpToDate: p.signatureUpToDate })),
        failure: f.failure,
        agentProtected: f.agentProtected,
        agentLimitHours: f.agentLimitHours,
      };
      id = this.shapes.push(Object.freeze(shape)) - 1;
      this.shapeIds.set(key, id);
    }
    const products = f.products ?? NO_PRODUCTS;
    const at = this.reserve(2 + 2 * products.length);
    const nums = this.nums;
    nums[at] = id;
    nums[at + 1] = f.collectedMs;
    for (let i = 0; i < products.length; i++) {
      nums[at + 2 + 2 * i] = num(products[i]!.signatureMs);
      nums[at + 3 + 2 * i] = num(products[i]!.signatureAgeHours);
    }
    return at;
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
        refs[i] = this.append1(-this.whole.length);
        continue;
      }
      const n = 2 + 2 * (this.shapes[id]!.products?.length ?? 0);
      const at = this.reserve(n);
      this.nums.set(old.subarray(ref, ref + n), at);
      refs[i] = at;
    }
  }

  /** Room for `n` numbers at the end (growing the array if need be); returns where they go. */
  private reserve(n: number): number {
    if (this.used + n > this.nums.length) {
      const next = new Float64Array(Math.max(2 * this.nums.length, this.used + n));
      next.set(this.nums.subarray(0, this.used));
      this.nums = next;
    }
    const at = this.used;
    this.used += n;
    this.live += n;
    return at;
  }

  private append1(value: number): number {
    const at = this.reserve(1);
    this.nums[at] = value;
    return at;
  }
}

const NO_PRODUCTS: readonly ProductFact[] = Object.freeze([]);

/** A string: its length, then itself (so that no two sequences of strings make the same key, whatever they hold). */
const text = (s: string): string => `${s.length}:${s}`;
const flag = (b: boolean | null): string => (b === null ? 'n' : b ? 't' : 'f');
const number = (x: number | null): string => (x === null ? 'n' : Object.is(x, -0) ? '-0' : String(x));

/**
 * What a Shape holds, as one string: equal for two facts exactly when their shapes are equal
 * (every string length-prefixed, every null told apart from a value). Only for compactable facts.
 */
function shapeKey(f: ProtectionFacts): string {
  let key = `${f.failure === null ? 'n' : text(f.failure)}${flag(f.agentProtected)}${number(f.agentLimitHours)};`;
  if (f.products === null) return `${key}n`;
  for (const p of f.products) {
    key += `${text(p.key)}${text(p.id)}${text(p.name)}${flag(p.antiMalware)}${flag(p.installed)}${flag(p.running)}${flag(p.realTime)}${flag(p.signatureless)}${flag(p.signatureUpToDate)}`;
  }
  return key;
}

/** Whether `o`'s own keys are exactly `keys`, in that order (as Object.keys would list them, without making the list). */
function hasKeys(o: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in o) if (!Object.hasOwn(o, k) || k !== keys[i++]) return false;
  return i === keys.length;
}

/** Whether `f` has exactly the fields this pool keeps, with the types a Shape keeps (strings, booleans or null) and numbers where it keeps numbers. */
function compactable(f: ProtectionFacts): boolean {
  if (!hasKeys(f, FACT_KEYS) || typeof f.collectedMs !== 'number' || !isNum(f.agentLimitHours) || !isStringOrNull(f.failure) || !isFlag(f.agentProtected)) return false;
  if (f.products === null) return true;
  if (!Array.isArray(f.products)) return false;
  for (const p of f.products) if (!compactableProduct(p)) return false;
  return true;
}

function compactableProduct(p: ProductFact): boolean {
  return (
    hasKeys(p, PRODUCT_KEYS) &&
    typeof p.key === 'string' &&
    typeof p.id === 'string' &&
    typeof p.name === 'string' &&
    isFlag(p.antiMalware) &&
    isFlag(p.installed) &&
    isFlag(p.running) &&
    isFlag(p.realTime) &&
    isFlag(p.signatureless) &&
    isFlag(p.signatureUpToDate) &&
    isNum(p.signatureMs) &&
    isNum(p.signatureAgeHours) &&
    !Number.isNaN(p.signatureMs) &&
    !Number.isNaN(p.signatureAgeHours)
  );
}
