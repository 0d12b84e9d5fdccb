/** mesh_decoder on the final latent, then surface extraction on the fine grid (plus the offset fix). */
import type { Manifest } from '../pack/manifest-schema';
import type { Pack } from '../pack';
import { denormaliseSlat } from '../sampling/slat-sampler';
import { meshDecoderTables } from '../sparse/tables';
import type { MeshDecoderTables } from '../sparse/tables';
import { extractSurface } from '../surface';
import type { Mesh } from '../types';

/** Run mesh_decoder; returns the fine-grid features and the tables (fine coordinates) they belong to. */
export async function decodeMesh(
  pack: Pack,
  latent: Float32Array,
  coords: Int32Array,
): Promise<{ feats: Float32Array; channels: number; tables: MeshDecoderTables }> {
  const m: Manifest = pack.manifest;
  const n = coords.length / 3;
  const tables = meshDecoderTables(coords, m.grid.resolution, m.decoders.mesh);
  const out = await pack.run('mesh_decoder', {
    slat: { data: denormaliseSlat(latent, m), dims: [n, m.slat.channels] },
    coords: { data: coords, dims: [n, 3] },
    win0_idx: { data: tables.win0.idx, dims: [tables.win0.windows, tables.win0.maxLen] },
    win0_inv: { data: tables.win0.inv, dims: [n] },
    win1_idx: { data: tables.win1.idx, dims: [tables.win1.windows, tables.win1.maxLen] },
    win1_inv: { data: tables.win1.inv, dims: [n] },
    nbr_l1: { data: tables.levelNbr[0], dims: [tables.levelNbr[0].length / 27, 27] },
    nbr_l2: { data: tables.levelNbr[1], dims: [tables.levelNbr[1].length / 27, 27] },
  });
  return { feats: out.feats.data, channels: out.feats.dims[1], tables };
}

/** Surface of the decoded field in the object frame, shifted by the aggregation offset (meshFixOffset). */
export function surfaceOf(
  decoded: { feats: Float32Array; channels: number; tables: MeshDecoderTables },
  m: Manifest,
  offset: readonly [number, number, number],
): Mesh {
  const { tables } = decoded;
  const mesh = extractSurface(
    { coords: tables.fineCoords, feats: decoded.feats, channels: decoded.channels, resolution: tables.fineResolution },
    m.decoders.mesh,
  );
  if (offset.some((v) => v !== 0)) {
    const pos = mesh.positions;
    for (let v = 0; v < pos.length; v += 3) {
      pos[v] += offset[0];
      pos[v + 1] += offset[1];
      pos[v + 2] += offset[2];
    }
  }
  return mesh;
}
