/**
 * Simplification leaves no edge with more than two faces. meshoptimizer's collapses do not check the link
 * condition, so on the test pack's scene objects a plain simplification glues sheets of the surface along
 * an edge (four faces on four different vertices, which the duplicate-face check does not see); Blender
 * flags those edges as non-manifold. Checked on the files the scene export writes, read back with
 * glTF-Transform.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeIO } from '@gltf-transform/core';
import { afterAll, describe, expect, it } from 'vitest';
import { nonManifoldEdges, writeSceneOutputs } from '../../src-main/export';
import { loadImageFile, loadMaskFile } from '../../src-main/pipeline/image';
import type { Pack } from '../../src-main/pipeline/pack';
import { runScene } from '../../src-main/pipeline/run';
import { withTinyPack } from '../pipeline/helpers/tiny-pack';

const SCENE = path.resolve(__dirname, '../../resources/examples/scene-three');
const root = mkdtempSync(path.join(tmpdir(), 'fastsam3d-simplify-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let pack: Pack;
withTinyPack((p) => (pack = p));

/** Undirected edges of an indexed triangle list that more than two triangles share. */
function edgesOverTwoFaces(indices: ArrayLike<number>): number {
  const uses = new Map<string, number>();
  for (let f = 0; f < indices.length; f += 3)
    for (let e = 0; e < 3; e++) {
      const a = indices[f + e];
      const b = indices[f + ((e + 1) % 3)];
      const key = a < b ? `${a},${b}` : `${b},${a}`;
      uses.set(key, (uses.get(key) ?? 0) + 1);
    }
  return [...uses.values()].filter((n) => n > 2).length;
}

describe('simplified scene objects of the test pack', () => {
  it('have no edge shared by more than two faces, and about the triangles asked for', async () => {
    const image = await loadImageFile(path.join(SCENE, 'image.png'));
    const masks = await Promise.all(
      [0, 1, 2].map(async (k) => ({ mask: await loadMaskFile(path.join(SCENE, `${k}.png`)), name: `object-${k}` })),
    );
    let checked = 0;
    for (const seed of [1, 2]) {
      const scene = await runScene(pack, { image, masks }, { method: 'fast-sam3d', params: { seed } });
      for (const o of scene.objects) expect(edgesOverTwoFaces(o.mesh.indices)).toBe(0); // the input is clean
      for (const target of [300, 500, 1000]) {
        const dir = path.join(root, `seed${seed}-${target}`);
        const objects = scene.objects.map((o, i) => ({ ...o, name: `object-${i}` }));
        const files = await writeSceneOutputs(objects, scene.objects[0].camera, dir, { formats: ['glb'], targetTriangles: target });
        for (const f of files.filter((w) => w.format === 'glb')) {
          const doc = await new NodeIO().readBinary(new Uint8Array(readFileSync(f.path)));
          const indices = doc.getRoot().listMeshes()[0].listPrimitives()[0].getIndices()!.getArray()!;
          const label = `seed ${seed}, ${target} triangles, ${path.basename(f.path)}`;
          expect(edgesOverTwoFaces(indices), label).toBe(0);
          expect(indices.length / 3, label).toBeLessThanOrEqual(target);
          expect(indices.length / 3, label).toBeGreaterThan(target * 0.9);
          checked++;
        }
      }
    }
    expect(checked).toBe(18);
  });

  it('nonManifoldEdges names the edges of more than two faces', () => {
    // A fan of three triangles on the edge 0–1, and a plain triangle.
    const idx = Uint32Array.from([0, 1, 2, 1, 0, 3, 0, 1, 4, 2, 3, 4]);
    expect(nonManifoldEdges(idx, 5)).toEqual([[0, 1]]);
  });
});
