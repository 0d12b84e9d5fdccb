/** Pooled flat LUTs of the surface extractor's KeyIndex: reuse must never leak ids between objects. */
import { describe, expect, it } from 'vitest';
import { KeyIndex, KeyedPoints } from '../../src-main/pipeline/surface/key-index';

describe('KeyIndex pool', () => {
  it('a released LUT comes back empty: the next index sees none of the previous keys', () => {
    const space = 33 ** 3;
    const first = new KeyIndex(space, 4);
    const keys = [5, 17, 33 ** 3 - 1, 0, 17, 1000];
    expect(keys.map((k) => first.insert(k))).toEqual([0, 1, 2, 3, 1, 4]);
    first.release();
    expect(first.size).toBe(0);
    expect(first.get(17)).toBe(-1);
    const second = new KeyIndex(space, 4); // takes the pooled LUT
    for (const k of keys) expect(second.get(k)).toBe(-1);
    expect(second.insert(1000)).toBe(0);
    expect(second.insert(5)).toBe(1);
    second.release();
  });

  it('grows its key log past the expected count and still resets every key on release', () => {
    const space = 20 ** 3;
    const idx = new KeyIndex(space, 1);
    for (let k = 0; k < space; k += 3) idx.insert(k);
    idx.release();
    const again = new KeyIndex(space, 1);
    for (let k = 0; k < space; k++) expect(again.get(k)).toBe(-1);
    again.release();
  });

  it('KeyedPoints records the coordinates of new points only, in id order, growing as needed', () => {
    const pts = new KeyedPoints(10 ** 3, 1);
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) ids.push(pts.add((i * 10 + j) * 10 + 3, i, j, 3));
    expect(pts.add(3, 0, 0, 3)).toBe(0); // existing point: same id, nothing recorded
    expect(pts.count).toBe(100);
    expect(ids).toEqual(Array.from({ length: 100 }, (_, q) => q));
    expect([...pts.coord.subarray(3 * 57, 3 * 58)]).toEqual([5, 7, 3]);
    pts.index.release();
  });
});
