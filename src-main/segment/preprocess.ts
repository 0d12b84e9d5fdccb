/**
 * Before the encoder (docs/segmentation-pack.md, SAM's ResizeLongestSide + padding): the RGB image is
 * resized so its long side is `input.size`, normalised per channel on 0–255 values and padded with zeros
 * at the right and bottom. Prompts are mapped into the same resized, unpadded frame.
 */
import { resizeBilinearAA } from '../pipeline/image/resize';
import type { DecodedImage } from '../pipeline/image/types';
import type { SegManifest } from './manifest';
import type { SegBox, SegPoint } from '../../src-shared/api/segment';

/** Size of the image inside the S×S input (SAM's get_preprocess_shape: round half up). */
export function resizedSize(width: number, height: number, size: number): { width: number; height: number } {
  const scale = size / Math.max(width, height);
  return {
    width: Math.min(size, Math.max(1, Math.floor(width * scale + 0.5))),
    height: Math.min(size, Math.max(1, Math.floor(height * scale + 0.5))),
  };
}

/** The encoder's `image` tensor data, (1, 3, S, S) float32, and the resized size it holds. */
export function encoderInput(image: DecodedImage, input: SegManifest['input']): { data: Float32Array; width: number; height: number } {
  const S = input.size;
  const r = resizedSize(image.width, image.height, S);
  const rgb = resizeBilinearAA(image.rgb, image.width, image.height, 3, r.width, r.height);
  const data = new Float32Array(3 * S * S); // zeros = the padding (after normalisation, as SAM pads)
  for (let c = 0; c < 3; c++) {
    const plane = c * S * S;
    const mean = input.mean[c];
    const inv = 1 / input.std[c];
    for (let y = 0; y < r.height; y++) {
      for (let x = 0; x < r.width; x++) data[plane + y * S + x] = (rgb[(y * r.width + x) * 3 + c] * 255 - mean) * inv;
    }
  }
  return { data, width: r.width, height: r.height };
}

/** Where prompts live: the frame the caller clicked in (W×H) and the resized frame inside the input. */
export interface PromptFrame {
  width: number;
  height: number;
  resizedWidth: number;
  resizedHeight: number;
}

/**
 * Decoder `point_coords` / `point_labels`: clicks (1 positive, 0 negative), then the box as two corners
 * (2 top-left, 3 bottom-right) or, without a box, SAM's padding point (0, 0) with label −1.
 */
export function promptTensors(points: readonly SegPoint[], box: SegBox | undefined, f: PromptFrame): { coords: Float32Array; labels: Float32Array; n: number } {
  const sx = f.resizedWidth / f.width;
  const sy = f.resizedHeight / f.height;
  const coords: number[] = [];
  const labels: number[] = [];
  for (const p of points) { coords.push(p.x * sx, p.y * sy); labels.push(p.positive ? 1 : 0); }
  if (box) {
    coords.push(Math.min(box.x0, box.x1) * sx, Math.min(box.y0, box.y1) * sy, Math.max(box.x0, box.x1) * sx, Math.max(box.y0, box.y1) * sy);
    labels.push(2, 3);
  } else {
    coords.push(0, 0);
    labels.push(-1);
  }
  return { coords: Float32Array.from(coords), labels: Float32Array.from(labels), n: labels.length };
}
