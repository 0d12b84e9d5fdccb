/**
 * EXIF orientation: how a camera says its stored pixels are to be turned for display. Phones store a
 * portrait photo as landscape pixels with orientation 6; every viewer (the window's Chromium, sharp's
 * `rotate()`, Blender) shows it upright, and the pipeline decodes it upright. A mask made by a tool that
 * ignores the tag (PIL's `Image.open`, which SAM 3D's own loader uses, or OpenCV) is on the stored
 * pixels instead: this module turns such a mask the way the photo is turned.
 */

/** The EXIF orientation values 1–8 (1: stored upright). */
export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** A photo whose stored pixels are turned for display: its tag and its size before turning. */
export interface PhotoOrientation {
  exif: Exclude<ExifOrientation, 1>;
  storedWidth: number;
  storedHeight: number;
}

/** The orientation tag as read from a header (sharp's `metadata().orientation`), or 1 when absent or invalid. */
export function exifOrientation(tag: number | undefined): ExifOrientation {
  return tag !== undefined && Number.isInteger(tag) && tag >= 1 && tag <= 8 ? (tag as ExifOrientation) : 1;
}

/** Orientations 5–8 turn by a quarter: the upright image is the stored one's height wide. */
export function swapsSides(o: ExifOrientation): boolean {
  return o >= 5;
}

/** The size as shown (after the tag is applied) of stored pixels `width`×`height`. */
export function uprightSize(width: number, height: number, o: ExifOrientation): [number, number] {
  return swapsSides(o) ? [height, width] : [width, height];
}

/** What the tag does, in words, for messages. */
export function describeOrientation(o: ExifOrientation): string {
  return [
    'upright',
    'mirrored left to right',
    'turned 180°',
    'mirrored top to bottom',
    'mirrored along its diagonal',
    'turned 90° clockwise',
    'mirrored along its other diagonal',
    'turned 90° anticlockwise',
  ][o - 1];
}

/**
 * Stored pixels (`channels` interleaved samples per pixel) turned upright as tag `o` says, exactly as
 * sharp's `rotate()` (libvips autorotate) turns the photo. Returns the samples and the upright size.
 */
export function turnUpright<T extends Uint8Array | Uint16Array>(
  samples: T,
  width: number,
  height: number,
  channels: number,
  o: ExifOrientation,
): { samples: T; width: number; height: number } {
  const [W, H] = uprightSize(width, height, o);
  const out = new (samples.constructor as { new (n: number): T })(samples.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Where stored pixel (x, y) lands upright.
      let X: number, Y: number;
      switch (o) {
        case 2: X = width - 1 - x; Y = y; break;
        case 3: X = width - 1 - x; Y = height - 1 - y; break;
        case 4: X = x; Y = height - 1 - y; break;
        case 5: X = y; Y = x; break;
        case 6: X = height - 1 - y; Y = x; break;
        case 7: X = height - 1 - y; Y = width - 1 - x; break;
        case 8: X = y; Y = width - 1 - x; break;
        default: X = x; Y = y;
      }
      const s = (y * width + x) * channels;
      const d = (Y * W + X) * channels;
      for (let c = 0; c < channels; c++) out[d + c] = samples[s + c];
    }
  }
  return { samples: out, width: W, height: H };
}
