import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeIO } from '@gltf-transform/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cameraToGltf,
  gaussianPlyBytes,
  glbBytes,
  objectToGltf,
  objTexts,
  plyBytes,
  poseMesh,
  sceneGlbBytes,
  simplifyMesh,
  withoutCoincidentTriangles,
  writeOutputs,
  writeSceneOutputs,
} from '../../src-main/export';
import { srgbToLinear } from '../../src-main/export/color';
import { box, layout, sphere, validate, worldPositionsOf } from './fixtures';
import { topology } from './mesh-checks';

const dir = mkdtempSync(path.join(tmpdir(), 'fastsam3d-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readGlb(bytes: Uint8Array) {
  return new NodeIO().readBinary(bytes);
}

describe('GLB writer', () => {
  it('writes a valid y-up GLB with normals, linear COLOR_0, a double-sided material and the parameters in asset extras', async () => {
    const mesh = sphere();
    const bytes = await glbBytes(mesh, { name: 'mug', extras: { method: 'fast-sam3d', params: { ssCacheStride: 3 } } });
    const v = await validate(bytes);
    expect(v.messages).toEqual([]);
    expect(v.errors).toBe(0);
    const doc = await readGlb(bytes);
    const prim = doc.getRoot().listMeshes()[0].listPrimitives()[0];
    const pos = prim.getAttribute('POSITION')!.getArray() as Float32Array;
    expect(pos).toEqual(objectToGltf(mesh.positions));
    // z-up object → y-up: the off-centre x stays x, the object's z becomes glTF y
    expect(prim.getAttribute('NORMAL')).not.toBeNull();
    const col = prim.getAttribute('COLOR_0')!.getArray() as Float32Array;
    expect(col[0]).toBeCloseTo(srgbToLinear(mesh.colors[0]), 6);
    expect(prim.getMaterial()!.getDoubleSided()).toBe(true);
    expect(doc.getRoot().listNodes()[0].getName()).toBe('mug');
    const asset = doc.getRoot().getAsset();
    expect(asset.extras).toMatchObject({ method: 'fast-sam3d', params: { ssCacheStride: 3 } });
  });

  it('writes a posed GLB: the layout as the node transform (origin at the object) and the photo camera', async () => {
    const mesh = sphere();
    const L = layout();
    const bytes = await glbBytes(mesh, { name: 'cup', layout: L, camera: { fovDeg: 40, width: 640, height: 480 } });
    expect((await validate(bytes)).errors).toBe(0);
    const doc = await readGlb(bytes);
    const nodes = doc.getRoot().listNodes();
    expect(nodes.map((n) => n.getName())).toEqual(['photo camera', 'cup']);
    // The mesh itself stays in the object frame (glTF axes); the node carries translation, rotation, scale.
    const cup = nodes[1];
    expect(cup.getTranslation().map((v) => +v.toFixed(6))).toEqual([-L.translation[0], L.translation[1], -L.translation[2]].map((v) => +v.toFixed(6)));
    expect(cup.getScale()).toEqual([L.scale, L.scale, L.scale]);
    // Where a viewer draws it: camera frame, then diag(−1, 1, −1).
    const pos = worldPositionsOf(doc);
    // vertex 0 by hand: p_cam = s·p·R + t
    const p = [mesh.positions[0], mesh.positions[1], mesh.positions[2]];
    const R = L.rotation;
    const cam = [0, 1, 2].map((j) => L.scale * (p[0] * R[j] + p[1] * R[3 + j] + p[2] * R[6 + j]) + L.translation[j]);
    expect(pos[0]).toBeCloseTo(-cam[0], 5);
    expect(pos[1]).toBeCloseTo(cam[1], 5);
    expect(pos[2]).toBeCloseTo(-cam[2], 5);
    // in front of the camera (glTF camera looks down −Z)
    expect(pos[2]).toBeLessThan(0);
  });

  it('simplifies to the target triangle count, keeping colours, and the result validates', async () => {
    const mesh = sphere();
    const before = mesh.indices.length / 3;
    const target = Math.floor(before / 4);
    const small = await simplifyMesh(mesh, target);
    expect(small.indices.length / 3).toBeLessThanOrEqual(target);
    expect(small.indices.length / 3).toBeGreaterThan(target * 0.5);
    expect(small.colors.length).toBe(small.positions.length);
    // colours still follow the analytic gradient (red = sigmoid(4x) of the original position)
    for (let i = 0; i < small.positions.length; i += 3)
      expect(Math.abs(small.colors[i] - 1 / (1 + Math.exp(-4 * small.positions[i])))).toBeLessThan(0.08);
    expect(topology(small).nonManifoldEdges).toBe(0);
    expect((await validate(await glbBytes(small))).errors).toBe(0);
    expect(await simplifyMesh(mesh, before + 10)).toBe(mesh);
    await expect(simplifyMesh(mesh, 0)).rejects.toThrow(/at least 4/);
  });
});

describe('coincident triangles after simplification', () => {
  it('drops a back-to-back pair (a zero-volume fin) and keeps one of a repeated face', () => {
    const tris = (...t: number[][]) => Uint32Array.from(t.flat());
    // 0-1-2 and 2-1-0 (opposite windings) both go; 3-4-5 and 4-5-3 (one winding) keep one; 0-2-3 stays.
    expect(Array.from(withoutCoincidentTriangles(tris([0, 1, 2], [3, 4, 5], [2, 1, 0], [0, 2, 3], [4, 5, 3]))))
      .toEqual([3, 4, 5, 0, 2, 3]);
    const clean = tris([0, 1, 2], [0, 2, 3]);
    expect(withoutCoincidentTriangles(clean)).toBe(clean);
  });
});

describe('scene GLB', () => {
  it('has one node per object named after its mask with the layout as transform, and the photo camera', async () => {
    const L = layout();
    const objects = [
      { name: 'chair', mesh: sphere(), layout: L },
      { name: 'table', mesh: box(), layout: { ...L, translation: [-0.4, 0, 3] as [number, number, number] } },
    ];
    const bytes = await sceneGlbBytes(objects, { fovDeg: 40, width: 800, height: 600 });
    const v = await validate(bytes);
    expect(v.messages).toEqual([]);
    const doc = await readGlb(bytes);
    const nodes = doc.getRoot().listNodes();
    expect(nodes.map((n) => n.getName())).toEqual(['photo camera', 'chair', 'table']);
    const cam = nodes[0].getCamera()!;
    expect(cam.getAspectRatio()).toBeCloseTo(800 / 600, 6);
    // square side 800 with 40° across it → the 600-px height spans 2·atan(0.75·tan 20°)
    expect(cam.getYFov()).toBeCloseTo(2 * Math.atan(0.75 * Math.tan((20 * Math.PI) / 180)), 6);
    // node transform × mesh position == posed position in glTF scene axes
    for (const [k, o] of objects.entries()) {
      const node = nodes[k + 1];
      const m = node.getWorldMatrix();
      const local = node.getMesh()!.listPrimitives()[0].getAttribute('POSITION')!.getArray() as Float32Array;
      const expected = cameraToGltf(poseMesh(o.mesh, o.layout).positions);
      for (const i of [0, 7, Math.floor(local.length / 3) - 1]) {
        const x = local[3 * i],
          y = local[3 * i + 1],
          z = local[3 * i + 2];
        const world = [0, 1, 2].map((r) => m[r] * x + m[4 + r] * y + m[8 + r] * z + m[12 + r]);
        for (let a = 0; a < 3; a++) expect(world[a]).toBeCloseTo(expected[3 * i + a], 5);
      }
    }
  });
});

describe('OBJ and PLY writers', () => {
  it('writes OBJ vertices as v x y z r g b in y-up axes, with normals, faces and an MTL', () => {
    const mesh = sphere();
    const { obj, mtl } = objTexts(mesh, 'sphere.mtl', { name: 'my sphere' });
    const v = obj.split('\n').filter((l) => l.startsWith('v '));
    const f = obj.split('\n').filter((l) => l.startsWith('f '));
    expect(v.length).toBe(mesh.positions.length / 3);
    expect(f.length).toBe(mesh.indices.length / 3);
    expect(obj).toContain('mtllib sphere.mtl');
    expect(obj).toContain('o my_sphere');
    const first = v[0].split(' ').slice(1).map(Number);
    expect(first).toHaveLength(6);
    expect(first[0]).toBeCloseTo(mesh.positions[0], 5);
    expect(first[1]).toBeCloseTo(mesh.positions[2], 5);
    expect(first[2]).toBeCloseTo(-mesh.positions[1], 5);
    expect(first[3]).toBeCloseTo(mesh.colors[0], 3);
    expect(mtl).toContain('newmtl vertex_colours');
  });

  it('writes a binary PLY with colours whose header and body agree', () => {
    const mesh = sphere();
    const bytes = plyBytes(mesh);
    const text = Buffer.from(bytes).toString('latin1');
    const end = text.indexOf('end_header\n') + 'end_header\n'.length;
    const header = text.slice(0, end);
    const V = mesh.positions.length / 3,
      F = mesh.indices.length / 3;
    expect(header).toContain('format binary_little_endian 1.0');
    expect(header).toContain(`element vertex ${V}`);
    expect(header).toContain(`element face ${F}`);
    expect(header).toContain('property uchar red');
    expect(bytes.length).toBe(end + V * 27 + F * 13);
    const dv = new DataView(bytes.buffer, bytes.byteOffset + end);
    expect(dv.getFloat32(0, true)).toBeCloseTo(mesh.positions[0], 6); // z-up object frame as is
    expect(dv.getFloat32(8, true)).toBeCloseTo(mesh.positions[2], 6);
    expect(dv.getUint8(24)).toBe(Math.round(mesh.colors[0] * 255));
    const faceDv = new DataView(bytes.buffer, bytes.byteOffset + end + V * 27);
    expect(faceDv.getUint8(0)).toBe(3);
    expect(faceDv.getInt32(1, true)).toBe(mesh.indices[0]);
  });

  it('writes 3D Gaussian PLYs with the standard field names', () => {
    const N = 5;
    const bytes = gaussianPlyBytes({
      positions: new Float32Array(3 * N).fill(0.1),
      shDc: new Float32Array(3 * N),
      shRest: new Float32Array(45 * N),
      opacities: new Float32Array(N),
      scales: new Float32Array(3 * N).fill(-4),
      rotations: new Float32Array(4 * N).fill(0.5),
    });
    const text = Buffer.from(bytes).toString('latin1');
    const header = text.slice(0, text.indexOf('end_header\n') + 11);
    for (const name of ['x', 'nx', 'f_dc_0', 'f_rest_44', 'opacity', 'scale_2', 'rot_3'])
      expect(header).toContain(`property float ${name}\n`);
    expect(bytes.length).toBe(header.length + N * 4 * (9 + 45 + 8));
    expect(() =>
      gaussianPlyBytes({
        positions: new Float32Array(3),
        shDc: new Float32Array(2),
        opacities: new Float32Array(1),
        scales: new Float32Array(3),
        rotations: new Float32Array(4),
      }),
    ).toThrow(/shDc/);
  });
});

describe('writeOutputs', () => {
  it('writes every requested format into the folder, posed and simplified, all GLBs valid', async () => {
    const out = path.join(dir, 'run1');
    const files = await writeOutputs(
      { mesh: sphere(), layout: layout(), report: { method: 'balanced', params: { a: 1 }, pack: { name: 'mini' } } },
      out,
      { formats: ['glb', 'obj', 'ply'], posed: true, targetTriangles: 500, baseName: 'mask 0' },
    );
    expect(files.map((f) => path.basename(f.path)).sort()).toEqual([
      'mask_0.glb',
      'mask_0.mtl',
      'mask_0.obj',
      'mask_0.ply',
    ]);
    expect(readdirSync(out).sort()).toEqual(['mask_0.glb', 'mask_0.mtl', 'mask_0.obj', 'mask_0.ply']);
    const glb = new Uint8Array(readFileSync(path.join(out, 'mask_0.glb')));
    expect((await validate(glb)).errors).toBe(0);
    const doc = await new NodeIO().readBinary(glb);
    expect(doc.getRoot().listMeshes()[0].listPrimitives()[0].getIndices()!.getCount() / 3).toBeLessThanOrEqual(500);
    expect(doc.getRoot().getAsset().extras).toMatchObject({ fastsam3d: { method: 'balanced' } });
  });

  it('writes a scene folder: scene.glb plus each object under its mask name', async () => {
    const out = path.join(dir, 'scene1');
    const L = layout();
    const files = await writeSceneOutputs(
      [
        { name: 'cup', mesh: sphere(), layout: L },
        { name: 'book', mesh: box(), layout: L },
      ],
      { fovDeg: 40, width: 64, height: 64 },
      out,
      { formats: ['glb'] },
    );
    expect(files.map((f) => path.basename(f.path))).toEqual(['scene.glb', 'cup.glb', 'book.glb']);
    expect((await validate(new Uint8Array(readFileSync(path.join(out, 'scene.glb'))))).errors).toBe(0);
  });
});
