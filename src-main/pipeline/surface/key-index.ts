/**
 * Integer key → dense id table for grid corners and cubes. A flat Int32Array LUT when the key space is
 * small enough (257³ corners of a 256³ grid = 66 MiB), an open-addressing hash table otherwise, so a
 * 512³ or 1024³ grid still works without allocating gigabytes.
 */

export class KeyIndex {
  /** Largest key space served by a flat LUT (2^25 keys = 128 MiB); tests lower it to exercise the hash. */
  static denseLimit = 1 << 25;

  private readonly dense: Int32Array | null;
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;
  private filled = 0;
  /** Number of distinct keys inserted; ids are 0..size-1 in insertion order. */
  size = 0;

  constructor(keySpace: number, expected: number) {
    if (keySpace <= KeyIndex.denseLimit) {
      this.dense = new Int32Array(keySpace).fill(-1);
      this.keys = new Float64Array(0);
      this.vals = new Int32Array(0);
      this.mask = 0;
    } else {
      this.dense = null;
      let cap = 1024;
      while (cap < expected * 2) cap *= 2;
      this.keys = new Float64Array(cap).fill(-1);
      this.vals = new Int32Array(cap);
      this.mask = cap - 1;
    }
  }

  /** Id of `key`, or -1. */
  get(key: number): number {
    if (this.dense) return this.dense[key];
    let h = this.hash(key);
    for (;;) {
      const k = this.keys[h];
      if (k === key) return this.vals[h];
      if (k === -1) return -1;
      h = (h + 1) & this.mask;
    }
  }

  /** Id of `key`, inserting it with the next id when absent. */
  insert(key: number): number {
    if (this.dense) {
      const v = this.dense[key];
      if (v >= 0) return v;
      this.dense[key] = this.size;
      return this.size++;
    }
    if ((this.filled + 1) * 2 > this.keys.length) this.grow();
    let h = this.hash(key);
    for (;;) {
      const k = this.keys[h];
      if (k === key) return this.vals[h];
      if (k === -1) {
        this.keys[h] = key;
        this.vals[h] = this.size;
        this.filled++;
        return this.size++;
      }
      h = (h + 1) & this.mask;
    }
  }

  private hash(key: number): number {
    // Keys stay below 2^53; mix the low and high 32-bit halves (Knuth multiplicative hashing).
    const lo = key >>> 0;
    const hi = Math.floor(key / 4294967296) >>> 0;
    return (Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1) >>> 0) & this.mask;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    this.keys = new Float64Array(oldKeys.length * 2).fill(-1);
    this.vals = new Int32Array(oldKeys.length * 2);
    this.mask = this.keys.length - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i];
      if (k === -1) continue;
      let h = this.hash(k);
      while (this.keys[h] !== -1) h = (h + 1) & this.mask;
      this.keys[h] = k;
      this.vals[h] = oldVals[i];
    }
  }
}
