/**
 * One decoder call: builds exactly the inputs the session declares (SAM's export may leave some out),
 * runs it, and returns the chosen candidate's low-res logits and score.
 */
import * as ort from 'onnxruntime-node';
import { bestCandidate } from './postprocess';

export interface DecoderPrompt {
  embedding: { data: Float32Array; dims: readonly number[] };
  coords: Float32Array;
  labels: Float32Array;
  /** Previous low-res logits (M×M), or null for a first click. */
  previous: Float32Array | null;
  maskInputSize: number;
  /**
   * What `orig_im_size` gets. It only sizes the full-resolution `masks` output, which the studio never
   * reads but ONNX Runtime computes anyway (fetching fewer outputs does not prune the graph): the resized
   * size (h′, w′) keeps that work at most S × S per click instead of H × W of a large photo.
   */
  origImSize: [number, number];
}

export interface DecoderResult {
  logits: Float32Array;
  score: number;
  candidates: number;
}

export function decoderFeeds(inputNames: readonly string[], p: DecoderPrompt): Record<string, ort.Tensor> {
  const n = p.labels.length;
  const M = p.maskInputSize;
  const all: Record<string, () => ort.Tensor> = {
    image_embeddings: () => new ort.Tensor('float32', p.embedding.data, [...p.embedding.dims]),
    point_coords: () => new ort.Tensor('float32', p.coords, [1, n, 2]),
    point_labels: () => new ort.Tensor('float32', p.labels, [1, n]),
    mask_input: () => new ort.Tensor('float32', p.previous ?? new Float32Array(M * M), [1, 1, M, M]),
    has_mask_input: () => new ort.Tensor('float32', Float32Array.of(p.previous ? 1 : 0), [1]),
    orig_im_size: () => new ort.Tensor('float32', Float32Array.from(p.origImSize), [2]),
  };
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of inputNames) {
    const make = all[name];
    // Opening the pack already refused unknown inputs; this guards a session used without that check.
    if (!make) throw new Error(`The decoder asks for input "${name}", which the segmentation contract does not have.`);
    feeds[name] = make();
  }
  return feeds;
}

export async function runDecoder(session: ort.InferenceSession, p: DecoderPrompt): Promise<DecoderResult> {
  if (p.previous && p.previous.length !== p.maskInputSize ** 2) {
    throw new Error(`Previous logits have ${p.previous.length} values, expected ${p.maskInputSize}².`);
  }
  // Only the two outputs the studio reads are copied out (SAM's `masks` is left in the session).
  const out = await session.run(decoderFeeds(session.inputNames, p), ['iou_predictions', 'low_res_masks']);
  const iou = out.iou_predictions.data as Float32Array;
  const masks = out.low_res_masks;
  const [, k, h, w] = masks.dims;
  if (k !== iou.length || h !== p.maskInputSize || w !== p.maskInputSize) {
    throw new Error(`The decoder returned low_res_masks ${masks.dims.join('×')} and ${iou.length} scores; expected (1, ${iou.length}, ${p.maskInputSize}, ${p.maskInputSize}).`);
  }
  const best = bestCandidate(iou);
  const plane = h * w;
  return { logits: (masks.data as Float32Array).slice(best * plane, (best + 1) * plane), score: iou[best], candidates: k };
}
