/**
 * Decoding photos and masks with sharp: PNG / JPEG / WebP (whatever libvips reads), EXIF orientation
 * applied, 8- and 16-bit, alpha kept. Every failure becomes a PipelineInputError naming the file.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { readMaskPixels } from '../../../src-shared/mask-rule';
import { PipelineInputError } from '../errors';
import { exifOrientation, swapsSides, type ExifOrientation } from './orientation';
import type { BinaryMask, DecodedImage } from './types';

/** Share of mid-grey pixels above which an opaque file is refused as a mask (loadMaskFile). */

/** Longest side above which photos are downscaled (stated as a warning). */
export const MAX_IMAGE_SIDE = 4096;

/**
 * Largest image (width × height) decoded at all. sharp's own default (268 MP) refuses a 20000×14000
 * panorama that downscaling handles; beyond this a photo is refused with its size, not as "unreadable".
 */
export const MAX_INPUT_PIXELS = 600_000_000;

/** The refusal for an image over MAX_INPUT_PIXELS, or null when it is within. */
export function oversizeProblem(width: number, height: number, what: string): string | null {
  if (width * height <= MAX_INPUT_PIXELS) return null;
  return `${what} is ${width}×${height} (${Math.round((width * height) / 1e6)} megapixels), more than the ${MAX_INPUT_PIXELS / 1e6} megapixels this app decodes; downscale it first (the model sees ${MAX_IMAGE_SIDE} pixels on the long side at most).`;
}

export type ImageSource = string | Buffer;

function describe(src: ImageSource): string {
  return typeof src === 'string' ? `"${src}"` : 'the image buffer';
}

async function readSource(src: ImageSource): Promise<Buffer> {
  if (typeof src !== 'string') return src;
  try {
    return await readFile(src);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a folder, not an image file'
          : `cannot be read (${code ?? String(err)})`;
    throw new PipelineInputError(
      'UNREADABLE_FILE',
      `${describe(src)} ${why}; pass the path of a PNG, JPEG or WebP file.`,
    );
  }
}

interface RawDecode {
  width: number;
  height: number;
  channels: number;
  /** Interleaved samples, 0..`full`. */
  samples: Uint8Array | Uint16Array;
  /** The largest sample value: 255 at 8 bits, 65535 at 16. */
  full: number;
  bitDepth: 8 | 16;
  hasAlpha: boolean;
  resized: boolean;
  /** Upright size before any downscaling. */
  originalSize: [number, number];
  /** The file's EXIF orientation, already applied to `samples`. */
  orientation: ExifOrientation;
}

/** HEIF brands of HEVC-coded (HEIC) files, and of AV1-coded (AVIF) ones, which sharp decodes. */
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

/**
 * Whether a file sharp could not decode is a HEIC photo (iPhones' default): HEVC in a HEIF container,
 * which sharp's libvips is built without. By the header sharp read, else by the file's `ftyp` brands.
 */
function isHeic(buf: Buffer, meta: Metadata | undefined): boolean {
  if (meta?.format === 'heif') return meta.compression === 'hevc';
  if (buf.length < 16 || buf.toString('latin1', 4, 8) !== 'ftyp') return false;
  const end = Math.min(buf.readUInt32BE(0), buf.length);
  // The major brand, then (after the minor version) the compatible brands, four characters each.
  const brands = [buf.toString('latin1', 8, 12)];
  for (let o = 16; o + 4 <= end; o += 4) brands.push(buf.toString('latin1', o, o + 4));
  return !brands.some((b) => AVIF_BRANDS.has(b)) && brands.some((b) => HEIC_BRANDS.has(b));
}

/** Decode to RGB(A) at the file's bit depth, or at 8 bits with `eightBit` (masks: two levels need no more). */
async function decodeRaw(src: ImageSource, maxSide: number | null, eightBit = false): Promise<RawDecode> {
  const buf = await readSource(src);
  let meta: Metadata | undefined;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata(); // the header only: the size check is ours
    const tooLarge = oversizeProblem(meta.width ?? 0, meta.height ?? 0, describe(src));
    if (tooLarge) throw new PipelineInputError('IMAGE_TOO_LARGE', tooLarge);
    const is16 = meta.depth === 'ushort' && !eightBit;
    const hasAlpha = Boolean(meta.hasAlpha);
    let pipe = sharp(buf, { limitInputPixels: MAX_INPUT_PIXELS }).rotate(); // EXIF orientation
    const orientation = exifOrientation(meta.orientation);
    const rotated = swapsSides(orientation);
    const w0 = rotated ? meta.height : meta.width;
    const h0 = rotated ? meta.width : meta.height;
    if (!w0 || !h0) throw new Error('no image size in the header');
    let resized = false;
    if (maxSide !== null && Math.max(w0, h0) > maxSide) {
      pipe = pipe.resize({ width: maxSide, height: maxSide, fit: 'inside', kernel: 'linear' });
      resized = true;
    }
    pipe = pipe.toColourspace(is16 ? 'rgb16' : 'srgb');
    if (hasAlpha) pipe = pipe.ensureAlpha();
    const { data, info } = await pipe.raw({ depth: is16 ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true });
    const count = info.width * info.height * info.channels;
    return {
      width: info.width,
      height: info.height,
      channels: info.channels,
      samples: is16 ? new Uint16Array(data.buffer, data.byteOffset, count) : new Uint8Array(data.buffer, data.byteOffset, count),
      full: is16 ? 65535 : 255,
      bitDepth: is16 ? 16 : 8,
      hasAlpha: info.channels === 4,
      resized,
      originalSize: [w0, h0],
      orientation,
    };
  } catch (err) {
    if (err instanceof PipelineInputError) throw err;
    // libheif's own words ("bad seek", "plugin … libde265") tell an artist nothing: say what to do.
    if (isHeic(buf, meta)) {
      throw new PipelineInputError(
        'CORRUPT_IMAGE',
        `${describe(src)} is a HEIC photo, which this app cannot read; export it as JPEG or PNG (on iPhone: Settings › Camera › Formats › Most Compatible, or share it as JPEG).`,
      );
    }
    throw new PipelineInputError(
      'CORRUPT_IMAGE',
      `${describe(src)} is not a readable image (${(err as Error).message}); use a PNG, JPEG or WebP file.`,
    );
  }
}

/** Decode a photo (EXIF-rotated, downscaled above MAX_IMAGE_SIDE with a warning). */
export async function loadImageFile(src: ImageSource, opts: { maxSide?: number } = {}): Promise<DecodedImage> {
  const raw = await decodeRaw(src, opts.maxSide ?? MAX_IMAGE_SIDE);
  const n = raw.width * raw.height;
  const rgb = new Float32Array(n * 3);
  const alpha = raw.hasAlpha ? new Float32Array(n) : null;
  const { samples, full } = raw;
  for (let p = 0; p < n; p++) {
    const s = p * raw.channels;
    rgb[3 * p] = samples[s] / full;
    rgb[3 * p + 1] = samples[s + 1] / full;
    rgb[3 * p + 2] = samples[s + 2] / full;
    if (alpha) alpha[p] = samples[s + 3] / full;
  }
  const warnings: string[] = [];
  if (raw.resized) {
    warnings.push(
      `The image (${raw.originalSize[0]}×${raw.originalSize[1]}) was downscaled to ${raw.width}×${raw.height} (longest side limit ${opts.maxSide ?? MAX_IMAGE_SIDE} px).`,
    );
  }
  const [w0, h0] = raw.originalSize;
  // Kept so a mask made on the stored pixels (by a tool that ignores the tag) can be turned the same way.
  const orientation =
    raw.orientation === 1
      ? {}
      : {
          orientation: {
            exif: raw.orientation,
            storedWidth: swapsSides(raw.orientation) ? h0 : w0,
            storedHeight: swapsSides(raw.orientation) ? w0 : h0,
          },
        };
  const given = raw.resized ? { givenSize: raw.originalSize } : {};
  return { width: raw.width, height: raw.height, rgb, alpha, bitDepth: raw.bitDepth, warnings, ...given, ...orientation };
}

/**
 * Decode a mask file (at 8 bits: a 12000² mask stays 0.5 GB, not 2 GB of floats) and read it by the
 * shared mask rule (src-shared/mask-rule.ts, which the window uses too): with a non-opaque alpha channel
 * (SAM 3D's RGBA cutouts) the mask is alpha > 0.5; otherwise the pixel's brightest channel, a file of
 * exactly two levels or colours being object = the brighter one (with a warning), any other level > 0.5.
 * The library reads saved masks through this too, so the area it stores is what a run uses.
 */
export async function loadMaskFile(src: ImageSource): Promise<BinaryMask> {
  const raw = await decodeRaw(src, null, true);
  if (!(raw.samples instanceof Uint8Array) || raw.full !== 255) throw new Error('A mask is decoded at 8 bits.');
  const read = readMaskPixels({ width: raw.width, height: raw.height, channels: raw.channels, samples: raw.samples }, describe(src));
  if (!read.ok) throw new PipelineInputError(read.code, read.message);
  return { width: raw.width, height: raw.height, data: read.data, warnings: read.warnings };
}

/**
 * Masks that only give context (fit to mask's "something in front", RunOptions.otherMasks): a file that
 * is gone is not counted, and one that cannot be decoded is left out with a line in `warnings` rather
 * than failing the run.
 */
export async function loadContextMasks(
  files: readonly { path: string; name: string }[],
  warnings: string[],
): Promise<{ mask: BinaryMask; name: string }[]> {
  const out: { mask: BinaryMask; name: string }[] = [];
  for (const f of files) {
    if (!existsSync(f.path)) continue;
    try {
      out.push({ mask: await loadMaskFile(f.path), name: f.name });
    } catch (e) {
      if (!(e instanceof PipelineInputError)) throw e;
      warnings.push(`Fit to mask did not count the mask "${f.name}" as something in front: ${e.message}`);
    }
  }
  return out;
}

/** The mask carried by a photo's own alpha channel (alpha > 0.5), or null when it has none / is opaque. */
export function maskFromAlpha(image: DecodedImage): BinaryMask | null {
  if (!image.alpha) return null;
  const data = new Uint8Array(image.width * image.height);
  let transparent = false;
  for (let p = 0; p < data.length; p++) {
    data[p] = image.alpha[p] > 0.5 ? 1 : 0;
    if (image.alpha[p] < 1) transparent = true;
  }
  return transparent ? { width: image.width, height: image.height, data, warnings: [] } : null;
}
