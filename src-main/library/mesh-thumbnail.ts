/**
 * Result thumbnails: the shared software rasteriser (src-main/pipeline/metrics/rasterise.ts) renders a
 * Mesh from a three-quarter view, fitted to the frame, and sharp encodes an RGBA PNG with a transparent
 * background after a 2× downsample that anti-aliases the edges. No GPU, no window: it runs in the main
 * process, the host and tests alike.
 */
import sharp from 'sharp';
import { rasterizeMesh } from '../pipeline/metrics/rasterise';
import type { Mesh } from '../pipeline/types';

export interface MeshThumbnailOptions {
  /** Output side in pixels (square). */
  size?: number;
  /** Camera azimuth around the up axis and elevation above the horizon, degrees. */
  azimuthDeg?: number;
  elevationDeg?: number;
}

/** PNG thumbnail of a mesh (rendered at 2× and downsampled for smooth edges). */
export async function renderMeshThumbnail(mesh: Mesh, options: MeshThumbnailOptions = {}): Promise<Buffer> {
  const size = options.size ?? 256;
  const big = size * 2;
  const rgba = rasterizeMesh(mesh, big, options.azimuthDeg, options.elevationDeg);
  return sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width: big, height: big, channels: 4 } })
    .resize(size, size, { kernel: 'lanczos3' })
    .png({ compressionLevel: 6 })
    .toBuffer();
}
