/**
 * Child process for the crash test: opens the library (which recovers from the previous kill), then
 * writes as fast as it can — runs with large artefacts, images, masks, tags, trash — until it is killed.
 * Prints "ready" once the library is open so the parent kills it while writing, not while starting.
 */
import { randomBytes } from 'node:crypto';
import { Library } from '../../../src-main/library';
import { cubeMesh, greyMaskPng, photoPng, runInput } from '../fixtures';

const dir = process.argv[2];
const lib = Library.open(dir, { thumbnailSize: 32 });
let image = lib.db.prepare(`SELECT id FROM images WHERE deleted_at IS NULL LIMIT 1`).pluck().get() as string | undefined;
let mask = image ? (lib.db.prepare(`SELECT id FROM masks WHERE image_id = ? LIMIT 1`).pluck().get(image) as string | undefined) : undefined;
process.stdout.write('ready\n');

for (let i = 0; ; i++) {
  if (!image || !mask) {
    image = (await lib.importImage({ name: `photo-${i}.png`, data: await photoPng(64, 48, i) })).image.id;
    mask = (await lib.saveMask({ imageId: image, name: `mask-${i}`, png: await greyMaskPng(64, 48, 100 + i) })).id;
  }
  const run = lib.beginRun(runInput(image, [mask]));
  // Artefacts large enough that a kill often lands inside a file write or an fsync.
  await lib.finishRun(run.id, {
    report: { objectMs: 100 + i, schedules: { ss: { pattern: 'FFc' }, slat: { pattern: 'FFC' } } },
    artefacts: [{ kind: 'glb', data: randomBytes(1_500_000 + (i % 7) * 100_000) }, { kind: 'ply', data: randomBytes(600_000) }],
    mesh: cubeMesh(),
  });
  lib.setRunTags(run.id, [`t${i % 3}`]);
  if (i % 3 === 2) {
    lib.trashRun(run.id);
    lib.emptyTrash();
  }
  if (i % 5 === 4) {
    // A new image (and so a new mask) now and then, the old one to the trash and gone.
    lib.trashImage(image);
    lib.emptyTrash();
    image = undefined;
    mask = undefined;
  }
}
