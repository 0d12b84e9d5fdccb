/**
 * What the library accepts as a photo or a mask, in one place: a first import, a reused photo's new
 * masks, a saved mask and a project archive's files all pass through these checks, so a file the window
 * cannot show or the pipeline cannot read never gets a row.
 */
import sharp, { type Metadata } from 'sharp';
import { loadMaskFile } from '../pipeline/image/decode';
import { exifOrientation, swapsSides, uprightSize, type ExifOrientation } from '../pipeline/image/orientation';
import { LibraryError } from './errors';
import { sha256 } from './files';

/** A photo as the library records it: its upright size (as shown) and the EXIF orientation of its file. */
export interface MaskTarget { name: string; width: number; height: number; orientation?: ExifOrientation }

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

/** What a mask selects, as a key: the same for two files of one mask in other bytes (a cut-out and a black-and-white PNG). */
export async function maskPixelKey(png: Buffer): Promise<string> {
  const { width, height, data } = await loadMaskFile(png);
  return `${width}x${height}:${sha256(data)}`;
}

/**
 * Validate a mask PNG against its image (a PNG of the image's size that selects something); returns its
 * area. Throws BAD_INPUT saying what is wrong.
 */
export async function checkMask(png: Buffer, name: string, image: MaskTarget): Promise<{ area: number; png: Buffer }> {
  if (!name) throw new LibraryError('BAD_INPUT', 'A mask needs a name.');
  const m = await maskFileArea(png, image);
  if ('problem' in m) throw new LibraryError('BAD_INPUT', `Mask "${name}" was not saved: ${m.problem}.`);
  if (m.area === 0) throw new LibraryError('BAD_INPUT', `Mask "${name}" is empty: paint or select the object first.`);
  if (m.area === image.width * image.height) {
    throw new LibraryError('BAD_INPUT', `Mask "${name}" covers the whole image: it must outline one object, not the entire frame (an inverted mask?).`);
  }
  return m;
}

/**
 * A mask PNG's object area (0 for an empty one) and the PNG to store, or a phrase ("it is …") saying why
 * it does not fit `image`: callers word the sentence for a mask being drawn (checkMask) or a file in an
 * archive. A mask of the size of a turned photo's stored pixels (made by a tool that ignores EXIF
 * orientation, as SAM 3D's own loader does) is turned like the photo: the library keeps masks upright.
 */
export async function maskFileArea(given: Buffer, image: MaskTarget): Promise<{ area: number; png: Buffer } | { problem: string }> {
  try {
    const meta = await sharp(given).metadata();
    if (meta.format !== 'png') return { problem: `it is ${meta.format ?? 'not an image'}, a PNG is expected` };
    const o = image.orientation ?? 1;
    const png = swapsSides(o) && image.width !== image.height && meta.width === image.height && meta.height === image.width
      ? await turnPngUpright(given, o)
      : given;
    if (png === given && (meta.width !== image.width || meta.height !== image.height)) {
      return { problem: `it is ${meta.width}×${meta.height} but image "${image.name}" is ${image.width}×${image.height}` };
    }
    return { area: await maskArea(png), png };
  } catch (err) {
    return { problem: (err as Error).message };
  }
}

/**
 * A PNG turned as EXIF orientation `o` turns a photo's stored pixels for display (what sharp's `rotate()`
 * does to the photo itself). sharp mirrors before it rotates, whatever the order of the calls: a transpose
 * (5) is a mirror then a quarter turn anticlockwise. The PNG's own pixels and channels are kept.
 */
export async function turnPngUpright(png: Buffer, o: ExifOrientation): Promise<Buffer> {
  const angle = ({ 3: 180, 5: 270, 6: 90, 7: 90, 8: 270 } as Record<number, number>)[o] ?? 0;
  let pipe = sharp(png).rotate(angle);
  if (o === 2 || o === 5 || o === 7) pipe = pipe.flop();
  if (o === 4) pipe = pipe.flip();
  return pipe.png().toBuffer();
}

/** The EXIF orientation of a stored photo file (1 when it has none, or cannot be read). */
export async function fileOrientation(file: string): Promise<ExifOrientation> {
  try {
    return exifOrientation((await sharp(file, { limitInputPixels: false }).metadata()).orientation);
  } catch {
    return 1;
  }
}

/**
 * A photo's header (not its pixels): its stored extension, sharp's format name, upright size (as every
 * viewer, the window and the pipeline show it: a phone's portrait JPEG stored as landscape pixels with
 * EXIF orientation 6 is portrait), its orientation and its alpha; or a phrase that follows the photo's
 * name and says why the library does not take it.
 */
export async function photoHeader(data: Buffer): Promise<
  | { ext: string; format: string; width: number; height: number; orientation: ExifOrientation; hasAlpha: boolean }
  | { problem: string }
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
  const orientation = exifOrientation(meta.orientation);
  const [width, height] = uprightSize(meta.width, meta.height, orientation);
  return { ext, format: meta.format, width, height, orientation, hasAlpha: meta.hasAlpha === true };
}
