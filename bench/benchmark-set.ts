/**
 * The held-out procedural benchmark set (resources/benchmark/<id>/: image.png, 0.png, gt.json, gt.ply,
 * and 1.png … for the objects in front of an occluded one), written by tools/fastsam3d_tools/data. Reads
 * the ground truth the metrics need.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Layout, Mesh } from '../src-main/pipeline/types';
import type { Symmetry } from '../src-main/pipeline/metrics';
import type { LayoutPrior } from './depth-ceiling';

export interface BenchmarkItem {
  id: string;
  dir: string;
  family: string;
  heldOutFamily: boolean;
  symmetry: Symmetry;
  layout: Layout;
  bbox: [[number, number, number], [number, number, number]];
  mesh: Mesh;
  /** Masks of what stands in front (gt.json `occluderMasks`, absent in older sets): never scored. */
  occluderMasks: string[];
  /** Their layouts (gt.json `occluderLayouts`, absent in older sets): for the 3D-IoU ceiling only. */
  occluderLayouts: Layout[];
}

/** Binary little-endian PLY as the generator writes it: float x y z, uchar r g b, uchar/int face lists. */
export function parsePly(buf: Buffer): Mesh {
  const end = buf.indexOf('end_header\n');
  if (end < 0) throw new Error('PLY: no end_header');
  const header = buf.subarray(0, end).toString('latin1').split('\n');
  if (!header.includes('format binary_little_endian 1.0')) throw new Error('PLY: only binary_little_endian is read');
  let nv = 0, nf = 0;
  const vprops: string[] = [];
  let section = '';
  for (const line of header) {
    const w = line.trim().split(/\s+/);
    if (w[0] === 'element') { section = w[1]; if (w[1] === 'vertex') nv = Number(w[2]); if (w[1] === 'face') nf = Number(w[2]); }
    if (w[0] === 'property' && section === 'vertex') vprops.push(`${w[1]}:${w[2]}`);
  }
  const size: Record<string, number> = { float: 4, uchar: 1, int: 4, uint: 4 };
  const stride = vprops.reduce((s, p) => s + size[p.split(':')[0]], 0);
  const positions = new Float32Array(nv * 3);
  const colors = new Float32Array(nv * 3).fill(0.5);
  let o = end + 'end_header\n'.length;
  for (let v = 0; v < nv; v++, o += stride) {
    let q = o;
    for (const p of vprops) {
      const [type, name] = p.split(':');
      const val = type === 'float' ? buf.readFloatLE(q) : type === 'uchar' ? buf.readUInt8(q) / 255 : buf.readInt32LE(q);
      const k = ['x', 'y', 'z'].indexOf(name);
      if (k >= 0) positions[3 * v + k] = val;
      const c = ['red', 'green', 'blue'].indexOf(name);
      if (c >= 0) colors[3 * v + c] = val;
      q += size[type];
    }
  }
  const indices: number[] = [];
  for (let f = 0; f < nf; f++) {
    const n = buf.readUInt8(o);
    o += 1;
    const ids: number[] = [];
    for (let k = 0; k < n; k++, o += 4) ids.push(buf.readInt32LE(o));
    for (let k = 1; k + 1 < n; k++) indices.push(ids[0], ids[k], ids[k + 1]);
  }
  return { positions, colors, indices: new Uint32Array(indices) };
}

/**
 * The generator's layout distribution from the set's index.json (`layoutPrior`), which the 3D-IoU ceiling
 * needs (bench/depth-ceiling.ts); null for sets written before it was recorded.
 */
export async function loadLayoutPrior(root: string): Promise<LayoutPrior | null> {
  let index: { layoutPrior?: { depth?: unknown; scale?: unknown; occluder?: { depthFactor?: unknown; scale?: unknown } } };
  try {
    index = JSON.parse(await readFile(join(root, 'index.json'), 'utf8'));
  } catch {
    return null;
  }
  const range = (r: unknown): [number, number] | null =>
    Array.isArray(r) && r.length === 2 && r.every(Number.isFinite) && r[0] > 0 && r[0] <= r[1] ? [r[0], r[1]] : null;
  const depth = range(index.layoutPrior?.depth), scale = range(index.layoutPrior?.scale);
  const occ = index.layoutPrior?.occluder;
  const factor = range(occ?.depthFactor), occScale = range(occ?.scale);
  if (!depth || !scale) return null;
  return factor && occScale ? { depth, scale, occluder: { depthFactor: factor, scale: occScale } } : { depth, scale };
}

export async function loadBenchmarkSet(root: string): Promise<BenchmarkItem[]> {
  const ids = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const items: BenchmarkItem[] = [];
  for (const id of ids) {
    const dir = join(root, id);
    const gt = JSON.parse(await readFile(join(dir, 'gt.json'), 'utf8'));
    items.push({
      id, dir, family: gt.family, heldOutFamily: Boolean(gt.heldOutFamily), symmetry: gt.symmetry ?? {},
      layout: gt.layout, bbox: [gt.objectBBox.min, gt.objectBBox.max],
      mesh: parsePly(await readFile(join(dir, gt.mesh?.file ?? 'gt.ply'))),
      occluderMasks: ((gt.occluderMasks ?? []) as string[]).map((f) => join(dir, f)),
      occluderLayouts: (gt.occluderLayouts ?? []) as Layout[],
    });
  }
  if (items.length === 0) throw new Error(`no benchmark objects under ${root}`);
  return items;
}
