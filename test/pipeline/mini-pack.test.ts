/**
 * The definition of done on the trained mini pack: `infer` on an example image makes a mesh with
 * `--preset off` (44 SS / 38 SLaT passes) and `--preset fast-sam3d` (17 SS passes). Runs once
 * models/mini is present (it is trained and committed by tools/).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadImageFile, loadMaskFile, openPack, runObject, validatePack } from '../../src-main/pipeline';
import type { BinaryMask, DecodedImage, Pack } from '../../src-main/pipeline';

const ROOT = resolve(__dirname, '../..');
const MINI = join(ROOT, 'models/mini');
const present = existsSync(join(MINI, 'manifest.json'));

describe.skipIf(!present)('mini pack', () => {
  let pack: Pack;
  let input: { image: DecodedImage; mask: BinaryMask };
  beforeAll(async () => {
    pack = await openPack(MINI);
    input = {
      image: await loadImageFile(join(ROOT, 'resources/examples/mug/image.png')),
      mask: await loadMaskFile(join(ROOT, 'resources/examples/mug/0.png')),
    };
  });
  afterAll(async () => {
    await pack?.close();
  });

  it('validates', async () => {
    expect((await validatePack(MINI)).problems).toEqual([]);
  });

  it('off: 44 SS and 38 SLaT passes and a mesh', async () => {
    const r = await runObject(pack, input, { method: 'off' });
    expect(r.report.schedules.ss.networkPasses).toBe(44);
    expect(r.report.schedules.slat.networkPasses).toBe(38);
    expect(r.report.mesh.triangles).toBeGreaterThan(100);
  });

  it('fast-sam3d: 17 SS passes, fewer SLaT passes, a mesh', async () => {
    const r = await runObject(pack, input, { method: 'fast-sam3d' });
    expect(r.report.schedules.ss).toMatchObject({ pattern: 'FFccFccFccFccFccFccFccFcF', networkPasses: 17 });
    expect(r.report.schedules.slat.networkPasses).toBeLessThan(38);
    expect(r.report.mesh.triangles).toBeGreaterThan(100);
  });
});
