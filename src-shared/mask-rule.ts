/**
 * How a mask file's pixels become a mask: one rule for the pipeline (src-main/pipeline/image/decode.ts,
 * which decodes with sharp) and the window (src-renderer/src/mask/bitmask.ts, which decodes with the
 * browser), so a file opens in the window as the CLI and a run read it. Pure: 8-bit samples in, 0/1 out.
 *
 * With a non-opaque alpha channel (SAM 3D's RGBA cut-outs) the mask is alpha > half. Otherwise it is the
 * pixel's brightest channel: a file of exactly two levels (or colours) is object = the brighter one,
 * whatever the levels (numpy / SAM save 0 and 1, some tools a red object on black), with a warning saying
 * so; any other file is level > half (white = object, soft and anti-aliased masks alike). A file that is
 * mostly mid-tones is refused as not a mask (the photo passed as its own mask), one with values but none
 * above half as an empty mask (a label map, a mask saved too dark).
 */

/** Share of mid-grey pixels above which an opaque file is refused as a mask. */
export const NOT_A_MASK_SHARE = 0.25;

/** Decoded mask file: interleaved 8-bit samples, RGB (3 channels) or RGBA (4). */
export interface MaskPixels {
  width: number;
  height: number;
  /** 3 (RGB) or 4 (RGBA: the fourth is alpha). */
  channels: number;
  samples: Uint8Array | Uint8ClampedArray;
}

/** Why a file was refused; the codes are the pipeline's PipelineInputError codes. */
export type MaskRuleProblem = 'NOT_A_MASK' | 'EMPTY_MASK';

export type MaskReading =
  | { ok: true; /** One byte per pixel: 1 = object. */ data: Uint8Array; /** How the file was read, when that is not plain white on black. */ warnings: string[] }
  | { ok: false; code: MaskRuleProblem; message: string };

/** The largest sample value at 8 bits. */
const FULL = 255;

/** An 8-bit RGB colour packed as 0xRRGGBB, as #rrggbb for messages. */
const hex = (rgb: number): string => `#${rgb.toString(16).padStart(6, '0')}`;

/**
 * Read a decoded mask file by the rule above. `what` names the file at the start of every message
 * (`"path/0.png"` in the CLI, `“0.png”` in the window).
 */
export function readMaskPixels(px: MaskPixels, what: string): MaskReading {
  const { width, height, channels, samples } = px;
  const n = width * height;
  if (channels !== 3 && channels !== 4) throw new Error(`A mask is read from 3 or 4 channels, not ${channels}.`);
  if (samples.length !== n * channels) {
    throw new Error(`Expected ${n * channels} samples for ${width}×${height}×${channels}, got ${samples.length}.`);
  }
  const full = FULL;
  const hasAlpha = channels === 4;
  const data = new Uint8Array(n);
  const warnings: string[] = [];
  // SAM 3D cut-outs carry the mask in alpha (object colours inside, white outside). A black-and-white
  // mask saved with an alpha channel that is opaque but for a few stray pixels carries it in its colours:
  // reading that alpha would select nearly the whole frame.
  let transparent = 0;
  let binaryColours = true;
  let midTones = 0; // levels far from black and white: a photo's, not a mask's
  let coloured = false; // channels far apart (a red or green mask, not a JPEG's colour noise): said in a warning
  const levels = new Uint32Array(full + 1); // pixels per level (brightest channel)
  const colours: number[] = []; // the first distinct RGB colours, up to three: two means a two-colour mask
  const level = (s: number): number => Math.max(samples[s], samples[s + 1], samples[s + 2]);
  for (let p = 0; p < n; p++) {
    const s = p * channels;
    if (hasAlpha && samples[s + 3] < full) transparent++;
    for (let c = 0; c < 3 && binaryColours; c++) {
      const v = samples[s + c] / full;
      if (v > 0.02 && v < 0.98) binaryColours = false;
    }
    const v = level(s);
    levels[v]++;
    if (v > 0.1 * full && v < 0.9 * full) midTones++;
    if (v - Math.min(samples[s], samples[s + 1], samples[s + 2]) > 0.5 * full) coloured = true;
    if (colours.length < 3) {
      const rgb = (samples[s] << 16) | (samples[s + 1] << 8) | samples[s + 2];
      if (!colours.includes(rgb)) colours.push(rgb);
    }
  }
  let useAlpha = transparent > 0;
  if (useAlpha && binaryColours && transparent < 0.05 * n) {
    useAlpha = false;
    warnings.push(
      `${what} is a black-and-white mask with an alpha channel that is opaque but for ${transparent} pixel${transparent === 1 ? '' : 's'}; its white pixels are used as the mask, not its alpha.`,
    );
  }
  if (useAlpha) {
    for (let p = 0; p < n; p++) data[p] = samples[p * channels + 3] > 0.5 * full ? 1 : 0;
    return { ok: true, data, warnings };
  }
  const used = [...levels.keys()].filter((v) => levels[v] > 0);
  const [lo, hi] = [used[0], used[used.length - 1]];
  const twoColours = colours.length === 2;
  // Without transparency the mask is its brightness. A file whose pixels are mostly neither near black nor
  // near white is not a mask (anti-aliased edges are a few per cent): most likely the photo was passed as
  // its own mask, and a threshold would make a nonsense object of it. Two levels are a mask whatever they are.
  if (!twoColours && midTones > NOT_A_MASK_SHARE * n) {
    return {
      ok: false,
      code: 'NOT_A_MASK',
      message:
        `${what} does not look like a mask: ${Math.round((100 * midTones) / n)} % of its pixels are neither near black nor near white. ` +
        `A mask is white on black (or an RGBA cut-out whose transparency is the mask); was the photo passed as the mask?`,
    };
  }
  if (twoColours) {
    // The brighter colour (brightest channel, then the sum of its channels) is the object.
    const key = (rgb: number) => [Math.max(rgb >> 16, (rgb >> 8) & 255, rgb & 255), (rgb >> 16) + ((rgb >> 8) & 255) + (rgb & 255)];
    const [a, b] = colours.map(key);
    const object = a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]) ? colours[0] : colours[1];
    for (let p = 0; p < n; p++) {
      const s = p * channels;
      data[p] = ((samples[s] << 16) | (samples[s + 1] << 8) | samples[s + 2]) === object ? 1 : 0;
    }
    // Two greys the 0.5 threshold reads the same way (black and white) need no word.
    const grey = colours.every((c) => c >> 16 === (c & 255) && ((c >> 8) & 255) === (c & 255));
    if (!grey || hi <= 0.5 * full || lo > 0.5 * full) {
      const how = grey
        ? `has only two levels, ${lo} and ${hi} (of ${full}); the pixels of level ${hi}`
        : `has two colours, ${hex(colours[0])} and ${hex(colours[1])}; the pixels of ${hex(object)}`;
      warnings.push(`${what} ${how} were read as the object. If that is the background, save the object white (255) on black (0).`);
    }
    return { ok: true, data, warnings };
  }
  for (let p = 0; p < n; p++) data[p] = level(p * channels) > 0.5 * full ? 1 : 0;
  // Values, but none above half: a label map (0, 1, 2 …) or a mask saved too dark. Thresholding gives an
  // empty mask whose "paint the object first" would mislead: say what the file holds instead.
  if (hi > 0 && hi <= 0.5 * full) {
    return {
      ok: false,
      code: 'EMPTY_MASK',
      message:
        `${what} has no pixel brighter than half: its ${used.length} levels go from ${lo} to ${hi} (of ${full}), so no object could be read. ` +
        `It may be a label map or a mask saved too dark; save the object as white (255) on black (0), one mask per object.`,
    };
  }
  if (coloured) {
    warnings.push(`${what} is a coloured mask; pixels whose brightest channel is over half were read as the object.`);
  }
  return { ok: true, data, warnings };
}
