/**
 * `npm run sheet -- [--pack DIR] [--ids 00-mug,04-chair] [--methods off,fast-sam3d,off+fit+colour] [--out FILE.png]`
 * (`+fit`: that method with fit to mask, the sampler setting fitToMask; `+colour`: with colour from photo,
 * colourFromPhoto)
 *
 * The picture a model card and an issue note need: one row per held-out benchmark object — the input
 * photo with its mask outline, the ground-truth mesh, then the pack's mesh for each method — so anyone
 * can see what the numbers in docs/benchmarks.md look like. Meshes are drawn by the app's own software
 * rasteriser (src-main/library/mesh-thumbnail.ts) in the object frame from the same three-quarter view,
 * each fitted to its tile, with the same seed as the benchmark (42).
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type OverlayOptions } from 'sharp';
import { writeFileAtomic } from '../src-main/library/files';
import { renderMeshThumbnail } from '../src-main/library/mesh-thumbnail';
import { loadImageFile, loadMaskFile, openPack, runObject } from '../src-main/pipeline';
import type { BinaryMask, DecodedImage } from '../src-main/pipeline';
import { NoSurfaceError } from '../src-main/pipeline/surface';
import { METHODS, type Method } from '../src-shared/params';
import { loadBenchmarkSet } from './benchmark-set';

const TILE = 224;
const LABEL_H = 28;
const VIEW = { azimuthDeg: 35, elevationDeg: 20 };

const { values: o } = parseArgs({
  options: {
    pack: { type: 'string', default: 'models/mini' },
    set: { type: 'string', default: 'resources/benchmark' },
    ids: { type: 'string', default: '00-mug,03-primitive,06-vase,09-mug,12-chair,13-extrusion,18-table,22-lamp' },
    methods: { type: 'string', default: 'off,fast-sam3d' },
    seed: { type: 'string', default: '42' },
    out: { type: 'string', default: 'bench-results/contact-sheet.png' },
  },
});

/** Column suffixes: the sampler settings a column turns on, and how its header says so. */
const SETTINGS = { fit: { key: 'fitToMask', header: 'fit to mask' }, colour: { key: 'colourFromPhoto', header: 'photo colour' } } as const;
const columns = o.methods.split(',').map((label) => {
  const [method, ...settings] = label.trim().split('+');
  if (!(METHODS as readonly string[]).includes(method)) throw new RangeError(`--methods: unknown method "${method}"; known: ${METHODS.join(', ')} (each may end in +fit, +colour or both)`);
  const on = settings.map((x) => {
    if (!Object.hasOwn(SETTINGS, x)) throw new RangeError(`--methods: unknown setting "+${x}" in "${label}"; known: +fit (fit to mask), +colour (colour from photo)`);
    return SETTINGS[x as keyof typeof SETTINGS];
  });
  if (new Set(settings).size !== settings.length) throw new RangeError(`--methods: "${label}" names a setting twice`);
  return { method: method as Method, params: Object.fromEntries(on.map((x) => [x.key, true])), header: [method, ...on.map((x) => x.header)].join(' + ') };
});
const ids = o.ids.split(',').map((s) => s.trim());
const all = await loadBenchmarkSet(resolve(o.set));
const items = ids.map((id) => {
  const it = all.find((x) => x.id === id);
  if (!it) throw new RangeError(`--ids: no benchmark object "${id}" under ${o.set}; known: ${all.map((x) => x.id).join(', ')}`);
  return it;
});

/** The input photo, letterboxed into a tile, with the mask's outside dimmed so the chosen object shows. */
async function inputTile(img: DecodedImage, mask: BinaryMask): Promise<Buffer> {
  const rgba = Buffer.alloc(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) {
    const keep = mask.data[i] ? 1 : 0.35;
    for (let c = 0; c < 3; c++) rgba[4 * i + c] = Math.round(img.rgb[3 * i + c] * 255 * keep);
    rgba[4 * i + 3] = 255;
  }
  return sharp(rgba, { raw: { width: img.width, height: img.height, channels: 4 } })
    .resize(TILE, TILE, { fit: 'contain', background: '#ffffff' })
    .png()
    .toBuffer();
}

const label = (text: string, width: number): Buffer =>
  Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${LABEL_H}">` +
      // Long headers (a method with two settings) shrink to fit their tile.
      `<text x="${width / 2}" y="19" font-family="sans-serif" font-size="${Math.min(15, Math.floor((width * 1.8) / text.length))}" text-anchor="middle">${text}</text></svg>`,
  );

const pack = await openPack(resolve(o.pack), { executionProvider: 'cpu' });
const tiles: OverlayOptions[] = [];
const headers = ['input + mask', 'ground truth', ...columns.map((c) => c.header)];
headers.forEach((h, c) => tiles.push({ input: label(h, TILE), left: c * TILE, top: 0 }));
try {
  for (const [r, it] of items.entries()) {
    const top = LABEL_H + r * (TILE + LABEL_H);
    const image = await loadImageFile(join(it.dir, 'image.png'));
    const mask = await loadMaskFile(join(it.dir, '0.png'));
    const row: Buffer[] = [await inputTile(image, mask), await renderMeshThumbnail(it.mesh, { size: TILE, ...VIEW })];
    const notes = [it.id, it.heldOutFamily ? `${it.family} (held-out family)` : it.family];
    for (const { method, params } of columns) {
      try {
        const res = await runObject(pack, { image, mask, name: it.id }, { method, params: { seed: Number(o.seed), ...params } });
        row.push(await renderMeshThumbnail(res.mesh, { size: TILE, ...VIEW }));
        notes.push(`${res.mesh.indices.length / 3} triangles`);
      } catch (e) {
        if (!(e instanceof NoSurfaceError)) throw e;
        row.push(await sharp({ create: { width: TILE, height: TILE, channels: 4, background: '#ffffff' } }).png().toBuffer());
        notes.push('no surface');
      }
    }
    row.forEach((t, c) => tiles.push({ input: t, left: c * TILE, top }));
    notes.forEach((n, c) => tiles.push({ input: label(n, TILE), left: c * TILE, top: top + TILE }));
    console.log(`${it.id}: ${notes.slice(2).join(' | ')}`);
  }
} finally {
  await pack.close();
}
const width = headers.length * TILE;
const height = LABEL_H + items.length * (TILE + LABEL_H);
const png = await sharp({ create: { width, height, channels: 4, background: '#ffffff' } })
  .composite(tiles)
  .png({ compressionLevel: 9 })
  .toBuffer();
writeFileAtomic(o.out, png); // creates a missing folder; never leaves half a PNG over the last sheet
console.log(`wrote ${o.out} (${width}×${height}, pack ${pack.manifest.name} ${pack.manifest.version})`);
