/**
 * Shape samples (sampler setting `ssSamples`): the occupancy of several SS samples of one object,
 * averaged. One sample guesses the side the photo does not show, and samples of one image disagree
 * mostly there (the mask they all match); averaging their occupancy probabilities keeps what most of
 * them agree on. Not part of SAM 3D (which draws one sample): 1, the default, is SAM 3D's sampler.
 */

/**
 * Logits of the mean occupancy probability over `samples` decodes. `logits` holds `samples × objects`
 * grids of `voxels` values, sample-major (sample j of object b at (j · objects + b) · voxels); the result
 * holds `objects` grids. With one sample it is `logits` itself, so the default path is unchanged.
 */
export function meanOccupancyLogits(logits: Float32Array, objects: number, samples: number, voxels: number): Float32Array {
  if (logits.length !== samples * objects * voxels) {
    throw new Error(`expected ${samples} × ${objects} grids of ${voxels} logits, got ${logits.length} values`);
  }
  if (samples === 1) return logits;
  const out = new Float32Array(objects * voxels);
  for (let b = 0; b < objects; b++) {
    for (let i = 0; i < voxels; i++) {
      let p = 0;
      for (let j = 0; j < samples; j++) p += 1 / (1 + Math.exp(-logits[(j * objects + b) * voxels + i]));
      // Clamped so that unanimous samples give a finite logit of the same sign.
      const q = Math.min(Math.max(p / samples, 1e-6), 1 - 1e-6);
      out[b * voxels + i] = Math.log(q / (1 - q));
    }
  }
  return out;
}
