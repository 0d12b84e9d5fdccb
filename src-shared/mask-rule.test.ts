import { describe, expect, it } from 'vitest';
import { NOT_A_MASK_SHARE, readMaskPixels, type MaskReading } from './mask-rule';

/** Interleaved 8-bit samples, `channels` per pixel, from a per-pixel function. */
function pixels(w: number, h: number, channels: 3 | 4, f: (x: number, y: number) => number[]) {
  const samples = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) samples.set(f(x, y), (y * w + x) * channels);
  return { width: w, height: h, channels, samples };
}

const area = (r: MaskReading) => (r.ok ? r.data.reduce((a, b) => a + b, 0) : -1);
const ok = (r: MaskReading) => {
  if (!r.ok) throw new Error(`refused: ${r.message}`);
  return r;
};

describe('the mask rule (pipeline and window alike)', () => {
  it('reads white on black without a word, and an opaque RGBA file as its RGB', () => {
    const rgb = ok(readMaskPixels(pixels(4, 2, 3, (x) => (x >= 2 ? [255, 255, 255] : [0, 0, 0])), '“m.png”'));
    expect(Array.from(rgb.data)).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
    expect(rgb.warnings).toEqual([]);
    const rgba = ok(readMaskPixels(pixels(4, 2, 4, (x) => (x >= 2 ? [255, 255, 255, 255] : [0, 0, 0, 255])), '“m.png”'));
    expect(rgba).toEqual(rgb);
  });

  it('reads a 0/1 mask as object = 1 and says so', () => {
    const r = ok(readMaskPixels(pixels(8, 8, 3, (x, y) => (x >= 2 && x < 6 && y >= 2 && y < 6 ? [1, 1, 1] : [0, 0, 0])), '“0.png”'));
    expect(area(r)).toBe(16);
    expect(r.data[2 * 8 + 2]).toBe(1);
    expect(r.warnings).toEqual([
      '“0.png” has only two levels, 0 and 1 (of 255); the pixels of level 1 were read as the object. If that is the background, save the object white (255) on black (0).',
    ]);
  });

  it('reads a red object on black as the red pixels and says so; Uint8ClampedArray (a canvas) as well', () => {
    const px = pixels(8, 2, 4, (x) => (x >= 4 ? [255, 0, 0, 255] : [0, 0, 0, 255]));
    const r = ok(readMaskPixels({ ...px, samples: new Uint8ClampedArray(px.samples) }, '“red.png”'));
    expect(Array.from(r.data.subarray(0, 8))).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(r.warnings).toEqual([
      '“red.png” has two colours, #000000 and #ff0000; the pixels of #ff0000 were read as the object. If that is the background, save the object white (255) on black (0).',
    ]);
  });

  it('reads a coloured soft mask by its brightest channel over half', () => {
    const r = ok(readMaskPixels(pixels(40, 40, 3, (x, y) => {
      const d = Math.hypot(x - 19.5, y - 19.5);
      return d < 15 ? [0, 255, 0] : d < 16 ? [0, 160, 0] : [0, 0, 0];
    }), 'g'));
    expect(area(r)).toBeGreaterThan(700);
    expect(r.warnings).toEqual(['g is a coloured mask; pixels whose brightest channel is over half were read as the object.']);
  });

  it('reads RGBA cut-outs by alpha > half, whatever their colours', () => {
    const r = ok(readMaskPixels(pixels(4, 1, 4, (x) => [120, 130, 140, [255, 128, 127, 0][x]]), 'cut'));
    expect(Array.from(r.data)).toEqual([1, 1, 0, 0]);
    expect(r.warnings).toEqual([]);
  });

  it('uses the white pixels of a black-and-white mask whose alpha is opaque but for a few pixels', () => {
    const r = ok(readMaskPixels(pixels(40, 40, 4, (x, y) => [...(x >= 10 && x < 30 && y >= 10 && y < 30 ? [255, 255, 255] : [0, 0, 0]), x === 0 ? 0 : 255]), 'bw'));
    expect(area(r)).toBe(400);
    expect(r.warnings).toEqual(['bw is a black-and-white mask with an alpha channel that is opaque but for 40 pixels; its white pixels are used as the mask, not its alpha.']);
  });

  it('refuses a file of mid-tones (the photo as its own mask) and a label map, in the pipeline’s words', () => {
    const photo = readMaskPixels(pixels(10, 10, 3, (x, y) => [60 + x * 10, 80 + y * 5, 100]), '“photo.png”');
    expect(photo).toEqual({
      ok: false,
      code: 'NOT_A_MASK',
      message:
        '“photo.png” does not look like a mask: 100 % of its pixels are neither near black nor near white. ' +
        'A mask is white on black (or an RGBA cut-out whose transparency is the mask); was the photo passed as the mask?',
    });
    // Anti-aliased edges under the share are a mask.
    const edges = Math.floor(NOT_A_MASK_SHARE * 100);
    expect(readMaskPixels(pixels(100, 1, 3, (x) => (x < edges ? [128, 128, 128] : x < 60 ? [255, 255, 255] : [0, 0, 0])), 'e').ok).toBe(true);
    const labels = readMaskPixels(pixels(8, 8, 3, (x) => (x < 3 ? [0, 0, 0] : x < 6 ? [1, 1, 1] : [2, 2, 2])), 'labels');
    expect(labels).toMatchObject({ ok: false, code: 'EMPTY_MASK', message: expect.stringMatching(/^labels has no pixel brighter than half: its 3 levels go from 0 to 2 \(of 255\)/) });
  });

  it('an all-black file reads as an empty mask (the caller says so), not as a problem', () => {
    const r = ok(readMaskPixels(pixels(3, 3, 3, () => [0, 0, 0]), 'black'));
    expect(area(r)).toBe(0);
    expect(r.warnings).toEqual([]);
  });

  it('refuses samples that do not match the size', () => {
    expect(() => readMaskPixels({ width: 2, height: 2, channels: 4, samples: new Uint8Array(12) }, 'x')).toThrow(/Expected 16 samples/);
    expect(() => readMaskPixels({ width: 1, height: 1, channels: 2, samples: new Uint8Array(2) }, 'x')).toThrow(/3 or 4 channels/);
  });
});
