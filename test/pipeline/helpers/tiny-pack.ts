/** Helpers for tests on the committed random-weight pack models/test-tiny. */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { BinaryMask, DecodedImage } from '../../../src-main/pipeline/image';
import { openPack, type Pack } from '../../../src-main/pipeline/pack';

export const TINY_PACK = resolve(__dirname, '../../../models/test-tiny');

/**
 * Open the test pack before the tests of the suite (or of the describe block it is called in), hand it to
 * `set`, and close it after them.
 */
export function withTinyPack(set: (pack: Pack) => void): void {
  let opened: Pack | undefined;
  beforeAll(async () => {
    opened = await openPack(TINY_PACK);
    set(opened);
  });
  afterAll(async () => {
    await opened?.close();
  });
}

/** A private copy of the test pack to corrupt. */
export function copyTinyPack(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fs3d-pack-'));
  cpSync(TINY_PACK, dir, { recursive: true });
  return dir;
}

/** A deterministic textured photo with a rectangular object mask. */
export function syntheticInput(w = 96, h = 64): { image: DecodedImage; mask: BinaryMask } {
  const rgb = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const q = (y * w + x) * 3;
      rgb[q] = 0.5 + 0.5 * Math.sin(x / 3);
      rgb[q + 1] = 0.5 + 0.5 * Math.cos(y / 5);
      rgb[q + 2] = ((x * y) % 17) / 17;
    }
  }
  const data = new Uint8Array(w * h);
  for (let y = Math.floor(h * 0.3); y < Math.floor(h * 0.8); y++)
    for (let x = Math.floor(w * 0.3); x < Math.floor(w * 0.65); x++) data[y * w + x] = 1;
  return {
    image: { width: w, height: h, rgb, alpha: null, bitDepth: 8, warnings: [] },
    mask: { width: w, height: h, data, warnings: [] },
  };
}
