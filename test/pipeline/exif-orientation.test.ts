/**
 * EXIF orientation: the photo is decoded upright (as every viewer shows it), and a mask made on the
 * photo's stored pixels (by a tool that ignores the tag, as SAM 3D's PIL loader does) is turned the same
 * way, checked against sharp's own autorotate for every tag.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PipelineInputError } from '../../src-main/pipeline/errors';
import { conformMask, loadImageFile, turnUpright, type BinaryMask, type ExifOrientation } from '../../src-main/pipeline/image';
import { turnPngUpright } from '../../src-main/library/media-checks';

const W = 5;
const H = 3;
/** Stored pixels with every value different, so any wrong mapping shows. */
const stored = Uint8Array.from({ length: W * H }, (_, i) => 10 + i * 15);
const ALL: ExifOrientation[] = [1, 2, 3, 4, 5, 6, 7, 8];

async function sharpUpright(o: ExifOrientation): Promise<{ data: Uint8Array; width: number; height: number }> {
  const png = await sharp(Buffer.from(stored), { raw: { width: W, height: H, channels: 1 } }).png().withMetadata({ orientation: o }).toBuffer();
  const { data, info } = await sharp(png).rotate().extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

describe('EXIF orientation', () => {
  it('turns stored pixels upright exactly as sharp autorotates, for every tag (pure and PNG)', async () => {
    for (const o of ALL) {
      const want = await sharpUpright(o);
      const got = turnUpright(stored, W, H, 1, o);
      expect([got.width, got.height, Array.from(got.samples)], `orientation ${o}`).toEqual([want.width, want.height, Array.from(want.data)]);
      const png = await sharp(Buffer.from(stored), { raw: { width: W, height: H, channels: 1 } }).png().toBuffer();
      const turned = await sharp(await turnPngUpright(png, o)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      expect([turned.info.width, turned.info.height, Array.from(turned.data)], `PNG, orientation ${o}`).toEqual([want.width, want.height, Array.from(want.data)]);
    }
  });

  it('decodes a turned photo upright and remembers its stored size', async () => {
    const jpg = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#808080' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const img = await loadImageFile(jpg);
    expect([img.width, img.height]).toEqual([30, 40]);
    expect(img.orientation).toEqual({ exif: 6, storedWidth: 40, storedHeight: 30 });
    const plain = await loadImageFile(await sharp({ create: { width: 40, height: 30, channels: 3, background: '#808080' } }).png().toBuffer());
    expect(plain.orientation).toBeUndefined();
  });

  it('turns a mask made on the stored pixels like the photo, with a warning; leaves an upright one alone', () => {
    const photo = { exif: 6 as const, storedWidth: 40, storedHeight: 30 };
    const onStored: BinaryMask = { width: 40, height: 30, data: new Uint8Array(40 * 30), warnings: [] };
    onStored.data[2 * 40 + 5] = 1; // stored (5, 2) is upright (30-1-2, 5) = (27, 5)
    onStored.data[2 * 40 + 6] = 1;
    const out = conformMask(onStored, 30, 40, 'the mask "0.png"', photo);
    expect([out.width, out.height]).toEqual([30, 40]);
    expect(out.data[5 * 30 + 27]).toBe(1);
    expect(out.data[6 * 30 + 27]).toBe(1);
    expect(out.warnings.join(' ')).toMatch(/"0\.png" \(40×30\) fits the photo's pixels as stored, before its EXIF orientation \(turned 90° clockwise\)/);

    const upright: BinaryMask = { width: 30, height: 40, data: new Uint8Array(30 * 40), warnings: [] };
    upright.data[5 * 30 + 27] = 1;
    const same = conformMask(upright, 30, 40, 'the mask', photo);
    expect(same.data).toEqual(upright.data);
    expect(same.warnings.join(' ')).not.toMatch(/EXIF/);
  });

  it('says the stored size and the turn when a mask fits neither', () => {
    const photo = { exif: 8 as const, storedWidth: 40, storedHeight: 30 };
    const odd: BinaryMask = { width: 50, height: 10, data: new Uint8Array(500).fill(1, 0, 20), warnings: [] };
    let err: unknown;
    try {
      conformMask(odd, 30, 40, 'the mask', photo);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PipelineInputError);
    expect((err as Error).message).toMatch(/is 50×10 but the image is 30×40 \(its pixels are stored 40×30 and shown turned 90° anticlockwise by its EXIF orientation\)/);
  });
});
