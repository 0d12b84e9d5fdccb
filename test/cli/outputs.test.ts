/**
 * `infer` / `scene` outputs: the output folder is checked before any inference, write problems are one
 * line and exit 2, every file of a run has one cleaned base name inside --output-dir, and the report says
 * what was written (--target-triangles).
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NodeIO } from '@gltf-transform/core';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli';
import { RunReportSchema, SceneReportSchema } from '../../src-shared/report';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/fastsam3d.js');
const PACK = join(ROOT, 'models/test-tiny');
const NOT_A_PACK = join(ROOT, 'resources'); // opening it fails with exit 3: a run that gets past the output check
const MUG = join(ROOT, 'resources/examples/mug');
const SCENE = join(ROOT, 'resources/examples/scene-three');

const tmp = () => mkdtempSync(join(tmpdir(), 'fs3d-cli-out-'));

/** One line on stderr, no stack trace. */
function oneLine(err: string): void {
  expect(err.trim().split('\n')).toHaveLength(1);
  expect(err).not.toMatch(/^\s+at /m);
  expect(err).not.toMatch(/internal error/);
}

describe('the output folder is checked before inference (exit 2, one line)', () => {
  it('--output-dir is a file (EEXIST), or under a file (ENOTDIR), for infer and scene', async () => {
    const dir = tmp();
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    // A bad pack would fail with exit 3 when opened: exit 2 shows the folder was checked first.
    const eexist = await cli('infer', '--image', MUG, '--pack', NOT_A_PACK, '--output-dir', file);
    expect(eexist.code).toBe(2);
    expect(eexist.err).toMatch(/--output-dir ".*a-file" is a file, not a folder; pass a folder/);
    oneLine(eexist.err);
    const enotdir = await cli('infer', '--image', MUG, '--pack', NOT_A_PACK, '--output-dir', join(file, 'sub'));
    expect(enotdir.code).toBe(2);
    expect(enotdir.err).toMatch(/cannot create --output-dir ".*a-file\/sub": ".*a-file" is a file, not a folder/);
    oneLine(enotdir.err);
    const scene = await cli('scene', '--image', SCENE, '--pack', NOT_A_PACK, '--output-dir', file);
    expect(scene.code).toBe(2);
    expect(scene.err).toMatch(/--output-dir ".*a-file" is a file, not a folder/);
    oneLine(scene.err);
    const sceneSub = await cli('scene', '--image', SCENE, '--pack', NOT_A_PACK, '--output-dir', join(file, 'sub'));
    expect(sceneSub.code).toBe(2);
    oneLine(sceneSub.err);
  });

  it.runIf(process.platform === 'linux' && existsSync('/proc/self'))('a folder the file system will not make (under /proc): exit 2 at once, not a hang', async () => {
    // Node's recursive mkdir spins forever there; the check must answer within the test's timeout.
    const r = await cli('infer', '--image', MUG, '--pack', NOT_A_PACK, '--output-dir', '/proc/fastsam3d-test/out');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot create --output-dir "\/proc\/fastsam3d-test\/out": that file system does not take new folders there \(ENOENT\)/);
    oneLine(r.err);
  });

  it('a folder that cannot be written (EACCES): named, with what to do, before inference', () => {
    const dir = tmp();
    chmodSync(dir, 0o755);
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    // root ignores permission bits: run the real CLI as "nobody" then (the repository is world-readable).
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    for (const cmd of [
      ['infer', '--image', MUG],
      ['scene', '--image', SCENE],
    ]) {
      for (const out of [locked, join(locked, 'sub')]) {
        const r = spawnSync(process.execPath, [BIN, ...cmd, '--pack', NOT_A_PACK, '--output-dir', out], {
          encoding: 'utf8',
          ...asNobody,
        });
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(
          /cannot (write into|create) --output-dir ".*locked(\/sub)?": permission denied; choose a folder you can write to/,
        );
        oneLine(r.stderr);
      }
    }
    expect(readdirSync(locked)).toEqual([]); // the probe file is gone
  });

  it('a mesh file name taken by a folder: exit 2 before inference, nothing written', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'mug-0.obj'));
    const r = await cli('infer', '--image', MUG, '--pack', NOT_A_PACK, '--output-dir', dir, '--format', 'glb,obj');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /".*mug-0\.obj" is a folder, so the result cannot be written there; remove it, or choose another --name or --output-dir/,
    );
    oneLine(r.err);
    expect(readdirSync(dir)).toEqual(['mug-0.obj']);
  });

  it('a run that fails leaves no empty output folder it created', async () => {
    const dir = tmp();
    const r = await cli('infer', '--image', MUG, '--pack', NOT_A_PACK, '--output-dir', join(dir, 'new', 'deeper'));
    expect(r.code).toBe(3);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('one cleaned base name for every file of a run, inside --output-dir', () => {
  const files = async (args: string[]) => {
    const parent = tmp();
    const dir = join(parent, 'out');
    const r = await cli('infer', '--pack', PACK, '--output-dir', dir, '--format', 'glb,obj', ...args);
    return { r, parent, dir, names: existsSync(dir) ? readdirSync(dir).sort() : [] };
  };

  it('--name ../escaped stays in the folder', async () => {
    const { r, parent, names } = await files(['--image', MUG, '--name', '../escaped']);
    expect(r.code).toBe(0);
    expect(names).toEqual(['escaped.glb', 'escaped.mtl', 'escaped.obj', 'escaped.report.json']);
    expect(readdirSync(parent)).toEqual(['out']);
  });

  it('a second run into the same folder says which files it replaced', async () => {
    const dir = join(tmp(), 'out');
    const args = ['infer', '--pack', PACK, '--image', MUG, '--output-dir', dir, '--format', 'glb'];
    const first = await cli(...args);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/ wrote .*0\.glb/);
    expect(first.out).not.toMatch(/replaced/);
    const second = await cli(...args, '--format', 'glb,ply');
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/ replaced .*0\.glb/);
    expect(second.out).toMatch(/ replaced .*0\.report\.json/);
    expect(second.out).toMatch(/ wrote .*0\.ply/);
  });

  it('--name sub/obj writes sub_obj.* including the report', async () => {
    const { r, names } = await files(['--image', MUG, '--name', 'sub/obj']);
    expect(r.code).toBe(0);
    expect(names).toEqual(['sub_obj.glb', 'sub_obj.mtl', 'sub_obj.obj', 'sub_obj.report.json']);
  });

  it('an image named "my photo (1).png": the report has the meshes\' name', async () => {
    const src = tmp();
    const photo = join(src, 'my photo (1).png');
    copyFileSync(join(MUG, '0.png'), photo); // an RGBA cutout: its alpha is the mask
    const { r, names } = await files(['--image', photo]);
    expect(r.code).toBe(0);
    expect(names).toEqual(['my_photo_1_.glb', 'my_photo_1_.mtl', 'my_photo_1_.obj', 'my_photo_1_.report.json']);
  });

  it('a posed or simplified run, or another mask of the photo, does not replace the full mesh; --name is taken as it is', async () => {
    const dir = join(tmp(), 'out');
    const run = (...args: string[]) => cli('infer', '--pack', PACK, '--output-dir', dir, '--format', 'glb', ...args);
    for (const extra of [[], ['--posed'], ['--target-triangles', '200'], ['--posed', '--target-triangles', '200']]) {
      const r = await run('--image', MUG, ...extra);
      expect(r.code).toBe(0);
      expect(r.out).not.toMatch(/replaced/);
    }
    // A photo with one mask file, then another: named after both.
    for (const m of ['0.png', '1.png']) expect((await run('--image', join(SCENE, 'image.png'), '--mask', join(SCENE, m))).code).toBe(0);
    // --name is the user's: no ending added, and an output extension at its end is not doubled.
    expect((await run('--image', MUG, '--posed', '--name', 'hero.glb')).code).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.glb')).sort()).toEqual([
      'hero.glb', 'image-0.glb', 'image-1.glb', 'mug-0-200tri.glb', 'mug-0-posed-200tri.glb', 'mug-0-posed.glb', 'mug-0.glb',
    ]);
  });

  it('--output-dir "" (an unset shell variable) is a usage error that says so', async () => {
    const r = await cli('infer', '--pack', PACK, '--image', MUG, '--output-dir', '');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--output-dir is empty; pass a folder/);
    expect(r.err).not.toMatch(/internal error|at .*\.ts:/);
  });

  it('--name -rf, 🍺🍺 and my/../../etc: a name that does not start like an option, emoji kept, no path left; the GLB object named as its file', async () => {
    for (const [given, base] of [['-rf', 'rf'], ['🍺🍺', '🍺🍺'], ['my/../../etc', 'my_etc']]) {
      const { r, names, dir } = await files(['--image', MUG, `--name=${given}`]);
      expect(r.code, r.err).toBe(0);
      expect(names).toEqual([`${base}.glb`, `${base}.mtl`, `${base}.obj`, `${base}.report.json`]);
      expect(r.out).not.toMatch(/nothing usable/);
      const doc = await new NodeIO().readBinary(new Uint8Array(readFileSync(join(dir, `${base}.glb`))));
      expect(doc.getRoot().listNodes().map((n) => n.getName())).toEqual([base]);
      expect(readFileSync(join(dir, `${base}.obj`), 'utf8')).toMatch(new RegExp(`^o ${base}$`, 'm'));
    }
  });

  it('--name "" falls back to the name from the input, with a warning', async () => {
    const { r, names } = await files(['--image', MUG, '--name', '', '--json']);
    expect(r.code).toBe(0);
    expect(names).toEqual(['mug-0.glb', 'mug-0.mtl', 'mug-0.obj', 'mug-0.report.json']);
    expect(RunReportSchema.parse(JSON.parse(r.out)).warnings.join('\n')).toMatch(/--name "" has nothing usable/);
  });
});

describe('--target-triangles: the summary and the report say what was written', () => {
  const coincidentFaces = async (file: string) => {
    const doc = await new NodeIO().readBinary(new Uint8Array(readFileSync(file)));
    const idx = doc.getRoot().listMeshes()[0].listPrimitives()[0].getIndices()!.getArray()!;
    const seen = new Set<string>();
    let repeats = 0;
    for (let t = 0; t < idx.length; t += 3) {
      const key = [idx[t], idx[t + 1], idx[t + 2]].sort((a, b) => a - b).join(',');
      if (seen.has(key)) repeats++;
      seen.add(key);
    }
    return repeats;
  };
  const glbTriangles = async (file: string) => {
    const doc = await new NodeIO().readBinary(new Uint8Array(readFileSync(file)));
    return doc.getRoot().listMeshes()[0].listPrimitives()[0].getIndices()!.getCount() / 3;
  };

  it('infer: report.mesh is the .glb, with the simplification (target and source counts)', async () => {
    const dir = tmp();
    const r = await cli(
      'infer',
      '--image',
      MUG,
      '--pack',
      PACK,
      '--output-dir',
      dir,
      '--target-triangles',
      '500',
      '--json',
    );
    expect(r.code).toBe(0);
    const stdout = JSON.parse(r.out) as { mesh: { triangles: number; simplification: Record<string, number> } };
    const file = JSON.parse(readFileSync(join(dir, 'mug-0-500tri.report.json'), 'utf8')) as typeof stdout;
    expect(file).toEqual(stdout);
    const inGlb = await glbTriangles(join(dir, 'mug-0-500tri.glb'));
    expect(inGlb).toBeLessThanOrEqual(500);
    expect(stdout.mesh.triangles).toBe(inGlb);
    expect(stdout.mesh.simplification.targetTriangles).toBe(500);
    expect(stdout.mesh.simplification.fromTriangles).toBeGreaterThan(500);

    const plain = await cli('infer', '--image', MUG, '--pack', PACK, '--output-dir', dir, '--target-triangles', '500');
    expect(plain.out).toMatch(
      new RegExp(`^mug-0-500tri: \\d+ vertices, ${inGlb} triangles \\(simplified from \\d+ for --target-triangles 500\\)`),
    );
  });

  it('scene: each object report is its simplified mesh', async () => {
    const dir = tmp();
    const r = await cli(
      'scene',
      '--image',
      SCENE,
      '--pack',
      PACK,
      '--output-dir',
      dir,
      '--target-triangles',
      '300',
      '--json',
    );
    expect(r.code).toBe(0);
    const report = SceneReportSchema.parse(JSON.parse(r.out));
    for (const [q, o] of report.objects.entries()) {
      const file = join(dir, `object-${q}-300tri.glb`);
      expect(o.mesh.triangles).toBe(await glbTriangles(file));
      expect(o.mesh.triangles).toBeLessThanOrEqual(300);
      // No face twice on the same three vertices (a back-to-back fin Blender flags as non-manifold).
      expect(await coincidentFaces(file), file).toBe(0);
    }
  });

  it('a target above the mesh: "not simplified", not "simplified from"; colour from photo says it counts the mesh before simplification', async () => {
    const dir = tmp();
    const above = await cli('infer', '--image', MUG, '--pack', PACK, '--output-dir', dir, '--target-triangles', '10000000');
    expect(above.code).toBe(0);
    // The name is chosen before the run, so it keeps its -<N>tri; the summary says what happened.
    expect(above.out).toMatch(/^mug-0-10000000tri: \d+ vertices, \d+ triangles \(already under --target-triangles 10000000; not simplified\)/);
    // The mini pack: the test pack's mesh does not land on the mask, so nothing would be coloured.
    const mini = join(ROOT, 'models/mini');
    const coloured = await cli('infer', '--image', MUG, '--pack', mini, '--output-dir', dir, '--target-triangles', '300', '--colour-from-photo');
    expect(coloured.code).toBe(0);
    expect(coloured.out).toMatch(/simplified from \d+ for --target-triangles 300\) .*; \d+ of \d+ vertices \(before simplification\) coloured from the photo\)/);
  });
});
