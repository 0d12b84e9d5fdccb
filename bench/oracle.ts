/**
 * The oracle study (`bench --oracle STAGE`): ground-truth stage outputs, written by
 * `tools … -m fastsam3d_tools.train.oracle_inputs`, replace one stage of the pipeline so the benchmark
 * can say which stage loses the quality. Each level includes the ones before it in the pipeline:
 *
 * - `ss-latent`: the SS flow's shape tokens are the ground truth's octant latent (a perfect SS flow; the
 *   SS decoder, SLaT flow and mesh decoder are the pack's);
 * - `occupancy`: the decoded occupancy is the ground truth's (a perfect SS stage);
 * - `slat`: the occupancy and the structured latent are the ground truth's (perfect flows: what is left
 *   is the mesh decoder and the surface extraction).
 *
 * Layout (rotation, translation, scale) always comes from the pack: only the shape metrics move.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest, StageOracle } from '../src-main/pipeline';

export const ORACLE_STAGES = ['ss-latent', 'occupancy', 'slat'] as const;
export type OracleStage = (typeof ORACLE_STAGES)[number];

const FORMAT = 'fastsam3d-oracle/1';
/** Logit magnitude standing for a certain occupancy (any value with the right sign decodes the same). */
const CERTAIN_LOGIT = 10;

interface OracleMeta {
  format: string;
  resolution: number;
  latentResolution: number;
  ssChannels: number;
  slatChannels: number;
  voxels: number;
}

async function readArray<T extends Float32Array | Int32Array | Uint8Array>(
  file: string,
  make: (buf: ArrayBuffer) => T,
  expected: number,
): Promise<T> {
  const b = await readFile(file);
  const copy = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  const a = make(copy);
  if (a.length !== expected) throw new Error(`${file}: ${a.length} values, expected ${expected}`);
  return a;
}

/** One object's oracle inputs for `stage`, checked against the pack's sizes. */
export async function loadStageOracle(dir: string, stage: OracleStage, m: Manifest): Promise<StageOracle> {
  const metaText = await readFile(join(dir, 'oracle.json'), 'utf8').catch(() => {
    throw new Error(`no oracle inputs in ${dir}: write them for this benchmark set with tools' oracle_inputs --set`);
  });
  const meta = JSON.parse(metaText) as OracleMeta;
  const R = m.grid.resolution,
    L = m.grid.ssLatentResolution,
    C = m.grid.ssLatentChannels,
    S = m.slat.channels;
  if (meta.format !== FORMAT) throw new Error(`${dir}/oracle.json: format "${meta.format}", expected "${FORMAT}"`);
  if (meta.resolution !== R || meta.latentResolution !== L || meta.ssChannels !== C || meta.slatChannels !== S)
    throw new Error(
      `${dir}: oracle sizes R ${meta.resolution}, L ${meta.latentResolution}, SS C ${meta.ssChannels}, SLaT C ${meta.slatChannels} ` +
        `do not match the pack's (${R}, ${L}, ${C}, ${S}); rewrite them with oracle_inputs --config of this pack`,
    );
  if (stage === 'ss-latent') {
    return { ssShape: await readArray(join(dir, 'ss_tokens.f32'), (b) => new Float32Array(b), L * L * L * C) };
  }
  const occ = await readArray(join(dir, 'occupancy.u8'), (b) => new Uint8Array(b), R * R * R);
  const occupancyLogits = Float32Array.from(occ, (v) => (v ? CERTAIN_LOGIT : -CERTAIN_LOGIT));
  if (stage === 'occupancy') return { occupancyLogits };
  const coords = await readArray(join(dir, 'slat_coords.i32'), (b) => new Int32Array(b), meta.voxels * 3);
  const raw = await readArray(join(dir, 'slat_latent.f32'), (b) => new Float32Array(b), meta.voxels * S);
  const latent = raw.map((v, e) => (v - m.slat.mean[e % S]) / m.slat.std[e % S]);
  return { occupancyLogits, slat: { coords, latent } };
}
