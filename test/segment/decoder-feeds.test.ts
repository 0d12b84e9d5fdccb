/** The decoder is fed exactly the inputs its session declares (SAM's export may leave some out). */
import { describe, expect, it } from 'vitest';
import { decoderFeeds, type DecoderPrompt } from '../../src-main/segment/decoder';

const prompt = (previous: Float32Array | null): DecoderPrompt => ({
  embedding: { data: new Float32Array(2 * 4 * 4), dims: [1, 2, 4, 4] },
  coords: Float32Array.of(3, 4, 0, 0), labels: Float32Array.of(1, -1),
  previous, maskInputSize: 8, origImSize: [6, 8],
});

describe('decoder feeds', () => {
  it('builds every contract input with SAM shapes', () => {
    const f = decoderFeeds(['image_embeddings', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input', 'orig_im_size'], prompt(null));
    expect(f.point_coords.dims).toEqual([1, 2, 2]);
    expect(f.point_labels.dims).toEqual([1, 2]);
    expect(f.mask_input.dims).toEqual([1, 1, 8, 8]);
    expect([...(f.mask_input.data as Float32Array)].every((v) => v === 0)).toBe(true);
    expect([...(f.has_mask_input.data as Float32Array)]).toEqual([0]);
    expect([...(f.orig_im_size.data as Float32Array)]).toEqual([6, 8]);
  });

  it('feeds only the declared inputs, and the previous logits when refining', () => {
    const prev = new Float32Array(64).fill(2);
    const f = decoderFeeds(['point_labels', 'image_embeddings', 'point_coords', 'mask_input', 'has_mask_input'], prompt(prev));
    expect(Object.keys(f).sort()).toEqual(['has_mask_input', 'image_embeddings', 'mask_input', 'point_coords', 'point_labels']);
    expect(f.mask_input.data).toBe(prev);
    expect([...(f.has_mask_input.data as Float32Array)]).toEqual([1]);
  });

  it('refuses an input the contract does not have', () => {
    expect(() => decoderFeeds(['image_embeddings', 'multimask_output'], prompt(null))).toThrow(/"multimask_output"/);
  });
});
