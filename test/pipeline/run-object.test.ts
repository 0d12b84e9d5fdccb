/** runObject / runScene on the random-weight test pack: determinism, report, progress, cancellation, errors. */
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { loadImageFile, loadMaskFile, openPack, runObject, runScene, PipelineInputError } from '../../src-main/pipeline';
import type { Pack, ProgressEvent } from '../../src-main/pipeline';
import { JobProgressEvent } from '../../src-shared/api/jobs';
import { RunReportSchema, STAGE_NAMES } from '../../src-shared/report';
import { slatNoise } from '../../src-main/pipeline/sampling/slat-sampler';
import { ssNoise } from '../../src-main/pipeline/sampling/ss-sampler';
import { syntheticInput, TINY_PACK, withTinyPack } from './helpers/tiny-pack';

let pack: Pack;
withTinyPack((p) => (pack = p));

describe('runObject', () => {
  it('same seed → bit-identical mesh and layout; another seed → a different one', async () => {
    const input = syntheticInput();
    const a = await runObject(pack, input, { method: 'fast-sam3d', params: { seed: 3 } });
    const b = await runObject(pack, input, { method: 'fast-sam3d', params: { seed: 3 } });
    expect(Buffer.from(a.mesh.positions.buffer).equals(Buffer.from(b.mesh.positions.buffer))).toBe(true);
    expect(Buffer.from(a.mesh.colors.buffer).equals(Buffer.from(b.mesh.colors.buffer))).toBe(true);
    expect(a.mesh.indices).toEqual(b.mesh.indices);
    expect(a.layout).toEqual(b.layout);
    const c = await runObject(pack, input, { method: 'fast-sam3d', params: { seed: 4 } });
    expect(c.layout).not.toEqual(a.layout);
    // injected noise (parity tests) equal to the seed's own draws gives the seeded result
    const injected = await runObject(pack, input, {
      method: 'fast-sam3d',
      params: { seed: 99 },
      noise: { ss: [ssNoise(pack.manifest, 3)], slat: [slatNoise(a.report.aggregation.voxelsAfter, 8, 3)] },
    });
    expect(injected.layout).toEqual(a.layout);
    // The layout only reads the SS noise; the mesh also needs the injected SLaT noise.
    expect(Buffer.from(injected.mesh.positions.buffer).equals(Buffer.from(a.mesh.positions.buffer))).toBe(true);
  });

  it('returns a complete, schema-valid report and streams progress events per step', async () => {
    const events: ProgressEvent[] = [];
    const r = await runObject(
      pack,
      { ...syntheticInput(), name: 'box' },
      { method: 'off', onProgress: (e) => events.push(e) },
    );
    const report = RunReportSchema.parse(r.report);
    expect(report.name).toBe('box');
    expect(report.pack).toEqual({ name: 'test-tiny', version: '0.1.0' });
    expect(report.executionProvider).toBe('cpu');
    expect(Object.keys(report.stages)).toEqual([...STAGE_NAMES]);
    expect(report.stages.ssSampling.networkPasses).toBe(44);
    expect(report.stages.slatSampling.networkPasses).toBe(38);
    expect(report.stages.meshDecode.networkPasses).toBe(1);
    expect(report.params.ssSteps).toBe(25); // pack default filled in
    expect(report.mesh.vertices).toBe(r.mesh.positions.length / 3);
    expect(report.layout.scale).toBeGreaterThan(0);
    expect(r.camera).toEqual({ fovDeg: 40, width: 96, height: 64 });
    // the report carries the pack's field of view and the photo size for the posed view
    expect(report.camera).toEqual({ fovDeg: pack.manifest.camera.fovDeg, width: 96, height: 64 });
    expect(pack.manifest.camera.fovDeg).toBe(40);
    // positions stay in the object frame's box
    for (const v of r.mesh.positions) expect(Math.abs(v)).toBeLessThanOrEqual(0.5 + 1e-3);
    for (const e of events) JobProgressEvent.omit({ jobId: true }).parse(e);
    expect(events.filter((e) => e.stage === 'ssSampling')).toHaveLength(25);
    expect(events.filter((e) => e.stage === 'slatSampling')).toHaveLength(25);
    expect(events.filter((e) => e.stage === 'ssDecode').map((e) => e.fraction)).toHaveLength(2);
    expect([...new Set(events.map((e) => e.stage))]).toEqual([...STAGE_NAMES]);
    const fractions = events.map((e) => e.fraction);
    expect(fractions).toEqual([...fractions].sort((x, y) => x - y));
    expect(fractions.at(-1)).toBe(1);
  });

  it('aggregation shrinks the voxel set; the mesh comes back at the object\'s size, so the layout is the unaccelerated one', async () => {
    const input = syntheticInput();
    const off = await runObject(pack, input, { method: 'off', params: { seed: 5 } });
    const merged = await runObject(pack, input, { method: 'uniform-merge', params: { seed: 5 } });
    expect(merged.report.aggregation).toMatchObject({ factor: 2, meshAtObjectScale: true });
    expect(merged.report.aggregation.voxelsAfter).toBeLessThan(merged.report.aggregation.voxelsBefore);
    // The SS stage is unaccelerated in both: the same layout, scale included (it no longer carries S).
    expect(merged.layout.scale).toBeCloseTo(off.layout.scale, 9);
    expect(merged.layout.rotation).toEqual(off.layout.rotation);
    // The object-frame mesh spans what the unaggregated one does (the grid was halved, the object was not).
    const extent = (p: Float32Array) => {
      let lo = Infinity, hi = -Infinity;
      for (const v of p) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      return hi - lo;
    };
    const ratio = extent(merged.mesh.positions) / extent(off.mesh.positions);
    expect(ratio, `extent ratio ${ratio}`).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1.33);
  });

  it('rejects with AbortError when cancelled, and with typed errors for bad masks', async () => {
    const ac = new AbortController();
    const p = runObject(pack, syntheticInput(), {
      signal: ac.signal,
      onProgress: (e) => {
        if (e.stage === 'slatSampling') ac.abort();
      },
    });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    const { image, mask } = syntheticInput();
    const empty = { ...mask, data: new Uint8Array(mask.data.length) };
    await expect(runObject(pack, { image, mask: empty })).rejects.toBeInstanceOf(PipelineInputError);
    await expect(runObject(pack, { image, mask }, { params: { ssCacheStride: 0 } })).rejects.toMatchObject({
      code: 'BAD_PARAMS',
    });
  });
});

describe('a very wide photo, downscaled', () => {
  it("runs with a mask of the photo's own size, though the downscale rounded its aspect ratio", async () => {
    // 900×10 downscaled to at most 409 px: 409×5, an aspect ratio 10 % off the mask's, by rounding alone.
    const png = (data: Buffer, channels: 1 | 3) => sharp(data, { raw: { width: 900, height: 10, channels } }).png().toBuffer();
    const photo = Buffer.alloc(900 * 10 * 3, 0);
    for (let i = 0; i < photo.length; i++) photo[i] = (i * 37) % 251;
    const maskPixels = Buffer.alloc(900 * 10, 0);
    for (let y = 2; y < 8; y++) for (let x = 400; x < 500; x++) maskPixels[y * 900 + x] = 255;
    const image = await loadImageFile(await png(photo, 3), { maxSide: 409 });
    expect([image.width, image.height, image.givenSize]).toEqual([409, 5, [900, 10]]);
    const mask = await loadMaskFile(await png(maskPixels, 1));
    const r = await runObject(pack, { image, mask }, { params: { ssSteps: 2, slatSteps: 2 } });
    expect(r.mesh.positions.length).toBeGreaterThan(0);
    // Nothing quotes the downscaled size as if the user had made the mask for it.
    expect(r.report.warnings.join('\n')).not.toMatch(/mask.*409×5/);
  });
});

describe('timing', () => {
  it('opens every network before the clock starts, so the first run after opening a pack does not time their loading', async () => {
    const fresh = await openPack(TINY_PACK);
    try {
      // Which comes first: the pipeline asking for each role's session, or the first network pass.
      const log: string[] = [];
      const watched = Object.create(fresh) as Pack;
      Object.defineProperty(watched, 'session', { value: (role: Parameters<Pack['session']>[0]) => (log.push(`open ${role}`), fresh.session(role)) });
      Object.defineProperty(watched, 'run', { value: (role: Parameters<Pack['run']>[0], feeds: Parameters<Pack['run']>[1]) => (log.push(`run ${role}`), fresh.run(role, feeds)) });
      let loggedAtFirstProgress = -1;
      await runObject(watched, syntheticInput(), {
        method: 'off', params: { seed: 1 },
        onProgress: () => { if (loggedAtFirstProgress < 0) loggedAtFirstProgress = log.length; },
      });
      const firstRun = log.findIndex((l) => l.startsWith('run '));
      expect(log.slice(0, firstRun).sort()).toEqual(['open condition', 'open mesh_decoder', 'open slat_flow', 'open ss_decoder', 'open ss_flow']);
      // And before the first progress event (the condition stage's start, where its clock starts).
      expect(loggedAtFirstProgress).toBe(5);
    } finally {
      await fresh.close();
    }
  });
});

describe('runScene', () => {
  it('shares the condition and SS passes; each object matches its single-object run', async () => {
    const { image, mask } = syntheticInput();
    const second = { ...mask, data: new Uint8Array(mask.data.length) };
    for (let y = 5; y < 20; y++) for (let x = 5; x < 25; x++) second.data[y * mask.width + x] = 1;
    const fractions: number[] = [];
    const scene = await runScene(
      pack,
      {
        image,
        masks: [
          { mask, name: 'a' },
          { mask: second, name: 'b' },
        ],
      },
      {
        method: 'fast-sam3d',
        onProgress: (e) => fractions.push(e.fraction),
      },
    );
    expect(fractions).toEqual([...fractions].sort((x, y) => x - y));
    expect(fractions.at(-1)).toBe(1);
    expect(scene.objects).toHaveLength(2);
    expect(scene.report.shared.condition.networkPasses).toBe(1);
    expect(scene.report.shared.ssSampling.networkPasses).toBe(17);
    expect(scene.report.objects.map((o) => o.name)).toEqual(['a', 'b']);
    const single = await runObject(pack, { image, mask: second }, { method: 'fast-sam3d' });
    const t = scene.objects[1].layout.translation;
    single.layout.translation.forEach((v, q) => expect(t[q]).toBeCloseTo(v, 3));
    expect(scene.objects[1].report.aggregation.voxelsBefore).toBe(single.report.aggregation.voxelsBefore);
    // Per-object stages (SLaT condition row, noise, policies, decoder) give the single run's mesh exactly.
    expect(Buffer.from(scene.objects[1].mesh.positions.buffer).equals(Buffer.from(single.mesh.positions.buffer))).toBe(true);
  });
});
