/** Real input files for worker tests: a photo of a red disc on white and its mask, written with sharp. */
import path from 'node:path';
import sharp from 'sharp';
import { tempDir } from './helpers';

export async function discPhoto(size = 96): Promise<{ dir: string; imagePath: string; maskPath: string }> {
  const dir = tempDir('inputs');
  const img = Buffer.alloc(size * size * 3, 240);
  const mask = Buffer.alloc(size * size);
  const c = size / 2, r = size * 0.31;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      if ((x - c) ** 2 + (y - c - 2) ** 2 < r * r) {
        img[3 * i] = 200; img[3 * i + 1] = 60; img[3 * i + 2] = 40;
        mask[i] = 255;
      }
    }
  }
  const imagePath = path.join(dir, 'image.png');
  const maskPath = path.join(dir, 'mask.png');
  await sharp(img, { raw: { width: size, height: size, channels: 3 } }).png().toFile(imagePath);
  await sharp(mask, { raw: { width: size, height: size, channels: 1 } }).png().toFile(maskPath);
  return { dir, imagePath, maskPath };
}
