/**
 * Integer key → dense id table for grid corners and cubes. A flat Int32Array LUT when the key space is
 * small enough (257³ corners of a 256³ grid = 66 MiB), an open-addressing hash table otherwise, so a
 * 512³ or 1024³ grid still works without allocating gigabytes.
 *
 * Flat LUTs are pooled per key space: every surface extraction needs two of (R+1)³ and (R+2)³ entries
 * (8.6 MiB each at 128³), and allocating and filling them per object cost more than using them. release()
 * resets only the entries that were written and returns the LUT to the pool.
 */

const densePool = new Map<number, Int32Array[]>();

export class KeyIndex {
  /** Largest key space served by a flat LUT (2^25 keys = 128 MiB); tests lower it to exercise the hash. */
  static denseLimit = 1 << 25;

  private dense: Int32Array | null;
  /** Keys written to the flat LUT, in id order (so release() can reset exactly those). */
  private denseKeys: Int32Array;
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;
  private filled = 0;
  /** Number of distinct keys inserted; ids are 0..size-1 in insertion order. */
  size = 0;

  constructor(
    private readonly keySpace: number,
    expected: number,
  ) {
    if (keySpace <= KeyIndex.denseLimit) {
      this.dense = densePool.get(keySpace)?.pop() ?? new Int32Array(keySpace).fill(-1);
      this.denseKeys = new Int32Array(Math.max(64, expected));
      this.keys = new Float64Array(0);
      this.vals = new Int32Array(0);
      this.mask = 0;
    } else {
      this.dense = null;
      this.denseKeys = new Int32Array(0);
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
      if (this.size === this.denseKeys.length) {
        const grown = new Int32Array(2 * this.denseKeys.length);
        grown.set(this.denseKeys);
        this.denseKeys = grown;
      }
      this.denseKeys[this.size] = key;
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

  /** Done with the index: a flat LUT goes back to the pool (cleared). The index is empty afterwards. */
  release(): void {
    const dense = this.dense;
    if (!dense) return;
    for (let id = 0; id < this.size; id++) dense[this.denseKeys[id]] = -1;
    const free = densePool.get(this.keySpace) ?? [];
    free.push(dense);
    densePool.set(this.keySpace, free);
    this.dense = null;
    this.keys = new Float64Array(1024).fill(-1);
    this.vals = new Int32Array(1024);
    this.mask = 1023;
    this.filled = 0;
    this.size = 0;
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

/** Distinct grid points (i, j, k) keyed by a KeyIndex, with their coordinates stored in id order. */
export class KeyedPoints {
  readonly index: KeyIndex;
  /** 3 integer coordinates per id (capacity grows; entries ≥ 3·count are unused). */
  coord: Int32Array;

  constructor(keySpace: number, expected: number) {
    this.index = new KeyIndex(keySpace, expected);
    this.coord = new Int32Array(3 * Math.max(64, expected));
  }

  get count(): number {
    return this.index.size;
  }

  /** Id of the point (i, j, k) whose key is `key`; a new point gets the next id and its coordinates. */
  add(key: number, i: number, j: number, k: number): number {
    const before = this.index.size;
    const id = this.index.insert(key);
    if (id === before) {
      if (3 * id + 3 > this.coord.length) {
        const grown = new Int32Array(this.coord.length * 2);
        grown.set(this.coord);
        this.coord = grown;
      }
      this.coord[3 * id] = i;
      this.coord[3 * id + 1] = j;
      this.coord[3 * id + 2] = k;
    }
    return id;
  }
}
