/**
 * Libraries written before photos were recorded at their upright size (migration 8) hold an EXIF-turned
 * photo (a phone's portrait JPEG: landscape pixels, orientation 6) at its stored size, with any mask
 * imported for it on those stored pixels, while the window and the pipeline show the photo upright: the
 * window refused to save a mask for it ("it is 3000×4000 but the image is 4000×3000"), and its masks did
 * not fit. Each image migration 8 marked is looked at once: such a photo gets its upright size and its
 * masks are turned like it (a new file, then the row, then the old file goes).
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { swapsSides } from '../pipeline/image/orientation';
import { fileOrientation, turnPngUpright } from './media-checks';
import type { Library } from './library';
import type { MaskRow } from './records';

interface Unchecked { id: string; name: string; file: string; width: number; height: number }

/** Look at every image migration 8 marked; returns how many photos were set upright. */
export async function uprightOldPhotos(lib: Library): Promise<number> {
  const rows = lib.db.prepare(`SELECT id, name, file, width, height FROM images WHERE orientation_checked = 0`).all() as Unchecked[];
  let fixed = 0;
  for (const row of rows) {
    if (await uprightOne(lib, row)) fixed++;
  }
  return fixed;
}

async function uprightOne(lib: Library, row: Unchecked): Promise<boolean> {
  const o = await fileOrientation(path.join(lib.assetsDir, row.file));
  const done = lib.db.prepare(`UPDATE images SET orientation_checked = 1 WHERE id = ?`);
  // A square photo, or one that only mirrors or turns by half, has the same size either way.
  if (!swapsSides(o) || row.width === row.height) {
    done.run(row.id);
    return false;
  }
  const masks = lib.db.prepare(`SELECT * FROM masks WHERE image_id = ?`).all(row.id) as MaskRow[];
  const turned: { row: MaskRow; rel: string; png: Buffer }[] = [];
  for (const m of masks) {
    const file = path.join(lib.assetsDir, m.file);
    let size: Metadata;
    try {
      size = await sharp(file).metadata();
    } catch {
      continue; // a missing mask file is the integrity check's to report
    }
    if (size.width === row.width && size.height === row.height) {
      turned.push({ row: m, rel: `masks/${m.id}-upright.png`, png: await turnPngUpright(fs.readFileSync(file), o) });
    }
  }
  lib.writeThenCommit(`set photo "${row.name}" upright`, turned.map((t) => ({ rel: t.rel, data: t.png })), (stored) => {
    const setMask = lib.db.prepare(`UPDATE masks SET file = ?, sha256 = ?, bytes = ? WHERE id = ?`);
    turned.forEach((t, k) => setMask.run(t.rel, stored[k].sha256, stored[k].bytes, t.row.id));
    lib.db.prepare(`UPDATE images SET width = ?, height = ?, orientation_checked = 1 WHERE id = ?`).run(row.height, row.width, row.id);
  });
  for (const t of turned) fs.rmSync(path.join(lib.assetsDir, t.row.file), { force: true });
  return true;
}
