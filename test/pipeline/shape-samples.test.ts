/**
 * Shape samples (sampler setting ssSamples): the mean of the SS samples' occupancy, on the random-weight
 * test pack. 1 is SAM 3D's sampler and leaves every result as it was; N draws N samples in one batch.
 */
import { describe, expect, it } from 'vitest';
import { runObject, runScene } from '../../src-main/pipeline';
import type { Pack, ProgressEvent } from '../../src-main/pipeline';
import { meanOccupancyLogits } from '../../src-main/pipeline/stages/shape-consensus';
import { ssNoise } from '../../src-main/pipeline/sampling/ss-sampler';
import { baselineParams } from '../../src-main/api/jobs';
import { applyMethod } from '../../src-renderer/src/params/paramModel';
import { AccelOverridesSchema, DEFAULT_PARAMS } from '../../src-shared/params';
import { syntheticInput, withTinyPack } from './helpers/tiny-pack';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const sameBytes = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));

describe('meanOccupancyLogits', () => {
  it('is the logit of the mean probability, per object; one sample passes through', () => {
    // 2 samples × 2 objects × 3 voxels, sample-major.
    const logits = Float32Array.from([
      2, -2, 0, /* s0 b0 */ 1, 1, 1, /* s0 b1 */
      -2, -2, 4, /* s1 b0 */ 1, -3, 1, /* s1 b1 */
    ]);
    const out = meanOccupancyLogits(logits, 2, 2, 3);
    const want = [[2, -2], [-2, -2], [0, 4], [1, 1], [1, -3], [1, 1]].map(([a, b]) => {
      const p = (sigmoid(a) + sigmoid(b)) / 2;
      return Math.log(p / (1 - p));
    });
    out.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    expect(out[0]).toBeCloseTo(0, 6); // one for, one against with equal confidence: undecided
    const one = Float32Array.from([3, -1]);
    expect(meanOccupancyLogits(one, 1, 1, 2)).toBe(one);
  });

  it('keeps the majority of near-certain samples and stays finite when they agree', () => {
    const out = meanOccupancyLogits(Float32Array.from([30, 30, -30, /* */ 30, -30, -30, /* */ -30, 30, -30]), 1, 3, 3);
    expect([...out].map((v) => Math.sign(v))).toEqual([1, 1, -1]); // 2 of 3, 2 of 3, 0 of 3
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('refuses a batch of the wrong size', () => {
    expect(() => meanOccupancyLogits(new Float32Array(5), 2, 2, 1)).toThrow(/expected 2 × 2 grids of 1 logits, got 5/);
  });
});

describe('ssSamples in the pipeline', () => {
  let pack: Pack;
  withTinyPack((p) => (pack = p));

  it('is a sampler setting from 1 (SAM 3D) to 8', () => {
    expect(AccelOverridesSchema.safeParse({ ssSamples: 3 }).success).toBe(true);
    expect(AccelOverridesSchema.safeParse({ ssSamples: 0 }).success).toBe(false);
    expect(AccelOverridesSchema.safeParse({ ssSamples: 9 }).success).toBe(false);
    expect(AccelOverridesSchema.safeParse({ ssSamples: 1.5 }).success).toBe(false);
  });

  it('is carried to the Compare baseline and kept across a change of preset, like the other sampler settings', () => {
    expect(baselineParams({ seed: 7, ssSamples: 3, ssCache: true, ssCacheStride: 5 })).toEqual({ seed: 7, ssSamples: 3 });
    expect(applyMethod({ ...DEFAULT_PARAMS, ssSamples: 3, seed: 9 }, 'max')).toMatchObject({ ssSamples: 3, seed: 9 });
  });

  it('1 changes nothing; 3 samples three times the SS passes, keeps sample 0\'s layout and is deterministic', async () => {
    const input = syntheticInput();
    const plain = await runObject(pack, input, { method: 'off', params: { seed: 5 } });
    const one = await runObject(pack, input, { method: 'off', params: { seed: 5, ssSamples: 1 } });
    expect(sameBytes(one.mesh.positions, plain.mesh.positions)).toBe(true);
    expect(one.report.params.ssSamples).toBe(1);

    const events: ProgressEvent[] = [];
    const three = await runObject(pack, input, { method: 'off', params: { seed: 5, ssSamples: 3 }, onProgress: (e) => events.push(e) });
    expect(three.report.params.ssSamples).toBe(3);
    expect(three.report.stages.ssSampling.networkPasses).toBe(3 * plain.report.stages.ssSampling.networkPasses);
    expect(three.report.schedules.ss.networkPasses).toBe(3 * plain.report.schedules.ss.networkPasses);
    expect(three.layout).toEqual(plain.layout); // the layout is sample 0's, the one-sample run's
    expect(sameBytes(three.mesh.positions, plain.mesh.positions)).toBe(false); // the shape is the samples' mean
    const ssSteps = events.filter((e) => e.stage === 'ssSampling');
    expect(ssSteps.map((e) => e.fraction)).toEqual([...ssSteps.map((e) => e.fraction)].sort((a, b) => a - b));
    expect(ssSteps.length).toBe(three.report.params.ssSteps); // one event per step, not one per sample

    const again = await runObject(pack, input, { method: 'off', params: { seed: 5, ssSamples: 3 } });
    expect(sameBytes(again.mesh.positions, three.mesh.positions)).toBe(true);
    // Sample j ≥ 1 draws from its own stream: not sample 0's noise, and not another seed's sample 0.
    const n1 = ssNoise(pack.manifest, 5, 1).shape;
    expect(sameBytes(n1, ssNoise(pack.manifest, 5).shape)).toBe(false);
    expect(sameBytes(n1, ssNoise(pack.manifest, 6).shape)).toBe(false);
  });

  it('in a scene, each object matches its own run with the same samples (the batch is indexed right)', async () => {
    const { image, mask } = syntheticInput();
    const second = { ...mask, data: new Uint8Array(mask.data.length) };
    for (let y = 5; y < 20; y++) for (let x = 5; x < 25; x++) second.data[y * mask.width + x] = 1;
    const params = { seed: 8, ssSamples: 2 };
    const scene = await runScene(pack, { image, masks: [{ mask, name: 'a' }, { mask: second, name: 'b' }] }, { method: 'fast-sam3d', params });
    for (const [q, m] of [mask, second].entries()) {
      const alone = await runObject(pack, { image, mask: m }, { method: 'fast-sam3d', params });
      expect(scene.objects[q].report.aggregation.voxelsBefore).toBe(alone.report.aggregation.voxelsBefore);
      expect(scene.objects[q].report.stages.ssSampling.networkPasses).toBe(alone.report.stages.ssSampling.networkPasses);
      alone.layout.translation.forEach((v, i) => expect(scene.objects[q].layout.translation[i]).toBeCloseTo(v, 3));
      expect(sameBytes(scene.objects[q].mesh.positions, alone.mesh.positions)).toBe(true);
    }
  });
});
