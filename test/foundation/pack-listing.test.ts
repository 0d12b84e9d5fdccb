import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanPacks } from '../../src-main/inference/packs';
import { scanSegPacks } from '../../src-main/segment/discover';

const MODELS = path.resolve(__dirname, '../../models');

describe('pack listing over the bundled models/ folder', () => {
  it('lists 3D packs as 3D packs and segmentation packs only as segmentation packs', async () => {
    const ids3d = scanPacks([MODELS]).map((p) => p.id);
    const idsSeg = (await scanSegPacks([MODELS])).map((p) => p.id);
    expect(ids3d).toEqual(expect.arrayContaining(['mini', 'test-tiny']));
    expect(idsSeg).toEqual(expect.arrayContaining(['seg-mini', 'seg-tiny']));
    expect(ids3d.filter((id) => idsSeg.includes(id))).toEqual([]);
    expect(scanPacks([MODELS]).every((p) => p.valid)).toBe(true);
  });
});
