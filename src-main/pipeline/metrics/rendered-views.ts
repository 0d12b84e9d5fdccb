/**
 * Rendered-view PSNR/SSIM (docs/metrics.md): both meshes, normalised by the reference's bounding box like
 * the shape metrics, are rendered with the shared rasteriser from the same fixed views — eight azimuths
 * 45° apart at alternating elevations +25° / −25° (top and bottom both seen), orthographic camera framed
 * on the reference in each view, the same key light, vertex colours — composited over a white background.
 * PSNR (RGB) and SSIM (luma) are computed per view and averaged. Stands in for the paper's "Visual"
 * score, which needs a pretrained encoder that is not available offline.
 */
import type { Mesh } from '../types';
import { normaliseByReference } from './geometry';
import { psnr, ssim, type RgbImage } from './image-quality';
import { fitFrame, rasterizeMesh, type ViewAngles } from './rasterise';

export const METRIC_VIEWS: readonly ViewAngles[] = Array.from({ length: 8 }, (_, i) => ({
  azimuthDeg: i * 45,
  elevationDeg: i % 2 === 0 ? 25 : -25,
}));

export interface RenderedViewMetrics {
  /** Mean over the views of the per-view PSNR (dB, identical views count as PSNR_CAP_DB). */
  psnr: number;
  /** Mean over the views of the per-view mean SSIM on luma. */
  ssim: number;
}

export interface RenderedViewOptions {
  /** Image side in pixels (square); default 128. */
  side?: number;
  views?: readonly ViewAngles[];
}

/** RGBA render → RGB over white (the transparent background would otherwise be black). */
function overWhite(rgba: Uint8Array, side: number): RgbImage {
  const data = new Uint8Array(side * side * 3);
  for (let i = 0; i < side * side; i++) {
    const a = rgba[4 * i + 3] / 255;
    for (let k = 0; k < 3; k++) data[3 * i + k] = Math.round(rgba[4 * i + k] * a + 255 * (1 - a));
  }
  return { width: side, height: side, data, channels: 3 };
}

/** Render one mesh from every view with the frames given (the reference's). */
export function renderViews(mesh: Mesh, side: number, views: readonly ViewAngles[], frames: ReturnType<typeof fitFrame>[]): RgbImage[] {
  return views.map((v, i) => overWhite(rasterizeMesh(mesh, side, v.azimuthDeg, v.elevationDeg, frames[i]), side));
}

export function renderedViewMetrics(predIn: Mesh, refIn: Mesh, opts: RenderedViewOptions = {}): RenderedViewMetrics {
  const side = opts.side ?? 128;
  const views = opts.views ?? METRIC_VIEWS;
  const { pred, ref } = normaliseByReference(predIn, refIn);
  const frames = views.map((v) => fitFrame(ref, v));
  const a = renderViews(pred, side, views, frames);
  const b = renderViews(ref, side, views, frames);
  let p = 0, s = 0;
  for (let i = 0; i < views.length; i++) {
    p += psnr(a[i], b[i]);
    s += ssim(a[i], b[i]);
  }
  return { psnr: p / views.length, ssim: s / views.length };
}
