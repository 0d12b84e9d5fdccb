import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PipelineInputError } from '../../src-main/pipeline/errors';
import {
  conditionInputs,
  conformMask,
  cropWindow,
  loadImageFile,
  loadMaskFile,
  maskAt,
  maskFromAlpha,
  objectCutout,
  readSam3dFolder,
  resizeBilinearAA,
} from '../../src-main/pipeline/image';
import type { BinaryMask } from '../../src-main/pipeline/image';

const dir = mkdtempSync(join(tmpdir(), 'fs3d-img-'));

async function png(
  width: number,
  height: number,
  channels: 3 | 4,
  fill: (x: number, y: number) => number[],
): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set(fill(x, y), (y * width + x) * channels);
  return sharp(raw, { raw: { width, height, channels } }).png().toBuffer();
}

function rectMask(width: number, height: number, x0: number, y0: number, x1: number, y1: number): BinaryMask {
  const data = new Uint8Array(width * height);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) data[y * width + x] = 1;
  return { width, height, data, warnings: [] };
}

async function expectInputError(p: Promise<unknown> | (() => unknown), code: string, message: RegExp) {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(PipelineInputError);
  expect((err as PipelineInputError).code).toBe(code);
  expect((err as Error).message).toMatch(message);
}

describe('decoding', () => {
  it('decodes PNG, JPEG and WebP to RGB 0..1 and keeps alpha', async () => {
    const rgba = await png(6, 4, 4, (x) => [255, 0, 0, x < 3 ? 255 : 0]);
    const img = await loadImageFile(rgba);
    expect([img.width, img.height, img.bitDepth]).toEqual([6, 4, 8]);
    expect(Array.from(img.rgb.subarray(0, 3))).toEqual([1, 0, 0]);
    expect(img.alpha?.[0]).toBe(1);
    expect(maskFromAlpha(img)?.data[5]).toBe(0);
    const jpg = await sharp(rgba).flatten().jpeg().toBuffer();
    const webp = await sharp(rgba).webp({ lossless: true }).toBuffer();
    expect((await loadImageFile(jpg)).alpha).toBeNull();
    expect((await loadImageFile(webp)).width).toBe(6);
  });

  it('applies EXIF orientation', async () => {
    const base = await png(6, 4, 3, () => [10, 20, 30]);
    const rotated = await sharp(base).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const img = await loadImageFile(rotated);
    expect([img.width, img.height]).toEqual([4, 6]);
  });

  it('reads 16-bit PNGs with full precision', async () => {
    const raw = new Uint16Array(4 * 2 * 3);
    for (let q = 0; q < raw.length; q++) raw[q] = q * 2000 + 1;
    const src = await sharp(raw, { raw: { width: 4, height: 2, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(src).metadata()).depth).toBe('ushort');
    const img = await loadImageFile(src);
    expect(img.bitDepth).toBe(16);
    // 2001/65535 is not representable in 8 bits: the full 16-bit value comes through
    expect(img.rgb[1]).toBeCloseTo(2001 / 65535, 7);
    expect(img.rgb[23]).toBeCloseTo((23 * 2000 + 1) / 65535, 7);
  });

  it('downscales huge images and says so', async () => {
    const big = await png(300, 100, 3, () => [1, 2, 3]);
    const img = await loadImageFile(big, { maxSide: 120 });
    expect([img.width, img.height]).toEqual([120, 40]);
    expect(img.warnings[0]).toMatch(/downscaled to 120×40/);
  });

  it('gives clear typed errors for missing, folder and corrupt files', async () => {
    await expectInputError(loadImageFile(join(dir, 'nope.png')), 'UNREADABLE_FILE', /does not exist/);
    await expectInputError(loadImageFile(dir), 'UNREADABLE_FILE', /is a folder/);
    const bad = join(dir, 'bad.png');
    writeFileSync(bad, Buffer.from('this is not a png'));
    await expectInputError(loadImageFile(bad), 'CORRUPT_IMAGE', /bad\.png.*not a readable image/);
  });

  it('says in one line that HEIC photos are not read and what to save instead; AVIF (the same container) still decodes', async () => {
    // A HEIF file whose brands say HEIC (as an iPhone writes them) and whose content libheif cannot read.
    const ftyp = Buffer.alloc(24);
    ftyp.writeUInt32BE(24, 0);
    ftyp.write('ftypheic', 4, 'latin1');
    ftyp.write('mif1heic', 16, 'latin1');
    const heic = join(dir, 'IMG_0001.HEIC');
    writeFileSync(heic, Buffer.concat([ftyp, Buffer.alloc(200, 7)]));
    let err: Error | undefined;
    await loadImageFile(heic).catch((e: Error) => (err = e));
    expect(err?.message).toBe(
      `"${heic}" is a HEIC photo, which this app cannot read; export it as JPEG or PNG (on iPhone: Settings › Camera › Formats › Most Compatible, or share it as JPEG).`,
    );
    const avif = await sharp(await png(8, 6, 3, () => [200, 30, 30])).avif().toBuffer();
    expect((await sharp(avif).metadata()).format).toBe('heif');
    expect((await loadImageFile(avif)).width).toBe(8);
    // A damaged AVIF is not called HEIC.
    await expectInputError(loadImageFile(avif.subarray(0, 40)), 'CORRUPT_IMAGE', /is not a readable image/);
  });

  it('keeps the size of a downscaled photo as given, for messages about its mask', async () => {
    const wide = await loadImageFile(await png(900, 10, 3, () => [1, 2, 3]), { maxSide: 409 });
    expect([wide.width, wide.height, wide.givenSize]).toEqual([409, 5, [900, 10]]);
    expect((await loadImageFile(await png(8, 6, 3, () => [1, 2, 3]))).givenSize).toBeUndefined();
  });
});

describe('masks', () => {
  it('reads grey masks and RGBA cutouts (alpha = mask)', async () => {
    const grey = await loadMaskFile(await png(4, 4, 3, (x) => (x >= 2 ? [255, 255, 255] : [0, 0, 0])));
    expect(Array.from(grey.data.subarray(0, 4))).toEqual([0, 0, 1, 1]);
    const cut = await loadMaskFile(await png(4, 4, 4, (x) => (x === 0 ? [90, 10, 10, 255] : [255, 255, 255, 0])));
    expect(Array.from(cut.data.subarray(0, 4))).toEqual([1, 0, 0, 0]);
    expect(cut.warnings).toEqual([]);
  });

  it('reads a black-and-white mask by its colours when its alpha is opaque but for a stray column', async () => {
    // 40×40, white square in the middle, alpha 0 on the first column only (as some editors save them).
    const bw = await loadMaskFile(await png(40, 40, 4, (x, y) => [...(x >= 10 && x < 30 && y >= 10 && y < 30 ? [255, 255, 255] : [0, 0, 0]), x === 0 ? 0 : 255]));
    expect(bw.data.reduce((a, b) => a + b, 0)).toBe(400);
    expect(bw.warnings).toEqual([expect.stringMatching(/black-and-white mask with an alpha channel that is opaque but for 40 pixels; its white pixels are used/)]);
  });

  it('refuses a photo passed as its own mask, and keeps a mask with anti-aliased edges', async () => {
    // The project's mug photo: mostly mid-tones.
    const photo = join(__dirname, '../../resources/examples/mug/image.png');
    await expectInputError(loadMaskFile(photo), 'NOT_A_MASK', /does not look like a mask: \d+ % of its pixels are neither near black nor near white.*was the photo passed as the mask\?/);
    // A 40×40 white disc on black with one grey ring of anti-aliasing: a mask.
    const aa = await loadMaskFile(await png(40, 40, 3, (x, y) => {
      const r = Math.hypot(x - 19.5, y - 19.5);
      const v = r < 11 ? 255 : r < 12 ? 128 : 0;
      return [v, v, v];
    }));
    expect(aa.data.reduce((a, b) => a + b, 0)).toBeGreaterThan(300);
    // An RGBA cut-out's colours are the object's: its transparency is the mask, whatever the colours.
    const cut = await loadMaskFile(await png(4, 4, 4, (x) => (x === 0 ? [120, 130, 140, 255] : [128, 128, 128, 0])));
    expect(Array.from(cut.data.subarray(0, 4))).toEqual([1, 0, 0, 0]);
  });

  it('reads 0/1 masks (numpy, SAM) and two-level masks as object = the higher level, saying so', async () => {
    const grey1 = async (w: number, h: number, f: (x: number, y: number) => number) => {
      const raw = Buffer.alloc(w * h);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw[y * w + x] = f(x, y);
      return sharp(raw, { raw: { width: w, height: h, channels: 1 } }).png().toBuffer();
    };
    const zeroOne = await loadMaskFile(await grey1(8, 8, (x, y) => (x >= 2 && x < 6 && y >= 2 && y < 6 ? 1 : 0)));
    expect(zeroOne.data.reduce((a, b) => a + b, 0)).toBe(16);
    expect(zeroOne.data[2 * 8 + 2]).toBe(1);
    expect(zeroOne.warnings).toEqual([
      expect.stringMatching(/^the image buffer has only two levels, 0 and 1 \(of 255\); the pixels of level 1 were read as the object\. If that is the background, save the object white \(255\) on black \(0\)\.$/),
    ]);
    // Two light levels (the 0.5 threshold would take the whole frame): the lighter is the object.
    const light = await loadMaskFile(await grey1(8, 8, (x) => (x < 3 ? 200 : 140)));
    expect(light.data.reduce((a, b) => a + b, 0)).toBe(24);
    // Black and white: nothing to say.
    expect((await loadMaskFile(await grey1(8, 8, (x) => (x < 3 ? 255 : 0)))).warnings).toEqual([]);
  });

  it('reads coloured masks by their brightest channel: a red or green object on black', async () => {
    const red = await loadMaskFile(await png(8, 8, 3, (x) => (x >= 4 ? [255, 0, 0] : [0, 0, 0])));
    expect(Array.from(red.data.subarray(0, 8))).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(red.warnings).toEqual([expect.stringMatching(/has two colours, #000000 and #ff0000; the pixels of #ff0000 were read as the object/)]);
    // Green with an anti-aliased edge (three colours): brightest channel over half. Large, so the
    // mid-tone check that refuses photos is not tripped by its colour (its mean grey is a third).
    const green = await loadMaskFile(await png(40, 40, 3, (x, y) => {
      const r = Math.hypot(x - 19.5, y - 19.5);
      return r < 15 ? [0, 255, 0] : r < 16 ? [0, 160, 0] : [0, 0, 0];
    }));
    expect(green.data.reduce((a, b) => a + b, 0)).toBeGreaterThan(700);
    expect(green.warnings).toEqual([expect.stringMatching(/is a coloured mask; pixels whose brightest channel is over half were read as the object/)]);
  });

  it('says what a mask with no level above half holds (a label map) and what to save instead', async () => {
    const labels = await png(8, 8, 3, (x) => (x < 3 ? [0, 0, 0] : x < 6 ? [1, 1, 1] : [2, 2, 2]));
    await expectInputError(
      loadMaskFile(labels),
      'EMPTY_MASK',
      /has no pixel brighter than half: its 3 levels go from 0 to 2 \(of 255\), so no object could be read\. It may be a label map or a mask saved too dark; save the object as white \(255\) on black \(0\), one mask per object\./,
    );
  });

  it('takes a mask of a very wide photo after the photo is downscaled (the rounding changes its aspect)', () => {
    // 9000×100 is 4096×46 downscaled (45.5 rounded): 1.07 % off the aspect ratio, one pixel of rounding.
    const wide = rectMask(9000, 100, 4000, 20, 4999, 79);
    const fitted = conformMask(wide, 4096, 46, 'the mask', undefined, [9000, 100]);
    expect([fitted.width, fitted.height]).toEqual([4096, 46]);
    expect(fitted.warnings).toEqual([]); // the photo's own warning says it was downscaled
    // Without the size as given (an older caller), the rounding is allowed all the same.
    expect(conformMask(wide, 4096, 46).warnings).toEqual([expect.stringMatching(/resized to the image size 4096×46/)]);
    // A mask of another size is resized and the message names the photo's own size.
    expect(conformMask(rectMask(4500, 50, 2000, 10, 2499, 39), 4096, 46, 'the mask', undefined, [9000, 100]).warnings).toEqual([
      'the mask (4500×50) was resized to fit the image (9000×100, downscaled to 4096×46).',
    ]);
    // Refused: the size quoted is the photo's, not the downscaled one the user never had.
    expect(() => conformMask(rectMask(500, 500, 10, 10, 20, 20), 4096, 46, 'the mask', undefined, [9000, 100])).toThrow(
      'the mask is 500×500 but the image is 9000×100 and the aspect ratios differ; use a mask made for this image.',
    );
  });

  it('refuses empty and full masks, resizes a same-aspect mask with a warning, refuses another aspect', async () => {
    await expectInputError(() => conformMask(rectMask(4, 4, 0, 0, -1, -1), 4, 4), 'EMPTY_MASK', /empty/);
    await expectInputError(() => conformMask(rectMask(4, 4, 0, 0, 3, 3), 4, 4), 'FULL_MASK', /whole image/);
    const resized = conformMask(rectMask(8, 4, 0, 0, 3, 3), 16, 8);
    expect([resized.width, resized.height]).toEqual([16, 8]);
    expect(resized.warnings[0]).toMatch(/resized to the image size 16×8/);
    await expectInputError(
      () => conformMask(rectMask(8, 4, 0, 0, 3, 3), 8, 8),
      'MASK_SIZE_MISMATCH',
      /8×4 but the image is 8×8/,
    );
  });

  it('refuses a photo over the decode limit by its size (not as unreadable), from the header alone', async () => {
    // A PNG whose header says 30000×30000 (900 MP): nothing past the header is needed to refuse it.
    const crc = (buf: Buffer) => {
      let c = ~0;
      for (const b of buf) { c ^= b; for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1)); }
      return ~c >>> 0;
    };
    const chunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const out = Buffer.alloc(12 + data.length);
      out.writeUInt32BE(data.length, 0);
      body.copy(out, 4);
      out.writeUInt32BE(crc(body), 8 + data.length);
      return out;
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(30000, 0);
    ihdr.writeUInt32BE(30000, 4);
    ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
    const huge = join(dir, 'huge.png');
    const firstRow = deflateSync(Buffer.alloc(1 + 30000 * 3)); // one row of the image data, the rest missing
    writeFileSync(huge, Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', firstRow), chunk('IEND', Buffer.alloc(0))]));
    await expectInputError(loadImageFile(huge), 'IMAGE_TOO_LARGE', /is 30000×30000 \(900 megapixels\), more than the 600 megapixels this app decodes; downscale it first/);
  });

  it('warns (and still runs) on a mask of a few pixels and on one that looks inverted', () => {
    const tiny = conformMask(rectMask(64, 64, 10, 10, 12, 12), 64, 64, 'the mask "dot"');
    expect(tiny.warnings).toEqual([expect.stringMatching(/^the mask "dot" covers only 9 pixels \(3×3\); .*too small/)]);
    const ok = conformMask(rectMask(64, 64, 10, 10, 30, 30), 64, 64);
    expect(ok.warnings).toEqual([]);
    // Everything but a hole in the middle: the background was picked.
    const inverted = rectMask(64, 64, 0, 0, 63, 63);
    for (let y = 20; y < 40; y++) for (let x = 20; x < 40; x++) inverted.data[y * 64 + x] = 0;
    expect(conformMask(inverted, 64, 64).warnings).toEqual([expect.stringMatching(/covers 90 % of the image and touches all four borders; it may be inverted/)]);
    // A large object that fills a landscape frame edge to edge but not around: no warning.
    expect(conformMask(rectMask(64, 64, 0, 8, 63, 56), 64, 64).warnings).toEqual([]);
  });

  it('reads the SAM 3D folder convention and the mask index', async () => {
    const f = join(dir, 'sam3d');
    mkdirSync(f);
    writeFileSync(join(f, 'image.png'), await png(4, 4, 3, () => [0, 0, 0]));
    for (const i of [0, 1, 10]) writeFileSync(join(f, `${i}.png`), await png(4, 4, 4, () => [255, 255, 255, 0]));
    const folder = await readSam3dFolder(f);
    expect(folder.masks.map((m) => m.path.split('/').pop())).toEqual(['0.png', '1.png', '10.png']);
    expect(maskAt(folder, 10, f)).toMatch(/10\.png$/);
    await expectInputError(
      () => maskAt(folder, 2, f),
      'MASK_INDEX_OUT_OF_RANGE',
      /mask index 2 does not exist.*0\.png, 1\.png, 10\.png/,
    );
    await expectInputError(readSam3dFolder(dir), 'UNREADABLE_FILE', /no image\.png/);
  });

  it('refuses a SAM 3D folder with two photos (image.png and image.jpg), naming both', async () => {
    const f = join(dir, 'two-photos');
    mkdirSync(f);
    writeFileSync(join(f, 'image.png'), await png(4, 4, 3, () => [0, 0, 0]));
    writeFileSync(join(f, 'image.jpg'), await sharp(await png(4, 4, 3, () => [9, 9, 9])).jpeg().toBuffer());
    writeFileSync(join(f, '0.png'), await png(4, 4, 4, () => [255, 255, 255, 0]));
    await expectInputError(
      readSam3dFolder(f),
      'UNREADABLE_FILE',
      /has 2 photos \("image\.jpg", "image\.png"\); keep only the one the masks were made on \(SAM 3D reads image\.png\)\./,
    );
    // A bare masks folder (scene --masks-dir) does not use a photo: no refusal for one there.
    expect((await readSam3dFolder(f, false)).masks).toHaveLength(1);
    // An iPhone photo copied in as it was: said, with what to save instead.
    const h = join(dir, 'heic-photo');
    mkdirSync(h);
    writeFileSync(join(h, 'image.HEIC'), 'x');
    writeFileSync(join(h, '0.png'), await png(4, 4, 4, () => [255, 255, 255, 0]));
    await expectInputError(readSam3dFolder(h), 'UNREADABLE_FILE', /has "image\.HEIC", a HEIC photo, which this app cannot read; export it as image\.jpg or image\.png/);
  });
});

describe('preprocessing', () => {
  it('crop box: side int(max(w,h,2)·1.2) centred on the bbox', () => {
    expect(cropWindow(rectMask(100, 100, 10, 20, 29, 29), 1.2)).toEqual({ left: 8, top: 13, side: 24 });
    expect(cropWindow(rectMask(100, 100, 50, 50, 50, 50), 1.2).side).toBe(2);
  });

  it('lays out rows [crop, full] per object, pads the full frame with zeros, masks nearest', () => {
    // 8×4 image, left half red, right half blue; object = the 2×2 block at x 4..5, y 1..2
    const w = 8,
      h = 4;
    const rgb = new Float32Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.set(x < 4 ? [1, 0, 0] : [0, 0, 1], (y * w + x) * 3);
    const image = { width: w, height: h, rgb, alpha: null, bitDepth: 8 as const, warnings: [] };
    const m = rectMask(w, h, 4, 1, 5, 2);
    const c = conditionInputs(image, [m, m], 8, 1.2);
    expect(c.image.length).toBe(4 * 3 * 64);
    expect(c.mask.length).toBe(4 * 64);
    // full frame (row 1): 8×8 square, image rows 2..5; the padding rows 0..1 are zero
    const full = c.image.subarray(3 * 64, 6 * 64);
    expect(full[0]).toBe(0);
    expect(full[2 * 8 + 0]).toBeCloseTo(1, 6); // red plane, row 2, x 0
    expect(full[2 * 64 + 2 * 8 + 7]).toBeCloseTo(1, 6); // blue plane, row 2, x 7
    const fullMask = c.mask.subarray(64, 128);
    expect(Array.from(fullMask.subarray(3 * 8, 4 * 8))).toEqual([0, 0, 0, 0, 1, 1, 0, 0]);
    // crop (row 0): 2×2 object, side int(2·1.2) = 2 → the object fills the crop: all blue, mask all 1
    const crop = c.image.subarray(0, 3 * 64);
    expect(crop[0]).toBeCloseTo(0, 6);
    expect(crop[2 * 64]).toBeCloseTo(1, 6);
    expect(Array.from(c.mask.subarray(0, 64)).every((v) => v === 1)).toBe(true);
    // the second object's rows repeat the first (same mask)
    expect(c.image.subarray(6 * 64, 12 * 64)).toEqual(c.image.subarray(0, 6 * 64));
  });

  it('antialiased bilinear downscale averages, upscale interpolates', () => {
    const src = Float32Array.from([0, 1, 0, 1]);
    // triangle of half-width 2 (= scale) centred at 1.0 and 3.0: taps 0.75, 0.75, 0.25 → 3/7 and 4/7 (as torch antialias)
    const down = resizeBilinearAA(src, 4, 1, 1, 2, 1);
    expect(down[0]).toBeCloseTo(3 / 7, 6);
    expect(down[1]).toBeCloseTo(4 / 7, 6);
    expect(
      Array.from(resizeBilinearAA(new Float32Array(12).fill(0.3), 4, 3, 1, 2, 2)).every(
        (v) => Math.abs(v - 0.3) < 1e-6,
      ),
    ).toBe(true);
    const up = resizeBilinearAA(Float32Array.from([0, 1]), 2, 1, 1, 4, 1);
    expect(Array.from(up)).toEqual([0, 0.25, 0.75, 1]);
  });

  it('HFER cutout: object RGB, white outside, bbox + 2 px, alpha = mask', () => {
    const w = 10,
      h = 10;
    const rgb = new Float32Array(w * h * 3).fill(0.2);
    const image = { width: w, height: h, rgb, alpha: null, bitDepth: 8 as const, warnings: [] };
    const cut = objectCutout(image, rectMask(w, h, 4, 4, 5, 6));
    expect([cut.width, cut.height]).toEqual([6, 7]);
    expect(Array.from(cut.rgba.subarray(0, 4))).toEqual([255, 255, 255, 0]);
    const inside = (2 * 6 + 2) * 4;
    expect(Array.from(cut.rgba.subarray(inside, inside + 4))).toEqual([51, 51, 51, 255]);
  });
});
