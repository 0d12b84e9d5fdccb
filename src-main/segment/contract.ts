/**
 * The ONNX interface of a segmentation pack (SAM's own export, docs/segmentation-pack.md): the names,
 * ranks and dtypes the studio feeds and reads, and the check of a created session against them and the
 * manifest's sizes. A decoder may leave out optional inputs; it may not ask for one the studio cannot feed.
 */
import type * as ort from 'onnxruntime-node';
import type { SegManifest, SegRole } from './manifest';

interface IoSpec {
  rank: number;
  required: boolean;
  /** Expected static dims from the manifest (null = dynamic / not checked). */
  dims?: (m: SegManifest) => (number | null)[];
}

const emb = (m: SegManifest) => [1, m.embedding.channels, m.embedding.size, m.embedding.size];

export const SEG_IO: Record<SegRole, { inputs: Record<string, IoSpec>; outputs: Record<string, IoSpec> }> = {
  encoder: {
    inputs: { image: { rank: 4, required: true, dims: (m) => [1, 3, m.input.size, m.input.size] } },
    outputs: { image_embeddings: { rank: 4, required: true, dims: emb } },
  },
  decoder: {
    inputs: {
      image_embeddings: { rank: 4, required: true, dims: emb },
      point_coords: { rank: 3, required: true, dims: () => [1, null, 2] },
      point_labels: { rank: 2, required: true, dims: () => [1, null] },
      mask_input: { rank: 4, required: false, dims: (m) => [1, 1, m.maskInputSize, m.maskInputSize] },
      has_mask_input: { rank: 1, required: false, dims: () => [1] },
      orig_im_size: { rank: 1, required: false, dims: () => [2] },
    },
    outputs: {
      iou_predictions: { rank: 2, required: true, dims: () => [1, null] },
      low_res_masks: { rank: 4, required: true, dims: (m) => [1, null, m.maskInputSize, m.maskInputSize] },
      masks: { rank: 4, required: false },
    },
  },
};

/** Problems of a session's real inputs/outputs against the contract; each names the file. */
export function sessionContractProblems(role: SegRole, file: string, m: SegManifest, session: ort.InferenceSession): string[] {
  const problems: string[] = [];
  const spec = SEG_IO[role];
  const side = (kind: 'input' | 'output', names: readonly string[], meta: readonly ort.InferenceSession.ValueMetadata[], want: Record<string, IoSpec>) => {
    for (const [name, w] of Object.entries(want)) {
      if (w.required && !names.includes(name)) {
        problems.push(`${file}: the ${role} has no ${kind} "${name}" (it has ${names.join(', ') || 'none'}); re-export it with SAM's names (docs/segmentation-pack.md)`);
      }
    }
    for (const md of meta) {
      const w = want[md.name];
      if (!w) {
        // Unknown outputs are harmless (never fetched); an unknown input is one the studio cannot feed.
        if (kind === 'input') problems.push(`${file}: the ${role} has an input "${md.name}" the studio does not feed; the contract's inputs are ${Object.keys(want).join(', ')}`);
        continue;
      }
      if (!md.isTensor) { problems.push(`${file}: ${kind} "${md.name}" is not a tensor`); continue; }
      if (md.type !== 'float32') problems.push(`${file}: ${kind} "${md.name}" is ${md.type}, the contract says float32`);
      if (md.shape.length === 0) continue; // shape not recorded in the graph
      if (md.shape.length !== w.rank) {
        problems.push(`${file}: ${kind} "${md.name}" has rank ${md.shape.length}, the contract says ${w.rank}`);
        continue;
      }
      const dims = w.dims?.(m);
      md.shape.forEach((d, a) => {
        const e = dims?.[a];
        if (typeof d === 'number' && d > 0 && typeof e === 'number' && d !== e) {
          problems.push(`${file}: ${kind} "${md.name}" axis ${a} is ${d} in the graph but ${e} from manifest.json — the manifest does not describe this model`);
        }
      });
    }
  };
  side('input', session.inputNames, session.inputMetadata, spec.inputs);
  side('output', session.outputNames, session.outputMetadata, spec.outputs);
  return problems;
}
