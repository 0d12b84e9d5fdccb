/**
 * Click-to-segment (owner: src-main/segment). A segmentation pack (docs/segmentation-pack.md) proposes a
 * mask from positive/negative clicks and a box; it runs in the main/host process, beside the 3D job queue,
 * so it stays interactive while a 3D job runs. Masks cross the wire run-length encoded (`MaskRle`): cheap
 * to produce and to read without an image decoder on either side.
 */
import { z } from 'zod';
import { Id } from './common';

export const SegPackInfo = z.object({
  id: Id, name: z.string(), version: z.string(), dir: z.string(),
  valid: z.boolean(), problems: z.array(z.string()),
  /** Long side the encoder sees (manifest `input.size`); absent when the manifest is invalid. */
  inputSize: z.number().int().optional(),
  license: z.string().optional(),
  source: z.string().optional(),
});
export type SegPackInfo = z.infer<typeof SegPackInfo>;

/**
 * A binary mask in row-major order as alternating run lengths, starting with a run of 0 (background;
 * that first run may be 0 long). The runs add up to width × height.
 */
export const MaskRle = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  counts: z.array(z.number().int().nonnegative()),
}).refine((m) => m.counts.reduce((a, b) => a + b, 0) === m.width * m.height, {
  message: 'run lengths must add up to width × height',
  path: ['counts'],
});
export type MaskRle = z.infer<typeof MaskRle>;

/** Pixel coordinates in the original image (x right, y down, pixel centres at +0.5). */
export const SegPoint = z.object({ x: z.number().finite(), y: z.number().finite(), positive: z.boolean() });
export type SegPoint = z.infer<typeof SegPoint>;
export const SegBox = z.object({ x0: z.number().finite(), y0: z.number().finite(), x1: z.number().finite(), y1: z.number().finite() });
export type SegBox = z.infer<typeof SegBox>;

/** Which image: a library image, or an image file by path (the CLI, tests). Exactly one of the two. */
const ImageRefFields = {
  imageId: Id.optional(),
  path: z.string().min(1).optional(),
  /** Segmentation pack; the first valid one (by folder name) when absent. */
  packId: Id.optional(),
};
const oneImage = (r: { imageId?: string; path?: string }) => (r.imageId === undefined) !== (r.path === undefined);
const ONE_IMAGE = { message: 'give exactly one of imageId (a library image) or path (an image file)', path: ['imageId'] };

export const SegEncodeRequest = z.object(ImageRefFields).refine(oneImage, ONE_IMAGE);
export const SegEncodeReply = z.object({
  packId: Id,
  /** Size of the decoded image. */
  width: z.number().int(), height: z.number().int(),
  /** Time of this call's encoding; 0 when the embedding was already cached. */
  encodeMs: z.number().nonnegative(),
  cached: z.boolean(),
});
export type SegEncodeReply = z.infer<typeof SegEncodeReply>;

export const SegPredictRequest = z.object({
  ...ImageRefFields,
  points: z.array(SegPoint).max(64).default([]),
  box: SegBox.optional(),
  /** `proposalId` of the previous reply: its low-res logits refine this prediction (SAM's mask_input). */
  previous: Id.optional(),
  /** Size the mask should have (the window's image); the decoded image's size when absent. */
  size: z.object({ width: z.number().int().positive().max(16384), height: z.number().int().positive().max(16384) }).optional(),
}).refine(oneImage, ONE_IMAGE)
  .refine((r) => r.points.length > 0 || r.box !== undefined, { message: 'give at least one point or a box', path: ['points'] });
export type SegPredictRequest = z.input<typeof SegPredictRequest>;

export const SegPredictReply = z.object({
  packId: Id,
  /** Refer to this proposal as `previous` in the next click's request. */
  proposalId: Id,
  mask: MaskRle,
  area: z.number().int().nonnegative(),
  /** The decoder's predicted IoU of the chosen candidate. */
  score: z.number(),
  /** Decoder + postprocessing time of this call. */
  ms: z.number().nonnegative(),
  /** Encoding time spent in this call (0 when the image's embedding was cached). */
  encodeMs: z.number().nonnegative(),
});
export type SegPredictReply = z.infer<typeof SegPredictReply>;

export const segmentMethods = {
  'segment.packs': { req: z.object({}), res: z.array(SegPackInfo) },
  'segment.encode': { req: SegEncodeRequest, res: SegEncodeReply },
  'segment.predict': { req: SegPredictRequest, res: SegPredictReply },
} as const;

/** Run-length encode a 0/1 (or 0/non-zero) mask. */
export function encodeMaskRle(data: Uint8Array, width: number, height: number): MaskRle {
  if (data.length !== width * height) throw new Error(`Mask has ${data.length} pixels, expected ${width}×${height}.`);
  const counts: number[] = [];
  let value = 0;
  let run = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] ? 1 : 0;
    if (v !== value) { counts.push(run); run = 0; value = v; }
    run++;
  }
  counts.push(run);
  return { width, height, counts };
}

/** Decode a run-length mask to one byte per pixel (0/1). */
export function decodeMaskRle(rle: MaskRle): Uint8Array {
  const out = new Uint8Array(rle.width * rle.height);
  let p = 0;
  rle.counts.forEach((n, i) => {
    if (p + n > out.length) throw new Error(`Mask runs exceed ${rle.width}×${rle.height}.`);
    if (i % 2 === 1) out.fill(1, p, p + n);
    p += n;
  });
  if (p !== out.length) throw new Error(`Mask runs cover ${p} of ${out.length} pixels.`);
  return out;
}
