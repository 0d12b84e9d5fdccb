/**
 * The oracle hook of runObject (RunOptions.oracle) and its file reader (bench/oracle.ts), on the
 * random-weight test pack: a ground-truth stage output must take the place of the network's, so what
 * follows no longer depends on the image or the seed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runObject, PipelineInputError } from '../../src-main/pipeline';
import type { Pack, StageOracle } from '../../src-main/pipeline';
import { loadStageOracle } from '../../bench/oracle';
import { syntheticInput, withTinyPack } from './helpers/tiny-pack';

let pack: Pack;
withTinyPack((p) => (pack = p));

/** A solid ball of radius r voxels at the grid centre: occupancy and its pruned surface (distance 1). */
function ball(R: number, r: number) {
  const occ = new Uint8Array(R * R * R);
  const at = (i: number, j: number, k: number) => (i * R + j) * R + k;
  const c = (R - 1) / 2;
  for (let i = 0; i < R; i++)
    for (let j = 0; j < R; j++)
      for (let k = 0; k < R; k++) if ((i - c) ** 2 + (j - c) ** 2 + (k - c) ** 2 <= r * r) occ[at(i, j, k)] = 1;
  const surface: number[] = [];
  for (let i = 0; i < R; i++)
    for (let j = 0; j < R; j++)
      for (let k = 0; k < R; k++) {
        if (!occ[at(i, j, k)]) continue;
        let emptyNear = false;
        for (let d = 0; d < 27 && !emptyNear; d++) {
          const [a, b, e] = [i + ((d / 9) | 0) - 1, j + (((d / 3) | 0) % 3) - 1, k + (d % 3) - 1];
          emptyNear = a < 0 || b < 0 || e < 0 || a >= R || b >= R || e >= R || !occ[at(a, b, e)];
        }
        if (emptyNear) surface.push(i, j, k);
      }
  return { occ, surface: Int32Array.from(surface) };
}

const logitsOf = (occ: Uint8Array) => Float32Array.from(occ, (v) => (v ? 10 : -10));
const sameMesh = (a: { positions: Float32Array }, b: { positions: Float32Array }) =>
  a.positions.length === b.positions.length && Buffer.from(a.positions.buffer).equals(Buffer.from(b.positions.buffer));

describe('RunOptions.oracle', () => {
  it('occupancy: SLaT runs on the surface voxels of the given occupancy, whatever the seed', async () => {
    const R = pack.manifest.grid.resolution;
    const { occ, surface } = ball(R, 5);
    for (const seed of [1, 2]) {
      const r = await runObject(pack, syntheticInput(), {
        method: 'off',
        params: { seed },
        oracle: [{ occupancyLogits: logitsOf(occ) }],
      });
      expect(r.report.aggregation.voxelsBefore).toBe(surface.length / 3);
    }
    const own = await runObject(pack, syntheticInput(), { method: 'off', params: { seed: 1 } });
    expect(own.report.aggregation.voxelsBefore).not.toBe(surface.length / 3);
  });

  it('slat: the mesh is the decoder of the given latent, identical for two seeds; a missing voxel is a clear error', async () => {
    const R = pack.manifest.grid.resolution;
    const C = pack.manifest.slat.channels;
    const { occ, surface } = ball(R, 5);
    const n = surface.length / 3;
    // rows in reverse order: the hook must match rows by voxel, not by position
    const coords = new Int32Array(surface.length);
    const latent = new Float32Array(n * C);
    for (let v = 0; v < n; v++) {
      coords.set(surface.subarray(3 * (n - 1 - v), 3 * (n - v)), 3 * v);
      for (let c = 0; c < C; c++) latent[v * C + c] = Math.sin(0.37 * (n - 1 - v) + c);
    }
    const oracle: StageOracle = { occupancyLogits: logitsOf(occ), slat: { coords, latent } };
    const a = await runObject(pack, syntheticInput(), { method: 'off', params: { seed: 1 }, oracle: [oracle] });
    const b = await runObject(pack, syntheticInput(), { method: 'off', params: { seed: 2 }, oracle: [oracle] });
    expect(a.mesh.positions.length).toBeGreaterThan(0);
    expect(sameMesh(a.mesh, b.mesh)).toBe(true);
    const noSlat = await runObject(pack, syntheticInput(), {
      method: 'off',
      params: { seed: 2 },
      oracle: [{ occupancyLogits: logitsOf(occ) }],
    });
    expect(sameMesh(a.mesh, noSlat.mesh)).toBe(false);

    const short: StageOracle = { ...oracle, slat: { coords: coords.subarray(3), latent: latent.subarray(C) } };
    const err = await runObject(pack, syntheticInput(), { method: 'off', oracle: [short] }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(PipelineInputError);
    expect((err as Error).message).toMatch(/oracle latent has no row for voxel/);
  });

  it('ss-latent: the SS decoder reads the given tokens, so the voxel set no longer depends on the seed', async () => {
    const L = pack.manifest.grid.ssLatentResolution;
    const C = pack.manifest.grid.ssLatentChannels;
    const ssShape = Float32Array.from({ length: L * L * L * C }, (_, e) => Math.cos(0.9 * e));
    const counts: number[] = [];
    for (const seed of [1, 2, 3]) {
      const r = await runObject(pack, syntheticInput(), { method: 'off', params: { seed }, oracle: [{ ssShape }] });
      counts.push(r.report.aggregation.voxelsBefore);
    }
    expect(new Set(counts).size).toBe(1);
    const own: number[] = [];
    for (const seed of [1, 2, 3])
      own.push(
        (await runObject(pack, syntheticInput(), { method: 'off', params: { seed } })).report.aggregation.voxelsBefore,
      );
    expect(new Set(own).size).toBeGreaterThan(1);
  });
});

describe('loadStageOracle (bench/oracle.ts)', () => {
  const write = (dir: string, R: number, L: number, n: number, extra: Record<string, unknown> = {}) => {
    writeFileSync(
      join(dir, 'oracle.json'),
      JSON.stringify({
        format: 'fastsam3d-oracle/1',
        seed: 7,
        resolution: R,
        latentResolution: L,
        ssChannels: 8,
        slatChannels: 8,
        voxels: n,
        ...extra,
      }),
    );
    writeFileSync(join(dir, 'ss_tokens.f32'), Buffer.from(new Float32Array(L * L * L * 8).fill(0.5).buffer));
    const occ = new Uint8Array(R * R * R);
    occ[5] = 1;
    writeFileSync(join(dir, 'occupancy.u8'), occ);
    writeFileSync(join(dir, 'slat_coords.i32'), Buffer.from(new Int32Array(n * 3).fill(1).buffer));
    writeFileSync(join(dir, 'slat_latent.f32'), Buffer.from(new Float32Array(n * 8).fill(2).buffer));
  };

  it('reads each level, turns occupancy into signed logits and normalises the latent with the pack', async () => {
    const m = pack.manifest;
    const dir = mkdtempSync(join(tmpdir(), 'fs3d-oracle-'));
    write(dir, m.grid.resolution, m.grid.ssLatentResolution, 3);
    const ss = await loadStageOracle(dir, 'ss-latent', m);
    expect(Object.keys(ss)).toEqual(['ssShape']);
    expect(ss.ssShape![0]).toBe(0.5);
    const occ = await loadStageOracle(dir, 'occupancy', m);
    expect(occ.occupancyLogits![5]).toBeGreaterThan(0);
    expect(occ.occupancyLogits![4]).toBeLessThan(0);
    expect(occ.slat).toBeUndefined();
    const sl = await loadStageOracle(dir, 'slat', m);
    expect(sl.slat!.coords).toHaveLength(9);
    for (let c = 0; c < 8; c++) expect(sl.slat!.latent[c]).toBeCloseTo((2 - m.slat.mean[c]) / m.slat.std[c], 5);
  });

  it('refuses inputs written for another grid, and files of the wrong length, naming the file', async () => {
    const m = pack.manifest;
    const other = mkdtempSync(join(tmpdir(), 'fs3d-oracle-'));
    write(other, 32, 8, 3);
    await expect(loadStageOracle(other, 'occupancy', m)).rejects.toThrow(/do not match the pack's/);
    const short = mkdtempSync(join(tmpdir(), 'fs3d-oracle-'));
    write(short, m.grid.resolution, m.grid.ssLatentResolution, 3, { voxels: 4 });
    await expect(loadStageOracle(short, 'slat', m)).rejects.toThrow(/slat_coords\.i32: 9 values, expected 12/);
    await expect(loadStageOracle(join(short, 'absent'), 'slat', m)).rejects.toThrow(/no oracle inputs in .*absent/);
  });
});
