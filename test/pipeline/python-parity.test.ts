/**
 * Cross-language parity with tools/ (the code that trains the packs): the sparse tables and the condition
 * preprocessing built here must equal what the Python reference builds, or the networks see inputs they
 * were never trained on. Needs the tools virtual environment (`npm run setup -- --with-tools`); skipped
 * where it does not exist.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conditionInputs } from '../../src-main/pipeline/image';
import { Rng } from '../../src-main/pipeline/rng';
import { meshDecoderTables, slatTables } from '../../src-main/pipeline/sparse/tables';

const ROOT = resolve(__dirname, '../..');
const PYTHON = join(ROOT, 'tools/.venv/bin/python');
const hasPython = existsSync(PYTHON);

function python(script: string, input: unknown): Record<string, number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fs3d-py-'));
  writeFileSync(join(dir, 'in.json'), JSON.stringify(input));
  execFileSync(PYTHON, ['-c', script, dir], {
    cwd: ROOT,
    env: { ...process.env, PYTHONPATH: join(ROOT, 'tools') },
    stdio: 'pipe',
  });
  return JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as Record<string, number[]>;
}

/** Equal arrays, reporting the first differing index (deep toEqual is slow on millions of entries). */
function expectSame(ts: ArrayLike<number>, py: number[]): void {
  expect(ts.length).toBe(py.length);
  let first = -1;
  for (let q = 0; q < py.length && first < 0; q++) if (ts[q] !== py[q]) first = q;
  expect(first, first < 0 ? '' : `first difference at ${first}: ${ts[first]} vs ${py[first]}`).toBe(-1);
}

/** A lumpy shell: lexicographic unique coordinates on an R³ grid. */
function lumpyShell(r: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const out: number[] = [];
  const c = (r - 1) / 2;
  for (let i = 0; i < r; i++)
    for (let j = 0; j < r; j++)
      for (let k = 0; k < r; k++) {
        const d = Math.hypot(i - c, j - c, k - c);
        if (Math.abs(d - r * 0.35) < 1.2 && rng.uniform() < 0.8) out.push(i, j, k);
      }
  return Int32Array.from(out);
}

describe.skipIf(!hasPython)('parity with the Python reference in tools/', () => {
  it('slat_flow and mesh_decoder tables are identical to tools/fastsam3d_tools/modules/tables.py', () => {
    const r = 14;
    const coords = lumpyShell(r, 11);
    const script = `
import json, sys, numpy as np
from fastsam3d_tools.modules.tables import slat_tables, mesh_tables
d = sys.argv[1]
c = np.array(json.load(open(d + '/in.json'))['coords'], dtype=np.int64).reshape(-1, 3)
out = {k: v.reshape(-1).tolist() for k, v in {**slat_tables(c), **mesh_tables(c, 8, (0, 4))}.items()}
json.dump(out, open(d + '/out.json', 'w'))`;
    const py = python(script, { coords: Array.from(coords) });
    const s = slatTables(coords, r);
    const m = meshDecoderTables(coords, r, { subdivisions: 2, window: 8, shifts: [0, 4] });
    expectSame(s.nbrFine, py.nbr_fine);
    expectSame(s.nbrCoarse, py.nbr_coarse);
    expectSame(s.children, py.children);
    expectSame(s.fineToCoarse, py.fine_to_coarse);
    expectSame(s.coarseXyz, py.coarse_xyz);
    Array.from(s.invCount).forEach((v, q) => expect(v).toBeCloseTo(py.inv_count[q], 6));
    expectSame(m.win0.idx, py.win0_idx);
    expectSame(m.win0.inv, py.win0_inv);
    expectSame(m.win1.idx, py.win1_idx);
    expectSame(m.win1.inv, py.win1_inv);
    expectSame(m.levelNbr[0], py.nbr_l1);
    expectSame(m.levelNbr[1], py.nbr_l2);
  });

  it('condition inputs match tools/fastsam3d_tools/data/preprocess.py (PIL) within 8-bit rounding', () => {
    const w = 53,
      h = 37;
    const rng = new Rng(5);
    const rgbU8 = Array.from({ length: w * h * 3 }, () => Math.floor(rng.uniform() * 256));
    const mask = new Uint8Array(w * h);
    for (let y = 9; y < 30; y++) for (let x = 30; x < 50; x++) mask[y * w + x] = (x + y) % 7 === 0 ? 0 : 1;
    const size = 24;
    const script = `
import json, sys, numpy as np
from fastsam3d_tools.data.preprocess import condition_inputs
d = sys.argv[1]
j = json.load(open(d + '/in.json'))
rgb = np.array(j['rgb'], dtype=np.uint8).reshape(j['h'], j['w'], 3)
mask = np.array(j['mask'], dtype=np.uint8).reshape(j['h'], j['w'])
img, msk = condition_inputs(rgb, mask, j['size'], 1.2)
json.dump({'image': img.reshape(-1).tolist(), 'mask': msk.reshape(-1).tolist()}, open(d + '/out.json', 'w'))`;
    const py = python(script, { rgb: rgbU8, mask: Array.from(mask), w, h, size });
    const ts = conditionInputs(
      { width: w, height: h, rgb: Float32Array.from(rgbU8, (v) => v / 255), alpha: null, bitDepth: 8, warnings: [] },
      [{ width: w, height: h, data: mask, warnings: [] }],
      size,
      1.2,
    );
    expectSame(ts.mask, py.mask);
    let maxErr = 0;
    ts.image.forEach((v, q) => (maxErr = Math.max(maxErr, Math.abs(v - py.image[q]))));
    expect(maxErr).toBeLessThanOrEqual(1.01 / 255); // PIL resamples in 8-bit fixed point
  });
});
