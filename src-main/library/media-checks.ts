/**
 * What the library accepts as a photo or a mask, in one place: a first import, a reused photo's new
 * masks, a saved mask and a project archive's files all pass through these checks, so a file the window
 * cannot show or the pipeline cannot read never gets a row.
 */
import sharp, { type Metadata } from 'sharp';
import { loadMaskFile } from '../pipeline/image/decode';
import { LibraryError } from './errors';

/** Photo formats the library stores (sharp's format name → the stored file's extension). */
export const IMAGE_FORMATS: Record<string, string> = { png: 'png', jpeg: 'jpg', webp: 'webp', tiff: 'tif' };

/**
 * Pixels of the object in a mask PNG, read by the pipeline's own rule (loadMaskFile: alpha where it is
 * not opaque, else the grey level), so that the area the library stores is the mask a run will use and a
 * mask the run would find empty is refused when it is saved.
 */
async function maskArea(png: Buffer): Promise<number> {
  const { data } = await loadMaskFile(png);
  let area = 0;
  for (let p = 0; p < data.length; p++) area += data[p];
  return area;
}

/**
 * Validate a mask PNG against its image (a PNG of the image's size that selects something); returns its
 * area. Throws BAD_INPUT saying what is wrong.
 */
export async function checkMask(png: Buffer, name: string, image: { name: string; width: number; height: number }): Promise<number> {
  if (!name) throw new LibraryError('BAD_INPUT', 'A mask needs a name.');
  const m = await maskFileArea(png, image);
  if ('problem' in m) throw new LibraryError('BAD_INPUT', `Mask "${name}" was not saved: ${m.problem}.`);
  if (m.area === 0) throw new LibraryError('BAD_INPUT', `Mask "${name}" is empty: paint or select the object first.`);
  if (m.area === image.width * image.height) {
    throw new LibraryError('BAD_INPUT', `Mask "${name}" covers the whole image: it must outline one object, not the entire frame (an inverted mask?).`);
  }
  return m.area;
}

/**
 * A mask PNG's object area (0 for an empty one), or a phrase ("it is …") saying why it does not fit
 * `image`: callers word the sentence for a mask being drawn (checkMask) or a file in an archive.
 */
export async function maskFileArea(png: Buffer, image: { name: string; width: number; height: number }): Promise<{ area: number } | { problem: string }> {
  try {
    const meta = await sharp(png).metadata();
    if (meta.format !== 'png') return { problem: `it is ${meta.format ?? 'not an image'}, a PNG is expected` };
    if (meta.width !== image.width || meta.height !== image.height) {
      return { problem: `it is ${meta.width}×${meta.height} but image "${image.name}" is ${image.width}×${image.height}` };
    }
    return { area: await maskArea(png) };
  } catch (err) {
    return { problem: (err as Error).message };
  }
}

/**
 * A photo's header (not its pixels): its stored extension, sharp's format name, size and alpha, or a
 * phrase that follows the photo's name and says why the library does not take it.
 */
export async function photoHeader(data: Buffer): Promise<
  { ext: string; format: string; width: number; height: number; hasAlpha: boolean } | { problem: string }
> {
  let meta: Metadata;
  try {
    meta = await sharp(data, { limitInputPixels: false }).metadata(); // header only; callers check the size
  } catch (err) {
    return { problem: `is not an image that can be read (PNG, JPEG, WebP or TIFF expected): ${(err as Error).message}` };
  }
  const ext = meta.format ? IMAGE_FORMATS[meta.format] : undefined;
  if (!ext || !meta.format || !meta.width || !meta.height) {
    return { problem: `is a ${meta.format ?? 'unknown'} file; import a PNG, JPEG, WebP or TIFF photo.` };
  }
  return { ext, format: meta.format, width: meta.width, height: meta.height, hasAlpha: meta.hasAlpha === true };
}
