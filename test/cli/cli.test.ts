/** The `fastsam3d` CLI end to end on the random-weight test pack and the example inputs. */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli';
import { readGlb } from '../../src-main/export/read-glb';
import { PARAM_SPECS, cliFlag } from '../../src-shared/params';
import { RunReportSchema, SceneReportSchema } from '../../src-shared/report';

const ROOT = resolve(__dirname, '../..');
const PACK = join(ROOT, 'models/test-tiny');
const MUG = join(ROOT, 'resources/examples/mug');
const SCENE = join(ROOT, 'resources/examples/scene-three');

describe('fastsam3d infer', () => {
  it('--preset off: mesh files, report with 44 SS and 38 SLaT passes on stdout (--json)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs3d-cli-'));
    const r = await cli(
      'infer',
      '--image',
      MUG,
      '--pack',
      PACK,
      '--preset',
      'off',
      '--seed',
      '7',
      '--output-dir',
      dir,
      '--format',
      'glb,ply',
      '--json',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = RunReportSchema.parse(JSON.parse(r.out));
    expect(report.method).toBe('off');
    expect(report.params.seed).toBe(7);
    expect(report.schedules.ss).toMatchObject({ pattern: 'F'.repeat(25), networkPasses: 44 });
    expect(report.schedules.slat).toMatchObject({ pattern: 'F'.repeat(25), networkPasses: 38 });
    expect(report.aggregation.factor).toBe(1);
    expect(report.mesh.triangles).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'mug-0.glb')).subarray(0, 4).toString()).toBe('glTF');
    expect(readFileSync(join(dir, 'mug-0.ply')).subarray(0, 3).toString()).toBe('ply');
    expect(JSON.parse(readFileSync(join(dir, 'mug-0.report.json'), 'utf8')).schedules.ss.networkPasses).toBe(44);
  });

  it('--colour-from-photo on the mini pack: the summary says how many vertices took the photo\'s colour, and the GLB carries them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs3d-cli-'));
    const r = await cli('infer', '--image', MUG, '--pack', join(ROOT, 'models/mini'), '--preset', 'off', '--colour-from-photo', '--output-dir', dir, '--format', 'glb');
    expect(r.code, r.err).toBe(0);
    const [, from, of] = /; (\d+) of (\d+) vertices coloured from the photo\)/.exec(r.out) ?? [];
    expect(Number(from), r.out).toBeGreaterThan(Number(of) / 2);
    const { mesh } = await readGlb(readFileSync(join(dir, 'mug-0.glb')));
    expect(mesh.positions.length / 3).toBe(Number(of));
    // The example mug is olive and teal: its colours are the photo's, green over red and blue (measured
    // 0.16, 0.26, 0.17), not the pack's one grey.
    const c = mesh.colors;
    const mean = [0, 1, 2].map((d) => c.reduce((sum, x, i) => (i % 3 === d ? sum + x : sum), 0) / (c.length / 3));
    expect(mean[1], `mean colour ${mean.map((x) => x.toFixed(2)).join(', ')}`).toBeGreaterThan(Math.max(mean[0], mean[2]) + 0.05);
  });

  it('--preset fast-sam3d with parameter flags: 17 SS passes by default, the stride flag changes the schedule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs3d-cli-'));
    const fast = await cli('infer', '--image', MUG, '--mask-index', '0', '--pack', PACK, '--output-dir', dir, '--json');
    expect(fast.code).toBe(0);
    const report = RunReportSchema.parse(JSON.parse(fast.out));
    expect(report.schedules.ss).toMatchObject({ pattern: 'FFccFccFccFccFccFccFccFcF', full: 10, networkPasses: 17 });
    expect(report.schedules.slat.networkPasses).toBeLessThan(38);
    const s2 = await cli(
      'infer',
      '--image',
      MUG,
      '--pack',
      PACK,
      '--output-dir',
      dir,
      '--json',
      '--ss-cache-stride',
      '2',
      '--no-mesh-aggregation',
    );
    expect(s2.code).toBe(0);
    const r2 = RunReportSchema.parse(JSON.parse(s2.out));
    expect(r2.schedules.ss.pattern).toBe('FFcFcFcFcFcFcFcFcFcFcFcFF');
    expect(r2.params.ssCacheStride).toBe(2);
    expect(r2.aggregation.factor).toBe(1);
  });

  it('a photo turned by its EXIF orientation and a mask made on its stored pixels: the mask is turned like the photo, and said', async () => {
    // What a phone saves (pixels stored a quarter turn off, tag 6) with a mask from a tool that ignores the
    // tag, as SAM 3D's own PIL loader does: the mask is the stored pixels' size (300×384; the photo shows 384×300).
    const input = mkdtempSync(join(tmpdir(), 'fs3d-cli-exif-'));
    // The examples are square, where both readings fit: a landscape crop of one tells them apart.
    const crop = { left: 0, top: 42, width: 384, height: 300 };
    await sharp(join(MUG, 'image.png')).extract(crop).rotate(270).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(join(input, 'image.jpg'));
    await sharp(join(MUG, '0.png')).extract(crop).rotate(270).png().toFile(join(input, '0.png'));
    const dir = mkdtempSync(join(tmpdir(), 'fs3d-cli-'));
    const r = await cli('infer', '--image', input, '--pack', PACK, '--output-dir', dir, '--json');
    expect(r.code).toBe(0);
    const report = RunReportSchema.parse(JSON.parse(r.out));
    expect(report.warnings.join(' ')).toMatch(/fits the photo's pixels as stored, before its EXIF orientation \(turned 90° clockwise\) turns them/);
    expect(report.warnings.join(' ')).not.toMatch(/resized/);
  });

  it('has one kebab-case flag for every parameter', async () => {
    const r = await cli('infer', '--help');
    expect(r.code).toBe(0);
    for (const spec of PARAM_SPECS) expect(r.out).toContain(cliFlag(spec.key));
    for (const f of [
      '--image',
      '--mask',
      '--mask-index',
      '--pack',
      '--preset',
      '--seed',
      '--output-dir',
      '--format',
      '--json',
      '--posed',
      '--target-triangles',
    ]) {
      expect(r.out).toContain(f);
    }
  });

  it('exit 2 for bad input and usage, with a message that says what to do', async () => {
    const missing = await cli('infer', '--image', join(MUG, 'nope.png'), '--pack', PACK);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/does not exist; pass the path of a PNG, JPEG or WebP file/);
    const index = await cli('infer', '--image', MUG, '--mask-index', '5', '--pack', PACK);
    expect(index.code).toBe(2);
    expect(index.err).toMatch(/mask index 5 does not exist/);
    const noMask = await cli('infer', '--image', join(MUG, 'image.png'), '--pack', PACK);
    expect(noMask.code).toBe(2);
    expect(noMask.err).toMatch(/pass --mask FILE/);
    const range = await cli('infer', '--image', MUG, '--pack', PACK, '--ss-cache-stride', '99');
    expect(range.code).toBe(2);
    expect(range.err).toMatch(/--ss-cache-stride must be within \[1, 8\]/);
    expect((await cli('infer', '--frobnicate')).code).toBe(2);
    expect((await cli('infer', '--image', MUG, '--pack', PACK, '--format', 'fbx')).err).toMatch(/unknown format "fbx"/);
  });

  it('an empty path flag (an unset shell variable) is a usage error that says so, not a flag left out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs3d-cli-'));
    for (const [args, message] of [
      [['infer', '--image', join(MUG, 'image.png'), '--mask', ''], /^fastsam3d: error: --mask is empty \(an unset shell variable\?\); pass a mask file \(white = object on black\), or leave the flag out to use the photo's transparency\.\n$/],
      [['infer', '--image', MUG, '--pack', ''], /^fastsam3d: error: --pack is empty \(an unset shell variable\?\); pass a model pack folder, or leave the flag out for the installation's models\/mini\.\n$/],
      [['scene', '--image', join(MUG, 'image.png'), '--masks-dir', ''], /^fastsam3d: error: --masks-dir is empty \(an unset shell variable\?\); pass a folder with 0\.png, 1\.png, … \(one mask per object\), or leave the flag out with a SAM 3D folder as --image\.\n$/],
      // With a SAM 3D folder, "" would have read the folder's own masks: still refused.
      [['scene', '--image', SCENE, '--masks-dir', ''], /--masks-dir is empty/],
      [['infer', '--image', ''], /^fastsam3d: error: --image is empty \(an unset shell variable\?\)/],
    ] as const) {
      const r = await cli(...args, '--output-dir', dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(message);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a 0/1 mask (numpy, SAM) is read as object = 1 and said; a very wide photo\'s own-size mask runs after the photo is downscaled', async () => {
    const input = mkdtempSync(join(tmpdir(), 'fs3d-cli-masks-'));
    const mask01 = join(input, 'mask01.png');
    const alpha = await sharp(join(MUG, '0.png')).extractChannel('alpha').raw().toBuffer({ resolveWithObject: true });
    const zeroOne = alpha.data.map((v) => (v > 127 ? 1 : 0));
    await sharp(zeroOne, { raw: { width: alpha.info.width, height: alpha.info.height, channels: 1 } }).png().toFile(mask01);
    expect((await sharp(mask01).stats()).channels[0].max).toBe(1);
    const dir = mkdtempSync(join(tmpdir(), 'fs3d-cli-'));
    const r = await cli('infer', '--image', join(MUG, 'image.png'), '--mask', mask01, '--pack', PACK, '--output-dir', dir);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/warning: ".*mask01\.png" has only two levels, 0 and 1 \(of 255\); the pixels of level 1 were read as the object/);

    // 9000×100 is downscaled to 4096×46 (45.5 rounded), 1.07 % off its aspect ratio: its own mask still fits.
    const pano = join(input, 'pano.png'),
      panoMask = join(input, 'pano_mask.png');
    await sharp({ create: { width: 9000, height: 100, channels: 3, background: { r: 90, g: 120, b: 60 } } }).png().toFile(pano);
    const m = Buffer.alloc(9000 * 100);
    for (let y = 10; y < 90; y++) m.fill(255, y * 9000 + 4000, y * 9000 + 5000);
    await sharp(m, { raw: { width: 9000, height: 100, channels: 1 } }).png().toFile(panoMask);
    const wide = await cli('infer', '--image', pano, '--mask', panoMask, '--pack', PACK, '--output-dir', dir, '--json');
    expect(wide.code, wide.err).toBe(0);
    const warnings = RunReportSchema.parse(JSON.parse(wide.out)).warnings.join('\n');
    expect(warnings).toMatch(/The image \(9000×100\) was downscaled to 4096×46/);
    expect(warnings).not.toMatch(/resized/);
    // A mask of another shape is refused with the photo's size, not the downscaled one.
    const square = join(input, 'square.png');
    await sharp(join(MUG, '0.png')).png().toFile(square);
    const refused = await cli('infer', '--image', pano, '--mask', square, '--pack', PACK, '--output-dir', dir);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/is 384×384 but the image is 9000×100 and the aspect ratios differ/);
  });

  it('exit 3 for an invalid pack', async () => {
    const r = await cli('infer', '--image', MUG, '--pack', join(ROOT, 'resources'));
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/manifest\.json: missing or unreadable/);
  });
});

describe('fastsam3d scene and pack validate', () => {
  it('scene: every mask of a SAM 3D folder, scene.glb plus one file per object, batched SS passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs3d-cli-'));
    const r = await cli('scene', '--image', SCENE, '--pack', PACK, '--output-dir', dir, '--json');
    expect(r.code).toBe(0);
    const report = SceneReportSchema.parse(JSON.parse(r.out));
    expect(report.objects).toHaveLength(3);
    expect(report.shared.condition.networkPasses).toBe(1);
    expect(report.shared.ssSampling.networkPasses).toBe(17); // three objects, one batched pass per step
    for (const f of ['scene.glb', 'object-0.glb', 'object-1.glb', 'object-2.glb', 'scene.report.json'])
      expect(existsSync(join(dir, f))).toBe(true);
  });

  it('scene --name keeps two scenes in one folder apart, and each object\'s warnings are printed under its line', async () => {
    // A folder of the scene's photo with its first mask and a second mask of 3 pixels (a warning of its own).
    const input = mkdtempSync(join(tmpdir(), 'fs3d-cli-scene-in-'));
    copyFileSync(join(SCENE, 'image.png'), join(input, 'image.png'));
    copyFileSync(join(SCENE, '0.png'), join(input, '0.png'));
    const { width, height } = await sharp(join(SCENE, 'image.png')).metadata();
    const tiny = Buffer.alloc(width! * height!);
    tiny.fill(255, (height! >> 1) * width! + (width! >> 1), (height! >> 1) * width! + (width! >> 1) + 3);
    await sharp(tiny, { raw: { width: width!, height: height!, channels: 1 } }).png().toFile(join(input, '1.png'));

    const dir = mkdtempSync(join(tmpdir(), 'fs3d-cli-'));
    const kitchen = await cli('scene', '--image', input, '--pack', PACK, '--output-dir', dir, '--name', 'kitchen');
    expect(kitchen.code).toBe(0);
    expect(kitchen.out).toMatch(/\n {2}kitchen-object-1: [^\n]*\n {4}warning: [^\n]*3 pixels/);
    const mug = await cli('scene', '--image', MUG, '--pack', PACK, '--output-dir', dir, '--name', 'mug');
    expect(mug.code).toBe(0);
    expect(mug.out).not.toMatch(/replaced/);
    expect(readdirSync(dir).sort()).toEqual(['kitchen-object-0.glb', 'kitchen-object-1.glb', 'kitchen.glb', 'kitchen.report.json', 'mug-object-0.glb', 'mug.glb', 'mug.report.json']);
    // A warning of the whole scene (here a flag the preset does not read) is printed once, not under every object.
    const once = await cli('scene', '--image', SCENE, '--pack', PACK, '--output-dir', mkdtempSync(join(tmpdir(), 'fs3d-cli-')), '--preset', 'off', '--ss-cache-stride', '2');
    expect(once.code).toBe(0);
    expect(once.out.match(/--ss-cache-stride 2\) was ignored/g)).toHaveLength(1);
  });

  it('pack validate: 0 for the test pack, 3 with the problems listed otherwise', async () => {
    const ok = await cli('pack', 'validate', PACK);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/valid pack test-tiny/);
    const bad = await cli('pack', 'validate', ROOT, '--json');
    expect(bad.code).toBe(3);
    expect(JSON.parse(bad.out).problems[0]).toMatch(/manifest\.json/);
  });

  it('bin/fastsam3d.js runs from the sources without a build step', () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'bin/fastsam3d.js'), 'pack', 'validate', PACK], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/valid pack test-tiny 0\.1\.0/);
  });
});
