/** Pre/postprocessing math of click-to-segment (docs/segmentation-pack.md), without any model. */
import { describe, expect, it } from 'vitest';
import { decodeMaskRle, encodeMaskRle, MaskRle } from '../../src-shared/api/segment';
import { bestCandidate, logitsToMask } from '../../src-main/segment/postprocess';
import { encoderInput, promptTensors, resizedSize } from '../../src-main/segment/preprocess';
import { Lru } from '../../src-main/segment/lru';

const INPUT = { size: 64, mean: [100, 110, 120] as [number, number, number], std: [50, 55, 60] as [number, number, number] };

describe('preprocessing', () => {
  it('resizes the long side to S with SAM rounding (round half up)', () => {
    expect(resizedSize(384, 384, 256)).toEqual({ width: 256, height: 256 });
    expect(resizedSize(1000, 500, 64)).toEqual({ width: 64, height: 32 });
    expect(resizedSize(300, 1000, 256)).toEqual({ width: 77, height: 256 }); // 76.8 → 77
    expect(resizedSize(10, 1000, 64)).toEqual({ width: 1, height: 64 }); // never 0 wide
  });

  it('normalises on 0–255 values per channel and pads right/bottom with zeros', () => {
    const [w, h] = [100, 50];
    const rgb = new Float32Array(w * h * 3);
    for (let p = 0; p < w * h; p++) rgb.set([0.2, 0.5, 1], p * 3);
    const { data, width, height } = encoderInput({ width: w, height: h, rgb, alpha: null, bitDepth: 8, warnings: [] }, INPUT);
    expect([width, height]).toEqual([64, 32]);
    const S = 64;
    const at = (c: number, y: number, x: number) => data[c * S * S + y * S + x];
    expect(at(0, 0, 0)).toBeCloseTo((0.2 * 255 - 100) / 50, 4);
    expect(at(1, 31, 63)).toBeCloseTo((0.5 * 255 - 110) / 55, 4);
    expect(at(2, 10, 10)).toBeCloseTo((255 - 120) / 60, 4);
    for (let c = 0; c < 3; c++) {
      expect(at(c, 32, 0)).toBe(0); // below the image
      expect(at(c, 63, 63)).toBe(0);
    }
  });

  it('maps clicks into the resized frame and appends the padding point or the box corners', () => {
    const frame = { width: 200, height: 100, resizedWidth: 64, resizedHeight: 32 };
    const a = promptTensors([{ x: 100, y: 50, positive: true }, { x: 20, y: 10, positive: false }], undefined, frame);
    expect([...a.coords]).toEqual([32, 16, 6.4, 3.2, 0, 0].map(Math.fround));
    expect([...a.labels]).toEqual([1, 0, -1]);
    // A box drawn from bottom-right to top-left is normalised to (top-left, bottom-right); no padding point.
    const b = promptTensors([], { x0: 150, y0: 75, x1: 50, y1: 25 }, frame);
    expect([...b.coords]).toEqual([16, 8, 48, 24]);
    expect([...b.labels]).toEqual([2, 3]);
    expect(b.n).toBe(2);
  });
});

describe('postprocessing', () => {
  it('takes the candidate with the highest predicted IoU', () => {
    expect(bestCandidate(Float32Array.of(0.1, 0.9, 0.3))).toBe(1);
    expect(bestCandidate(Float32Array.of(0.5))).toBe(0);
  });

  it('upsamples, crops the unpadded region and resizes to the caller size', () => {
    // Image 100×50 in a 64-input: it fills 64×32 (the top half). Logits positive in the left half of
    // the padded input (x < 32 of 64) = the left half of the image (x < 50 of 100), in every image row;
    // the padding rows (bottom half of the input) are negative and must not leak into the mask.
    const M = 16;
    const logits = new Float32Array(M * M);
    for (let y = 0; y < M; y++) for (let x = 0; x < M; x++) logits[y * M + x] = y < M / 2 && x < M / 2 ? 4 : -4;
    const mask = logitsToMask(logits, { lowRes: M, inputSize: 64, resizedWidth: 64, resizedHeight: 32, width: 100, height: 50 });
    expect(mask.length).toBe(100 * 50);
    let wrong = 0;
    for (let y = 0; y < 50; y++) {
      for (let x = 0; x < 100; x++) {
        const nearEdge = Math.abs(x - 50) <= 3 || y >= 47; // bilinear transition bands
        if (!nearEdge && mask[y * 100 + x] !== (x < 50 ? 1 : 0)) wrong++;
      }
    }
    expect(wrong).toBe(0);
    expect(mask[10 * 100 + 10]).toBe(1);
    expect(mask[10 * 100 + 90]).toBe(0);
  });

  it('refuses logits of the wrong size', () => {
    expect(() => logitsToMask(new Float32Array(10), { lowRes: 16, inputSize: 64, resizedWidth: 64, resizedHeight: 64, width: 8, height: 8 })).toThrow(/16×16 logits/);
  });
});

describe('mask run-length encoding', () => {
  it('round-trips and starts with a background run', () => {
    const data = Uint8Array.from([1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 0]);
    const rle = encodeMaskRle(data, 4, 3);
    expect(rle.counts).toEqual([0, 2, 3, 1, 1, 3, 2]);
    expect(MaskRle.safeParse(rle).success).toBe(true);
    expect([...decodeMaskRle(rle)]).toEqual([...data]);
    expect(encodeMaskRle(new Uint8Array(6), 3, 2).counts).toEqual([6]);
  });

  it('rejects runs that do not cover the mask', () => {
    expect(MaskRle.safeParse({ width: 2, height: 2, counts: [1, 2] }).success).toBe(false);
    expect(() => decodeMaskRle({ width: 2, height: 2, counts: [1, 2] })).toThrow(/cover 3 of 4/);
    expect(() => encodeMaskRle(new Uint8Array(3), 2, 2)).toThrow(/3 pixels/);
  });
});

describe('LRU', () => {
  it('keeps the most recently used entries', () => {
    const evicted: string[] = [];
    const lru = new Lru<string, string>(2, (v) => evicted.push(v));
    lru.set('a', 'A'); lru.set('b', 'B');
    expect(lru.get('a')).toBe('A'); // a is now the newest
    lru.set('c', 'C');
    expect(lru.get('b')).toBeUndefined();
    expect(evicted).toEqual(['B']);
    expect([lru.get('a'), lru.get('c'), lru.size]).toEqual(['A', 'C', 2]);
  });
});
