/** Validation of an object mask against its photo: size, emptiness, coverage. */
import { PipelineInputError } from '../errors';
import { describeOrientation, swapsSides, turnUpright, type PhotoOrientation } from './orientation';
import { resizeNearest } from './resize';
import type { BinaryMask } from './types';

/** Relative aspect-ratio difference under which a differently sized mask is resized instead of refused. */
export const ASPECT_TOLERANCE = 0.01;

/**
 * Whether a w×h mask fits a width×height image but for its size: the same aspect ratio within 1 %, or
 * the short side off by no more than a resize's rounding (a 9000×100 photo downscaled is 4096×46, whose
 * aspect differs by 1.07 %): one pixel of the smaller of the two.
 */
function sameAspect(w: number, h: number, width: number, height: number): boolean {
  const a = w / h,
    b = width / height;
  if (Math.abs(a - b) / b <= ASPECT_TOLERANCE) return true;
  const wide = width >= height;
  const scale = wide ? width / w : height / h; // long side onto long side
  const off = wide ? Math.abs(h * scale - height) : Math.abs(w * scale - width);
  return off <= Math.max(1, scale);
}

/**
 * A mask made on a photo's stored pixels, turned as the photo's EXIF orientation turns them (with a
 * warning). Only a quarter turn can be told from the size: for a flip, a half turn or a square photo
 * both readings fit, and the mask is taken as made on the photo as shown (as the window makes them).
 */
function turnedLikePhoto(mask: BinaryMask, width: number, height: number, label: string, photo?: PhotoOrientation): BinaryMask {
  if (!photo || !swapsSides(photo.exif) || sameAspect(mask.width, mask.height, width, height)) return mask;
  if (!sameAspect(mask.width, mask.height, photo.storedWidth, photo.storedHeight)) return mask;
  const turned = turnUpright(mask.data, mask.width, mask.height, 1, photo.exif);
  return {
    width: turned.width,
    height: turned.height,
    data: turned.samples,
    warnings: [
      ...mask.warnings,
      `${label} (${mask.width}×${mask.height}) fits the photo's pixels as stored, before its EXIF orientation (${describeOrientation(photo.exif)}) turns them for display, so it was turned the same way. It was probably made by a tool that ignores EXIF orientation; check the object's outline in the result.`,
    ],
  };
}

/**
 * Return a mask of exactly width×height: turned like the photo when it was made on the photo's stored
 * pixels (`photo`: the photo's EXIF orientation), resized (nearest, with a warning) when only the size
 * differs and the aspect ratio matches within 1% (or a pixel of rounding); refused otherwise. Also refuses
 * empty and full masks. `givenSize`: the photo's size before it was downscaled to width×height, which
 * messages quote (the user never had the downscaled size). Calling it again on its result adds nothing.
 */
export function conformMask(
  given: BinaryMask,
  width: number,
  height: number,
  label = 'the mask',
  photo?: PhotoOrientation,
  givenSize?: readonly [number, number],
): BinaryMask {
  const mask = turnedLikePhoto(given, width, height, label, photo);
  let out = mask;
  if (mask.width !== width || mask.height !== height) {
    const [w0, h0] = givenSize ?? [width, height];
    if (!sameAspect(mask.width, mask.height, width, height) && !sameAspect(mask.width, mask.height, w0, h0)) {
      const stored = photo ? ` (its pixels are stored ${photo.storedWidth}×${photo.storedHeight} and shown ${describeOrientation(photo.exif)} by its EXIF orientation)` : '';
      throw new PipelineInputError(
        'MASK_SIZE_MISMATCH',
        `${label} is ${mask.width}×${mask.height} but the image is ${w0}×${h0}${stored} and the aspect ratios differ; use a mask made for this image.`,
      );
    }
    // A mask of the photo's own size follows the photo's downscaling, which its warning already states.
    const ofPhoto = givenSize && mask.width === w0 && mask.height === h0;
    out = {
      width,
      height,
      data: resizeNearest(mask.data, mask.width, mask.height, width, height),
      warnings: [
        ...mask.warnings,
        ...(ofPhoto
          ? []
          : [givenSize
            ? `${label} (${mask.width}×${mask.height}) was resized to fit the image (${w0}×${h0}, downscaled to ${width}×${height}).`
            : `${label} (${mask.width}×${mask.height}) was resized to the image size ${width}×${height}.`]),
      ],
    };
  }
  let on = 0;
  for (let p = 0; p < out.data.length; p++) on += out.data[p];
  if (on === 0)
    throw new PipelineInputError(
      'EMPTY_MASK',
      `${label} is empty (no object pixels); paint or select the object first.`,
    );
  if (on === out.data.length) {
    throw new PipelineInputError(
      'FULL_MASK',
      `${label} covers the whole image; the mask must outline one object, not the entire frame.`,
    );
  }
  // Only what is new: the CLI conforms its masks before the run does it again.
  const warnings = maskWarnings(out, on, label).filter((w) => !out.warnings.includes(w));
  return warnings.length ? { ...out, warnings: [...out.warnings, ...warnings] } : out;
}

/** Fewer object pixels than this: the crop the networks see is a few blurred pixels, the shape a guess. */
export const TINY_MASK_PIXELS = 64;
/** More of the frame than this, touching all four borders: most likely the background was selected. */
export const INVERTED_MASK_SHARE = 0.6;

/** Masks that run but are probably not what the user meant: say so in the run's warnings. */
function maskWarnings(mask: BinaryMask, on: number, label: string): string[] {
  const [x0, y0, x1, y1] = maskBBox(mask);
  const out: string[] = [];
  if (on < TINY_MASK_PIXELS) {
    out.push(
      `${label} covers only ${on} pixel${on === 1 ? '' : 's'} (${x1 - x0 + 1}×${y1 - y0 + 1}); the object is too small to see and its shape will be a guess. Check the mask, or use a photo where the object is larger.`,
    );
  }
  const share = on / mask.data.length;
  if (share > INVERTED_MASK_SHARE && x0 === 0 && y0 === 0 && x1 === mask.width - 1 && y1 === mask.height - 1) {
    out.push(
      `${label} covers ${Math.round(share * 100)} % of the image and touches all four borders; it may be inverted (the background selected instead of the object).`,
    );
  }
  return out;
}

/** Inclusive bounding box [x0, y0, x1, y1] of the object pixels (mask must be non-empty). */
export function maskBBox(mask: BinaryMask): [number, number, number, number] {
  let x0 = mask.width,
    y0 = mask.height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[y * mask.width + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return [x0, y0, x1, y1];
}
