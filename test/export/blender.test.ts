/**
 * Blender (Debian 3.4, headless) imports our GLB, OBJ and PLY: right dimensions, z-up after the
 * importers' conversion, a colour attribute, positions within tolerance; the scene GLB places objects and
 * the camera. Runs in CI (.ci/run installs blender); elsewhere it is skipped with a clear message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cameraToGltf, poseMesh, writeGlb, writeObj, writeOutputs, writePly, writeSceneGlb } from '../../src-main/export';
import { blenderPath, importWithBlender, type ImportedObject } from './blender-import';
import { box, layout, sphere } from './fixtures';
import { bounds } from './mesh-checks';
import type { Mesh } from '../../src-main/pipeline/types';

const blender = blenderPath();
if (!blender) {
  const msg = 'Blender is not installed: the Blender import test is SKIPPED (apt-get install -y blender to run it).';
  if (process.env.CI) throw new Error(`${msg} CI must install it (.ci/apt-packages.txt).`);
  console.warn(msg);
}

const dir = mkdtempSync(path.join(tmpdir(), 'fastsam3d-blender-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Largest distance from an expected point to its nearest imported point (sampled). */
function maxNearest(expected: Float32Array, got: number[][], stride = 1): number {
  let worst = 0;
  for (let i = 0; i < expected.length / 3; i += stride) {
    let best = Infinity;
    for (const p of got)
      best = Math.min(best, Math.hypot(p[0] - expected[3 * i], p[1] - expected[3 * i + 1], p[2] - expected[3 * i + 2]));
    worst = Math.max(worst, best);
  }
  return worst;
}

const meshOf = (objs: ImportedObject[] | undefined) => objs?.find((o) => o.type === 'MESH');

/** sRGB colours of the −x and +x halves (sorted, as Blender's distinct colours are reported). */
const TWO_COLOURS = [
  [0.1, 0.3, 0.9],
  [0.8, 0.2, 0.1],
];
function twoColoured(mesh: Mesh): Mesh {
  const colors = new Float32Array(mesh.positions.length);
  for (let v = 0; v < colors.length / 3; v++) colors.set(TWO_COLOURS[mesh.positions[3 * v] < 0 ? 0 : 1], 3 * v);
  return { ...mesh, colors };
}

describe.skipIf(!blender)('Blender import', () => {
  it('imports GLB, OBJ and PLY with the object z-up, the right dimensions, colours and positions', async () => {
    // 0.8 (x) × 0.4 (y) × 0.2 (z): an axis swap changes its dimensions; two colours (as from the photo),
    // one for each half.
    const mesh = twoColoured(box());
    const L = layout();
    const files = {
      glb: path.join(dir, 'box.glb'),
      obj: path.join(dir, 'box.obj'),
      ply: path.join(dir, 'box.ply'),
      posed: path.join(dir, 'posed.glb'),
      posedObj: path.join(dir, 'posed.obj'),
      posedPly: path.join(dir, 'posed.ply'),
      scene: path.join(dir, 'scene.glb'),
    };
    await writeGlb(files.glb, mesh, { name: 'box' });
    await writeObj(files.obj, mesh, { name: 'box' });
    await writePly(files.ply, mesh, { name: 'box' });
    await writeGlb(files.posed, mesh, { name: 'box', layout: L });
    await writeObj(files.posedObj, mesh, { name: 'box', layout: L });
    await writePly(files.posedPly, mesh, { name: 'box', layout: L });
    const ball = sphere();
    await writeSceneGlb(
      files.scene,
      [
        { name: 'box', mesh, layout: L },
        { name: 'ball', mesh: ball, layout: { ...L, translation: [-0.5, 0.2, 3] } },
      ],
      { fovDeg: 40, width: 640, height: 480 },
    );

    const res = importWithBlender(Object.values(files), dir);
    const want = bounds(mesh.positions);
    for (const f of [files.glb, files.obj, files.ply]) {
      expect(res[f].error, `${f}: ${res[f].error}`).toBeUndefined();
      const m = meshOf(res[f].objects);
      expect(m, `${path.basename(f)} has a mesh`).toBeDefined();
      // dimensions and z-up: Blender world axes equal our object frame (z-up) after import
      for (let a = 0; a < 3; a++) {
        expect(m!.min[a], `${path.basename(f)} min[${a}]`).toBeCloseTo(want.min[a], 4);
        expect(m!.max[a], `${path.basename(f)} max[${a}]`).toBeCloseTo(want.max[a], 4);
      }
      expect(m!.colorAttributes.length, `${path.basename(f)} colour attribute`).toBeGreaterThan(0);
      // Blender shows the colours we wrote (sRGB; the GLB stores them linear, as glTF wants), to the byte.
      expect(m!.colours.length, `${path.basename(f)} colours`).toBe(2);
      m!.colours.forEach((c, k) => c.forEach((x, d) => expect(Math.abs(x - TWO_COLOURS[k][d]), `${path.basename(f)} colour ${k}`).toBeLessThan(0.5 / 255 + 1e-3)));
      expect(maxNearest(mesh.positions, m!.positions, 7), `${path.basename(f)} positions`).toBeLessThan(1e-4);
    }

    // Where the colours show (README, Export): the GLB's material reads them; OBJ and PLY bring them as a
    // colour attribute only (OBJ with a plain white material from its MTL, PLY with none), which Solid
    // mode's Attribute colouring shows.
    expect(meshOf(res[files.glb].objects)!.materialsUseColours).toEqual([true]);
    expect(meshOf(res[files.obj].objects)!.materialsUseColours).toEqual([false]);
    expect(meshOf(res[files.ply].objects)!.materialsUseColours).toEqual([]);

    // posed GLB: Blender z-up world = glTF (x, -z, y) of the camera-frame positions × diag(-1,1,-1)
    const posed = cameraToGltf(poseMesh(mesh, L).positions);
    const inBlender = new Float32Array(posed.length);
    for (let i = 0; i < posed.length; i += 3) {
      inBlender[i] = posed[i];
      inBlender[i + 1] = -posed[i + 2];
      inBlender[i + 2] = posed[i + 1];
    }
    for (const f of [files.posed, files.posedObj, files.posedPly]) {
      const pm = meshOf(res[f].objects)!;
      expect(maxNearest(inBlender, pm.positions, 7), `${path.basename(f)} posed positions`).toBeLessThan(1e-4);
    }

    // scene: both objects by name, placed like the posed export; a camera looking along Blender's +y
    const scene = res[files.scene].objects!;
    expect(
      scene
        .filter((o) => o.type === 'MESH')
        .map((o) => o.name)
        .sort(),
    ).toEqual(['ball', 'box']);
    expect(maxNearest(inBlender, scene.find((o) => o.name === 'box')!.positions, 7)).toBeLessThan(1e-4);
    const cam = scene.find((o) => o.type === 'CAMERA');
    expect(cam).toBeDefined();
    expect(cam!.forward![1]).toBeCloseTo(1, 5); // glTF −Z = Blender +Y (into the scene)
    expect(cam!.min.map((x) => Math.abs(x))).toEqual([0, 0, 0]);
    // the photo's vertical field of view: 480 px of a 640-px square spanning 40°
    expect(cam!.cameraFov!).toBeCloseTo(2 * Math.atan(0.75 * Math.tan((20 * Math.PI) / 180)), 4);
  });

  it('names an object alike whichever format it is imported from, and never as a path', async () => {
    const mesh = box();
    const written: Record<string, string[]> = {};
    for (const [k, name] of ['scene-three-object 0', 'my/../../etc', 'cup ✓ 🍺'].entries()) {
      const out = await writeOutputs({ mesh, layout: layout() }, path.join(dir, `names-${k}`), { formats: ['glb', 'obj', 'ply'], baseName: name });
      written[name] = out.filter((w) => w.format !== 'mtl').map((w) => w.path);
    }
    const res = importWithBlender(Object.values(written).flat(), dir);
    const expected: Record<string, string> = { 'scene-three-object 0': 'scene-three-object_0', 'my/../../etc': 'my_etc', 'cup ✓ 🍺': 'cup_✓_🍺' };
    for (const [name, files] of Object.entries(written)) {
      const names = files.map((f) => {
        expect(res[f].error, `${f}: ${res[f].error}`).toBeUndefined();
        return meshOf(res[f].objects)!.name;
      });
      // GLB, OBJ and PLY (named after its file by Blender): one name, the file's.
      expect(names, name).toEqual([expected[name], expected[name], expected[name]]);
      expect(files.map((f) => path.basename(f, path.extname(f)))).toEqual(names);
    }
  });
});
