/**
 * Browser-side decoding of user images to RGBA for the mask editor. Runs in the renderer on bytes the
 * user handed over (file input, drop, paste): it never reads paths.
 */
export interface DecodedRgba {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

/** Largest side the editor accepts; bigger photos are refused with a clear message rather than stalling. */
export const MAX_SIDE = 8192;

export async function decodeImageBlob(blob: Blob, name: string): Promise<DecodedRgba> {
  let bmp: ImageBitmap;
  try {
    // premultiplyAlpha 'none' keeps the colour of transparent pixels and the exact alpha of cutouts.
    bmp = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch {
    throw new Error(`“${name}” is not an image this window can read. Use a PNG, JPEG or WebP file.`);
  }
  if (bmp.width > MAX_SIDE || bmp.height > MAX_SIDE) {
    bmp.close();
    throw new Error(`“${name}” is ${bmp.width}×${bmp.height}; the largest side allowed is ${MAX_SIDE} px. Downscale it first.`);
  }
  const canvas = document.createElement('canvas');
  canvas.width = bmp.width;
  canvas.height = bmp.height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('This browser cannot create a 2D canvas; the mask editor needs one.');
  ctx.drawImage(bmp, 0, 0);
  bmp.close();
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  return { width: canvas.width, height: canvas.height, rgba: data };
}

export function hasTransparency(rgba: Uint8ClampedArray | Uint8Array): boolean {
  for (let p = 3; p < rgba.length; p += 4) if (rgba[p] < 250) return true;
  return false;
}
