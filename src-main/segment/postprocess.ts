/**
 * After the decoder (docs/segmentation-pack.md, SAM's postprocess_masks): the candidate with the highest
 * predicted IoU, its low-res logits upsampled bilinearly to the S×S input, the unpadded region cropped,
 * resized to the caller's W×H and thresholded at 0. Bilinear upsampling here is the pipeline's resampler
 * (for enlargement it equals PyTorch's bilinear, align_corners = False).
 */
import { resizeBilinearAA } from '../pipeline/image/resize';

/** Index of the largest value (the first on ties). */
export function bestCandidate(iou: Float32Array): number {
  let best = 0;
  for (let k = 1; k < iou.length; k++) if (iou[k] > iou[best]) best = k;
  return best;
}

export interface MaskGeometry {
  /** Side of the low-res logits (maskInputSize). */
  lowRes: number;
  /** Side of the padded encoder input (input.size). */
  inputSize: number;
  /** The image inside the input. */
  resizedWidth: number;
  resizedHeight: number;
  /** Output mask size. */
  width: number;
  height: number;
}

/** Crop the top-left w×h of a W-wide single-channel image. */
function crop(src: Float32Array, srcWidth: number, w: number, h: number): Float32Array {
  if (w === srcWidth) return src.subarray(0, w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) out.set(src.subarray(y * srcWidth, y * srcWidth + w), y * w);
  return out;
}

/** Logits of one candidate (lowRes×lowRes) → a 0/1 mask of width×height. */
export function logitsToMask(logits: Float32Array, g: MaskGeometry): Uint8Array {
  if (logits.length !== g.lowRes * g.lowRes) throw new Error(`Expected ${g.lowRes}×${g.lowRes} logits, got ${logits.length} values.`);
  const input = resizeBilinearAA(logits, g.lowRes, g.lowRes, 1, g.inputSize, g.inputSize);
  const unpadded = crop(input, g.inputSize, g.resizedWidth, g.resizedHeight);
  const full = resizeBilinearAA(unpadded, g.resizedWidth, g.resizedHeight, 1, g.width, g.height);
  const mask = new Uint8Array(full.length);
  for (let i = 0; i < full.length; i++) mask[i] = full[i] > 0 ? 1 : 0;
  return mask;
}
