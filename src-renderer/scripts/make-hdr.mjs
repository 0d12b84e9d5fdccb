#!/usr/bin/env node
/**
 * Writes resources/hdr/studio.hdr: a small procedural studio environment (equirectangular, Radiance
 * RGBE) for the viewer's image-based lighting, so the app needs no CDN or downloaded HDRI.
 * A soft grey sky-to-floor gradient, a large warm key softbox, a cool rim light and a dim fill.
 * Deterministic: running it again gives the same bytes. Usage: node src-renderer/scripts/make-hdr.mjs
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const W = 128, H = 64;
const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../resources/hdr/studio.hdr');

/** Direction of pixel centre (u, v) in a y-up frame, as three's equirectangular mapping uses. */
function dir(x, y) {
  const phi = ((x + 0.5) / W) * 2 * Math.PI - Math.PI;
  const theta = ((y + 0.5) / H) * Math.PI;
  return [Math.sin(theta) * Math.sin(phi), Math.cos(theta), -Math.sin(theta) * Math.cos(phi)];
}

function light(d, centre, size, colour) {
  const len = Math.hypot(...centre);
  const c = centre.map((v) => v / len);
  const cos = d[0] * c[0] + d[1] * c[1] + d[2] * c[2];
  // Smooth, bounded lobe: a softbox, not a point, so reflections stay readable.
  const t = Math.max(0, (cos - Math.cos(size)) / (1 - Math.cos(size)));
  const w = t * t * (3 - 2 * t);
  return colour.map((v) => v * w);
}

function radiance(d) {
  const up = d[1];
  const sky = up > 0 ? [0.55 + 0.25 * up, 0.58 + 0.27 * up, 0.62 + 0.33 * up] : [0.22, 0.21, 0.2].map((v) => v * (1 + up * 0.6));
  const key = light(d, [0.6, 0.7, 0.5], 0.45, [9, 8.2, 7]);
  const rim = light(d, [-0.7, 0.35, -0.6], 0.35, [3.2, 3.8, 4.8]);
  const fill = light(d, [-0.8, 0.2, 0.7], 0.7, [0.9, 0.95, 1.0]);
  return sky.map((v, i) => v + key[i] + rim[i] + fill[i]);
}

function rgbe([r, g, b]) {
  const m = Math.max(r, g, b);
  if (m < 1e-32) return [0, 0, 0, 0];
  const e = Math.ceil(Math.log2(m * (256 / 255)));
  const f = 256 / 2 ** e;
  return [Math.min(255, Math.floor(r * f)), Math.min(255, Math.floor(g * f)), Math.min(255, Math.floor(b * f)), e + 128];
}

const header = `#?RADIANCE\n# Fast-SAM3D Studio procedural studio environment\nFORMAT=32-bit_rle_rgbe\n\n-Y ${H} +X ${W}\n`;
// Flat (uncompressed) scanlines: valid RGBE that every reader accepts; the file stays ~32 KB.
const pixels = new Uint8Array(W * H * 4);
for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) pixels.set(rgbe(radiance(dir(x, y))), (y * W + x) * 4);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, Buffer.concat([Buffer.from(header, 'ascii'), Buffer.from(pixels)]));
console.log(`wrote ${out} (${W}×${H})`);
