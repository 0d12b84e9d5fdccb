import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { loadMaskFile } from '../../../src-main/pipeline/image/decode';
import { combineInto, emptyMask, MaskImageProblem, maskArea, maskBounds, maskFromAlpha, maskFromMaskImage } from './bitmask';
import { magicWand } from './magicWand';
import { rasterizePolygon } from './lasso';
import { stampSegment } from './brush';
import { UndoStack } from './undoStack';
import { base64ToBytes, bytesToBase64, encodeMaskPng } from './png';
import { classifyInputFiles, pickMaskAt } from './pick';

/** An RGBA image filled with `bg` and a rectangle of `fg`. */
function twoTone(w: number, h: number, rect: [number, number, number, number], fg: number[], bg: number[]) {
  const px = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const inside = x >= rect[0] && x < rect[2] && y >= rect[1] && y < rect[3];
    px.set(inside ? fg : bg, (y * w + x) * 4);
  }
  return px;
}

describe('magic wand', () => {
  it('grows over the connected region within tolerance and stops at the edge', () => {
    const img = twoTone(20, 10, [5, 2, 12, 8], [200, 30, 30, 255], [250, 250, 250, 255]);
    const m = magicWand(img, 20, 10, 7, 4, 20);
    expect(m.reduce((a, b) => a + b, 0)).toBe(7 * 6);
    expect(m[2 * 20 + 5]).toBe(1);
    expect(m[1 * 20 + 5]).toBe(0);
  });

  it('crosses a colour edge once the tolerance covers the distance', () => {
    const img = twoTone(20, 10, [5, 2, 12, 8], [240, 240, 240, 255], [250, 250, 250, 255]);
    expect(magicWand(img, 20, 10, 0, 0, 5).reduce((a, b) => a + b, 0)).toBe(200 - 42);
    expect(magicWand(img, 20, 10, 0, 0, 18).reduce((a, b) => a + b, 0)).toBe(200);
  });

  it('does not jump to a disconnected region of the same colour', () => {
    const img = twoTone(9, 3, [3, 0, 6, 3], [0, 0, 0, 255], [255, 255, 255, 255]);
    const m = magicWand(img, 9, 3, 0, 1, 10);
    expect(m[1 * 9 + 8]).toBe(0);
    expect(m.reduce((a, b) => a + b, 0)).toBe(9);
  });

  it('returns an empty region for a seed outside the image and rejects a wrong buffer size', () => {
    const img = twoTone(4, 4, [0, 0, 0, 0], [0, 0, 0, 255], [0, 0, 0, 255]);
    expect(magicWand(img, 4, 4, -1, 2, 10).every((v) => v === 0)).toBe(true);
    expect(() => magicWand(img, 5, 4, 0, 0, 1)).toThrow(/RGBA bytes/);
  });
});

describe('lasso rasterisation', () => {
  it('fills an axis-aligned rectangle exactly by pixel centres', () => {
    const m = rasterizePolygon([[2, 1], [6, 1], [6, 4], [2, 4]], 10, 6);
    expect(m.reduce((a, b) => a + b, 0)).toBe(4 * 3);
    expect(m[1 * 10 + 2]).toBe(1);
    expect(m[1 * 10 + 6]).toBe(0);
  });

  it('fills a triangle with about its area and uses even-odd for a self-crossing bow tie', () => {
    const tri = rasterizePolygon([[0, 0], [40, 0], [0, 40]], 40, 40);
    expect(Math.abs(tri.reduce((a, b) => a + b, 0) - 800)).toBeLessThan(40);
    const bow = rasterizePolygon([[0, 0], [20, 20], [20, 0], [0, 20]], 20, 20);
    expect(bow[10 * 20 + 1]).toBe(1); // left lobe
    expect(bow[10 * 20 + 18]).toBe(1); // right lobe
    expect(bow[1 * 20 + 10]).toBe(0); // between the crossing edges: outside by the even-odd rule
  });

  it('clips to the image and ignores degenerate input', () => {
    expect(rasterizePolygon([[-5, -5], [50, -5], [50, 50], [-5, 50]], 8, 8).every((v) => v === 1)).toBe(true);
    expect(rasterizePolygon([[1, 1], [3, 3]], 8, 8).every((v) => v === 0)).toBe(true);
  });
});

describe('brush strokes', () => {
  it('covers the segment without gaps and with the given radius', () => {
    const s = new Uint8Array(100 * 20);
    stampSegment(s, 100, 20, 5, 10, 95, 10, 3);
    for (let x = 5; x < 95; x++) expect(s[10 * 100 + x]).toBe(1);
    expect(s[4 * 100 + 50]).toBe(0);
    expect(s[8 * 100 + 50]).toBe(1);
  });

  it('eraser (subtract) clears what the brush (add) set', () => {
    const m = emptyMask(30, 30);
    const s = new Uint8Array(900);
    stampSegment(s, 30, 30, 15, 15, 15, 15, 5);
    combineInto(m, s, 'add');
    const before = maskArea(m);
    expect(before).toBeGreaterThan(60);
    const e = new Uint8Array(900);
    stampSegment(e, 30, 30, 15, 15, 15, 15, 2);
    combineInto(m, e, 'subtract');
    expect(maskArea(m)).toBeLessThan(before);
    expect(m.data[15 * 30 + 15]).toBe(0);
    expect(() => combineInto(m, new Uint8Array(3), 'add')).toThrow(/Stroke has 3 pixels/);
  });
});

describe('undo stack', () => {
  it('undoes, redoes, drops the redo branch on a new edit and respects the limit', () => {
    const u = new UndoStack('a', 2);
    u.push('b'); u.push('c'); u.push('d');
    expect(u.undo()).toBe('c');
    expect(u.undo()).toBe('b');
    expect(u.canUndo).toBe(false); // 'a' fell off the bounded history
    expect(u.redo()).toBe('c');
    u.push('x');
    expect(u.canRedo).toBe(false);
    expect(u.current).toBe('x');
    u.reset('z');
    expect(u.canUndo || u.canRedo).toBe(false);
  });
});

describe('mask encoding and reading', () => {
  it('writes a greyscale PNG that a real decoder reads back pixel for pixel', async () => {
    const m = emptyMask(13, 7);
    combineInto(m, rasterizePolygon([[2, 1], [9, 1], [9, 6], [2, 6]], 13, 7), 'add');
    const png = encodeMaskPng(m);
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height, meta.channels, meta.space]).toEqual([13, 7, 1, 'b-w']);
    const { data } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    for (let i = 0; i < m.data.length; i++) expect(data[i]).toBe(m.data[i] ? 255 : 0);
    expect(Buffer.from(bytesToBase64(png), 'base64').equals(Buffer.from(png))).toBe(true);
    expect(base64ToBytes(bytesToBase64(png))).toEqual(png);
  });

  it('reads masks from alpha (cutouts) and from opaque black/white images', () => {
    const cut = twoTone(6, 4, [1, 1, 3, 3], [10, 20, 30, 255], [255, 255, 255, 0]);
    const a = maskFromMaskImage(cut, 6, 4);
    expect(maskArea(a.mask)).toBe(4);
    expect(maskBounds(a.mask)).toEqual({ x0: 1, y0: 1, x1: 2, y1: 2 });
    expect(a.warnings).toEqual([]);
    const bw = twoTone(6, 4, [0, 0, 2, 4], [255, 255, 255, 255], [0, 0, 0, 255]);
    expect(maskFromMaskImage(bw, 6, 4)).toMatchObject({ mask: { width: 6, height: 4 }, warnings: [] });
    expect(maskArea(maskFromMaskImage(bw, 6, 4).mask)).toBe(8);
    expect(maskBounds(emptyMask(3, 3))).toBeNull();
    expect(() => maskFromAlpha(cut, 5, 4)).toThrow(/RGBA bytes/);
    expect(() => emptyMask(0, 3)).toThrow(/positive integers/);
  });
});

describe('mask files read by the pipeline’s rule (src-shared/mask-rule.ts)', () => {
  it('reads a 0/1 mask (numpy, SAM) as object = 1, with a warning naming the file', () => {
    const zeroOne = twoTone(6, 4, [1, 1, 4, 3], [1, 1, 1, 255], [0, 0, 0, 255]);
    const r = maskFromMaskImage(zeroOne, 6, 4, '“0.png”');
    expect(maskArea(r.mask)).toBe(6);
    expect(maskBounds(r.mask)).toEqual({ x0: 1, y0: 1, x1: 3, y1: 2 });
    expect(r.warnings).toEqual([
      '“0.png” has only two levels, 0 and 1 (of 255); the pixels of level 1 were read as the object. If that is the background, save the object white (255) on black (0).',
    ]);
  });

  it('reads a red object on black (by luminance it was under half: an empty mask before)', () => {
    const red = new Uint8ClampedArray(twoTone(6, 4, [0, 0, 3, 4], [255, 0, 0, 255], [0, 0, 0, 255]));
    const r = maskFromMaskImage(red, 6, 4, '“red.png”');
    expect(maskArea(r.mask)).toBe(12);
    expect(r.warnings).toEqual([expect.stringMatching(/^“red\.png” has two colours, #ff0000 and #000000; the pixels of #ff0000 were read as the object\./)]);
  });

  it('refuses the photo passed as its mask with MaskImageProblem (NOT_A_MASK)', () => {
    const photo = new Uint8Array(8 * 8 * 4);
    for (let p = 0; p < 64; p++) photo.set([90 + p, 120, 150 - p, 255], p * 4);
    let err: unknown;
    try { maskFromMaskImage(photo, 8, 8, '“image.png”'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(MaskImageProblem);
    expect(err).toMatchObject({ code: 'NOT_A_MASK', message: expect.stringMatching(/^“image\.png” does not look like a mask: 100 % of its pixels.*was the photo passed as the mask\?$/) });
  });

  it('reads every kind of mask file as the pipeline does (sharp’s RGBA as the browser gives it)', async () => {
    const png = (w: number, h: number, channels: 1 | 3 | 4, f: (x: number, y: number) => number[]) => {
      const raw = Buffer.alloc(w * h * channels);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set(f(x, y), (y * w + x) * channels);
      return sharp(raw, { raw: { width: w, height: h, channels } }).png().toBuffer();
    };
    const disc = (x: number, y: number) => Math.hypot(x - 19.5, y - 19.5);
    const files = await Promise.all([
      png(40, 40, 1, (x, y) => [disc(x, y) < 12 ? 1 : 0]),
      png(40, 40, 3, (x, y) => (disc(x, y) < 12 ? [255, 0, 0] : [0, 0, 0])),
      png(40, 40, 3, (x, y) => { const d = disc(x, y); return d < 15 ? [0, 255, 0] : d < 16 ? [0, 160, 0] : [0, 0, 0]; }),
      png(40, 40, 1, (x, y) => { const d = disc(x, y); return [d < 11 ? 255 : d < 12 ? 128 : 0]; }),
      png(40, 40, 4, (x, y) => [200, 40, 40, disc(x, y) < 12 ? 255 : 0]),
      png(40, 40, 4, (x, y) => [...(disc(x, y) < 12 ? [255, 255, 255] : [0, 0, 0]), x === 0 ? 0 : 255]),
    ]);
    for (const file of files) {
      const pipeline = await loadMaskFile(file);
      const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const window = maskFromMaskImage(new Uint8ClampedArray(data), info.width, info.height, 'the image buffer');
      expect(maskArea(window.mask)).toBeGreaterThan(0);
      expect(window.mask.data).toEqual(pipeline.data);
      expect(window.warnings).toEqual(pipeline.warnings);
    }
  });
});

describe('picking and the SAM 3D folder convention', () => {
  it('picks the smallest mask under the cursor', () => {
    const big = emptyMask(10, 10); big.data.fill(1);
    const small = emptyMask(10, 10); small.data[5 * 10 + 5] = 1;
    const masks = [{ mask: big, area: 100 }, { mask: small, area: 1 }];
    expect(pickMaskAt(masks, 5.5, 5.2)).toBe(1);
    expect(pickMaskAt(masks, 1, 1)).toBe(0);
    expect(pickMaskAt(masks, 11, 1)).toBe(-1);
  });

  it('finds image.png and numbered masks in numeric order', () => {
    const f = (name: string) => ({ name });
    const r = classifyInputFiles([f('10.png'), f('2.png'), f('image.png'), f('notes.txt'), f('0.png')]);
    expect(r.image?.name).toBe('image.png');
    expect(r.masks.map((m) => m.name)).toEqual(['0.png', '2.png', '10.png']);
    expect(classifyInputFiles([f('photo.jpg')]).image?.name).toBe('photo.jpg');
    expect(classifyInputFiles([f('a.txt')]).image).toBeNull();
  });
});
