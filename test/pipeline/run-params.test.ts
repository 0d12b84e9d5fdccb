/**
 * Parameters in whole runs on the random-weight test pack: given parameters a method ignores are warned
 * about in the report (runObject, runScene, and the worker the API and the window use) and left out of its
 * params; the aggregation report says what set S.
 */
import { describe, expect, it } from 'vitest';
import { runObject, runScene } from '../../src-main/pipeline';
import type { Pack } from '../../src-main/pipeline';
import { closePacks, runWorkerJob } from '../../src-main/inference/pipeline-runner';
import type { WorkerJob } from '../../src-main/inference/protocol';
import { RunReportSchema, SceneReportSchema } from '../../src-shared/report';
import { discPhoto } from '../foundation/fixtures';
import { tempDir } from '../foundation/helpers';
import { syntheticInput, TINY_PACK, withTinyPack } from './helpers/tiny-pack';

const FEW = { ssSteps: 4, slatSteps: 4 };
const IGNORED_AGG = /^aggregation \(meshAggregation: false, --no-mesh-aggregation\) was ignored: the uniform-merge baseline/;

let pack: Pack;
withTinyPack((p) => (pack = p));

describe('given parameters a method ignores', () => {
  it('are warned about in the report and left out of its params; what runs is unchanged', async () => {
    const input = syntheticInput();
    const plain = await runObject(pack, input, { method: 'uniform-merge', params: FEW });
    const r = await runObject(pack, input, { method: 'uniform-merge', params: { ...FEW, meshAggregation: false } });
    const report = RunReportSchema.parse(r.report);
    expect(report.warnings).toEqual([expect.stringMatching(IGNORED_AGG)]);
    expect(report.params).not.toHaveProperty('meshAggregation');
    expect(report.params).toMatchObject({ meshFixOffset: true, ssSteps: 4 });
    expect(report.aggregation).toMatchObject({ enabled: true, decidedBy: 'fixed', factor: 2 });
    expect(r.layout).toEqual(plain.layout);
    expect(Buffer.from(r.mesh.positions.buffer).equals(Buffer.from(plain.mesh.positions.buffer))).toBe(true);
    expect(plain.report.warnings).toEqual([]);

    const off = await runObject(pack, input, { method: 'off', params: { ...FEW, ssCacheStride: 2 } });
    expect(off.report.warnings).toEqual([expect.stringMatching(/^k \(ssCacheStride: 2, --ss-cache-stride 2\) was ignored: .*--ss-cache.*--preset fast-sam3d/)]);
    expect(off.report.params).not.toHaveProperty('ssCacheStride');
    expect(off.report.schedules.ss.pattern).toBe('FFFF');
  }, 60_000);

  it('a scene: in the scene report and in every object', async () => {
    const { image, mask } = syntheticInput();
    const r = await runScene(pack, { image, masks: [{ mask, name: 'a' }] }, { method: 'easycache', params: { ...FEW, ssCache: false } });
    const report = SceneReportSchema.parse(r.report);
    expect(report.warnings).toEqual([expect.stringMatching(/^SS cache \(ssCache: false, --no-ss-cache\) was ignored: the easycache baseline/)]);
    expect(report.objects[0].warnings).toEqual(report.warnings);
    expect(report.objects[0].params).not.toHaveProperty('ssCache');
  }, 60_000);

  it('a warm-up over every step: the schedule is all full, and said', async () => {
    const r = await runObject(pack, syntheticInput(), { method: 'fast-sam3d', params: { ssSteps: 5, slatSteps: 4, ssWarmup: 12 } });
    expect(r.report.schedules.ss.pattern).toBe('FFFFF');
    expect(r.report.warnings).toEqual([expect.stringMatching(/^SS warm-up \(ssWarmup, --ss-warmup\) = 12 covers all 5 SS steps .*never acts.*lower it to 3 or less\.$/)]);
  }, 60_000);

  it('the worker (jobs API, window) gives the same warnings in its reports', async () => {
    const inputs = await discPhoto();
    const job: WorkerJob = {
      jobId: 'j', kind: 'object', imagePath: inputs.imagePath, masks: [{ path: inputs.maskPath, name: 'disc' }],
      packDir: TINY_PACK, method: 'uniform-merge', params: { ssSteps: 2, slatSteps: 2, meshAggregation: false },
      outputDir: tempDir('params-out'), executionProvider: 'cpu',
    };
    try {
      const r = await runWorkerJob(job, { provider: 'cpu', signal: new AbortController().signal, onProgress: () => {} });
      const report = RunReportSchema.parse(r.reports[0]);
      expect(report.warnings).toEqual([expect.stringMatching(IGNORED_AGG)]);
      expect(report.params).not.toHaveProperty('meshAggregation');
    } finally {
      await closePacks();
    }
  }, 60_000);
});

describe('the aggregation report', () => {
  it('says whether the method aggregates and what set S; the spectra only where they set it', async () => {
    const input = syntheticInput();
    const fast = (await runObject(pack, input, { method: 'fast-sam3d', params: FEW })).report.aggregation;
    expect(fast).toMatchObject({ enabled: true, decidedBy: 'spectral' });
    expect(fast.hfer3d).toBeGreaterThan(0);
    expect(fast.score).toBeGreaterThan(0);
    // Carving still measures HFER-3D for its scores; no aggregation score is reported for it.
    const noAgg = (await runObject(pack, input, { method: 'fast-sam3d', params: { ...FEW, meshAggregation: false } })).report.aggregation;
    expect(noAgg).toMatchObject({ enabled: false, decidedBy: 'off', factor: 1, hfer2d: 0, hfer3d: 0, score: 0, meshAtObjectScale: true });
    const off = (await runObject(pack, input, { method: 'off', params: FEW })).report.aggregation;
    expect(off).toMatchObject({ enabled: false, decidedBy: 'off', factor: 1, hfer2d: 0, hfer3d: 0, score: 0 });
  }, 60_000);
});
