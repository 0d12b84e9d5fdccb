/**
 * A phone's portrait photo (landscape pixels with EXIF orientation 6) in the library: recorded at the
 * size the window and the pipeline show it, masks drawn on it in the window are saved, masks imported on
 * its stored pixels are turned like it, its alpha cut-out is the right way up, and a project archive
 * keeps all of that.
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { Library, exportProject, importProject } from '../../src-main/library';
import { greyMaskPng, tempDir } from './fixtures';

const open: Library[] = [];
const openLib = (dir = tempDir()): Library => {
  const lib = Library.open(dir, { thumbnailSize: 32 });
  open.push(lib);
  return lib;
};
afterEach(() => {
  for (const l of open.splice(0)) l.close();
});

/** 64×48 stored pixels, shown 48×64: a portrait photo as phones save it. */
const portraitJpeg = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 120, g: 80, b: 40 } } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();

/** A white box at stored x 4..19, y 2..9 (16×8 = 128 pixels) of a 64×48 mask. */
async function storedBoxMask(): Promise<Buffer> {
  const px = Buffer.alloc(64 * 48);
  for (let y = 2; y < 10; y++) for (let x = 4; x < 20; x++) px[y * 64 + x] = 255;
  return sharp(px, { raw: { width: 64, height: 48, channels: 1 } }).png().toBuffer();
}

/** Pixel (x, y) of a mask PNG: on when above half grey (or alpha, for RGBA). */
async function maskOn(png: Buffer): Promise<(x: number, y: number) => boolean> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return (x, y) => data[(y * info.width + x) * 4 + 3] > 127 && data[(y * info.width + x) * 4] > 127;
}

describe('EXIF-turned photos in the library', () => {
  it('records the upright size and saves a mask drawn on the photo as the window shows it', async () => {
    const lib = openLib();
    const { image } = await lib.importImage({ name: 'portrait.jpg', data: await portraitJpeg() });
    expect([image.width, image.height]).toEqual([48, 64]);
    const mask = await lib.saveMask({ imageId: image.id, name: 'drawn', png: await greyMaskPng(48, 64, 200) });
    expect(mask.area).toBe(200);
    await expect(lib.saveMask({ imageId: image.id, name: 'odd', png: await greyMaskPng(40, 40, 20) })).rejects.toThrow(/40×40 but image "portrait.jpg" is 48×64/);
  });

  it('turns a mask imported on the stored pixels like the photo, and keeps it upright through an archive', async () => {
    const lib = openLib();
    const { image, masks } = await lib.importImage({ name: 'portrait.jpg', data: await portraitJpeg(), masks: [{ name: '0', png: await storedBoxMask() }] });
    expect(masks[0].area).toBe(128);
    const check = async (l: Library, maskId: string) => {
      const png = l.readMask(maskId).png;
      expect(((await sharp(png).metadata()).width)).toBe(48);
      const on = await maskOn(png);
      // Stored (x, y) is upright (48-1-y, x): the box is at x 38..45, y 4..19.
      expect([on(38, 4), on(45, 19), on(37, 4), on(38, 3), on(4, 2)]).toEqual([true, true, false, false, false]);
    };
    await check(lib, masks[0].id);
    // The same mask file added again later (reusing the photo) is the same mask, not a second one.
    const again = await lib.importImage({ name: 'portrait.jpg', data: await portraitJpeg(), masks: [{ name: '0', png: await storedBoxMask() }], reuse: true });
    expect(again.reused).toBe(true);
    expect(again.masks.map((m) => m.id)).toEqual([masks[0].id]);

    const dest = path.join(tempDir(), 'portrait.zip');
    await exportProject(lib, image.projectId, dest, 'zip');
    const other = openLib();
    const imported = await importProject(other, dest);
    const [img] = other.listImages(imported.id);
    expect([img.width, img.height]).toEqual([48, 64]);
    const [m] = other.listMasks(img.id);
    expect(m.area).toBe(128);
    await check(other, m.id);
    expect(other.verify({ hashes: true })).toEqual([]);
  });

  it('makes the alpha cut-out of a turned RGBA photo the right way up', async () => {
    const px = Buffer.alloc(64 * 48 * 4, 255);
    for (let p = 0; p < 64 * 48; p++) px[p * 4 + 3] = 0;
    for (let y = 2; y < 10; y++) for (let x = 4; x < 20; x++) px[(y * 64 + x) * 4 + 3] = 255;
    const webp = await sharp(px, { raw: { width: 64, height: 48, channels: 4 } }).webp({ lossless: true }).withMetadata({ orientation: 6 }).toBuffer();
    const lib = openLib();
    const { image, masks } = await lib.importImage({ name: 'cutout.webp', data: webp });
    expect([image.width, image.height]).toEqual([48, 64]);
    expect(masks.map((m) => [m.name, m.area])).toEqual([['alpha', 128]]);
    const { data } = await sharp(lib.readMask(masks[0].id).png).raw().toBuffer({ resolveWithObject: true });
    expect(data[(4 * 48 + 38) * 4 + 3]).toBe(255);
    expect(data[(4 * 48 + 37) * 4 + 3]).toBe(0);
  });
});
