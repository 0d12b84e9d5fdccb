/**
 * Click-to-pick: which of several masks is under the cursor. When masks overlap, the smallest one wins,
 * because a small object in front of a large one is what people click on.
 */
import type { BitMask } from './bitmask';

export function pickMaskAt(masks: readonly { mask: BitMask; area: number }[], x: number, y: number): number {
  let best = -1;
  let bestArea = Infinity;
  masks.forEach(({ mask, area }, i) => {
    const px = Math.floor(x), py = Math.floor(y);
    if (px < 0 || py < 0 || px >= mask.width || py >= mask.height) return;
    if (mask.data[py * mask.width + px] && area < bestArea) { best = i; bestArea = area; }
  });
  return best;
}

/**
 * SAM 3D folder convention for a set of dropped/selected files: `image.<ext>` is the photo and files
 * named by a number (`0.png`, `1.png`, …) are its masks, in numeric order. Anything else: the first image
 * is the photo and the rest are masks.
 */
export function classifyInputFiles<T extends { name: string }>(files: readonly T[]): { image: T | null; masks: T[] } {
  const isImage = (n: string) => /\.(png|jpe?g|webp|bmp|gif)$/i.test(n);
  const images = files.filter((f) => isImage(f.name));
  const numbered = (n: string) => /^\d+\.png$/i.test(n);
  const photo = images.find((f) => /^image\.[a-z]+$/i.test(f.name)) ?? images.find((f) => !numbered(f.name)) ?? images[0] ?? null;
  const masks = images
    .filter((f) => f !== photo)
    .sort((a, b) => {
      const na = numbered(a.name) ? parseInt(a.name, 10) : Infinity;
      const nb = numbered(b.name) ? parseInt(b.name, 10) : Infinity;
      return na - nb || a.name.localeCompare(b.name);
    });
  return { image: photo, masks };
}
