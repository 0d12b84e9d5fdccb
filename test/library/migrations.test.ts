/**
 * Every schema migration, from every earlier version to the latest: a database is built at version v
 * (with rows as that version stored them), then opened by the Library, which must upgrade it, keep every
 * row readable through the API, and keep a backup of the pre-upgrade file.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LATEST_VERSION, Library, MIGRATIONS } from '../../src-main/library';
import { sha256 } from '../../src-main/library/files';
import { migrate } from '../../src-main/library/migrations';
import sharp from 'sharp';
import { fakeReport, photoPng, tempDir } from './fixtures';

/** A phone's portrait photo as stored: 24×16 landscape pixels with EXIF orientation 6, and a mask on those pixels. */
async function turnedPhotoAndStoredMask(): Promise<{ jpg: Buffer; mask: Buffer }> {
  const jpg = await sharp({ create: { width: 24, height: 16, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  const px = Buffer.alloc(24 * 16);
  for (let y = 2; y < 6; y++) for (let x = 3; x < 12; x++) px[y * 24 + x] = 255; // a bar in the top left, as stored
  return { jpg, mask: await sharp(px, { raw: { width: 24, height: 16, channels: 1 } }).png().toBuffer() };
}

const T = '2026-01-02T03:04:05.000Z';

/** Rows as a library at schema `version` wrote them (only columns that existed then). */
async function seedAt(dir: string, version: number): Promise<void> {
  const db = new Database(path.join(dir, 'library.sqlite'));
  migrate(db, version);
  expect(db.pragma('user_version', { simple: true })).toBe(version);
  if (version >= 1) {
    const png = await photoPng(16, 16);
    for (const rel of ['images/img1.png', 'masks/mask1.png', 'runs/run1/art1.glb']) {
      fs.mkdirSync(path.join(dir, 'assets', path.dirname(rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, 'assets', rel), png);
    }
    const h = sha256(png);
    db.prepare(`INSERT INTO projects VALUES ('p1', 'Old project', ?, ?${version >= 2 ? ', NULL' : ''})`).run(T, T);
    db.prepare(`INSERT INTO images (id, project_id, name, file, sha256, bytes, width, height, created_at) VALUES ('img1', 'p1', 'old.png', 'images/img1.png', ?, ?, 16, 16, ?)`).run(h, png.length, T);
    db.prepare(`INSERT INTO masks VALUES ('mask1', 'img1', 'mug', 'masks/mask1.png', ?, ?, 40, ?)`).run(h, png.length, T);
    db.prepare(
      `INSERT INTO runs (id, project_id, image_id, status, kind, pack_id, pack_name, pack_version, method, params_json, seed, execution_provider, app_version, report_json, object_ms, created_at, started_at, finished_at)
       VALUES ('run1', 'p1', 'img1', 'succeeded', 'object', 'mini', 'mini', '1.0.0', 'fast-sam3d', '{"seed":9,"ssCacheStride":3}', 9, 'cpu', '0.0.1', ?, 1234, ?, ?, ?)`,
    ).run(JSON.stringify(fakeReport(1234)), T, T, T);
    db.prepare(`INSERT INTO run_masks VALUES ('run1', 'mask1', 0)`).run();
    // A baseline that ran 12 SS steps (its parameters stored resolved, as a finished run's are).
    db.prepare(
      `INSERT INTO runs (id, project_id, image_id, status, kind, pack_id, pack_name, pack_version, method, params_json, seed, execution_provider, app_version, object_ms, created_at, started_at, finished_at)
       VALUES ('run2', 'p1', 'img1', 'succeeded', 'object', 'mini', 'mini', '1.0.0', 'off', ?, 9, 'cpu', '0.0.1', 2000, ?, ?, ?)`,
    ).run(JSON.stringify({ seed: 9, ssSteps: 12, ssCfgStrength: 4, slatSteps: 25, slatCfgStrength: 1 }), T, T, T);
    db.prepare(`INSERT INTO run_masks VALUES ('run2', 'mask1', 0)`).run();
    db.prepare(`INSERT INTO artefacts VALUES ('art1', 'run1', 'glb', 'runs/run1/art1.glb', ?, ?, ?)`).run(h, png.length, T);
    // Before migration 8 a turned photo was recorded at its stored size, with a mask imported on its stored pixels.
    const { jpg, mask } = await turnedPhotoAndStoredMask();
    fs.writeFileSync(path.join(dir, 'assets/images/img9.jpg'), jpg);
    fs.writeFileSync(path.join(dir, 'assets/masks/mask9.png'), mask);
    db.prepare(`INSERT INTO images (id, project_id, name, file, sha256, bytes, width, height, created_at) VALUES ('img9', 'p1', 'portrait.jpg', 'images/img9.jpg', ?, ?, 24, 16, ?)`).run(sha256(jpg), jpg.length, T);
    db.prepare(`INSERT INTO masks VALUES ('mask9', 'img9', 'bar', 'masks/mask9.png', ?, ?, 36, ?)`).run(sha256(mask), mask.length, T);
  }
  if (version >= 2) {
    db.prepare(`UPDATE runs SET name = 'Named run' WHERE id = 'run1'`).run();
    db.prepare(`INSERT INTO run_tags VALUES ('run1', 'kept')`).run();
    db.prepare(`INSERT INTO project_tags VALUES ('p1', 'old')`).run();
  }
  if (version >= 3) {
    // A version-3 library wrote these itself when recording the run.
    db.prepare(`UPDATE runs SET schedule_json = ?, input_key = 'mini|img1|mask1|9' WHERE id = 'run1'`).run(JSON.stringify(fakeReport(1234).schedules));
    // Links made when keys did not hold the steps: run3 ran 25 SS steps against run2's 12 (a wrong
    // pairing, measured), run4 ran 12 (right); run5's parameters cannot be read (its key stays).
    const accelerated = (id: string, params: string, key: string) =>
      db.prepare(
        `INSERT INTO runs (id, project_id, image_id, status, kind, pack_id, pack_name, pack_version, method, params_json, seed, execution_provider, app_version, object_ms, created_at, started_at, finished_at, baseline_run_id, speedup, quality, metrics_json, input_key)
         VALUES (?, 'p1', 'img1', 'succeeded', 'object', 'mini', 'mini', '1.0.0', 'fast-sam3d', ?, 9, 'cpu', '0.0.1', 1000, ?, ?, ?, 'run2', 2, 90, '{"f1":90}', ?)`,
      ).run(id, params, T, T, T, key);
    accelerated('run3', JSON.stringify({ seed: 9, ssSteps: 25, ssCfgStrength: 4, slatSteps: 25, slatCfgStrength: 1 }), 'mini|img1|mask1|9');
    accelerated('run4', JSON.stringify({ seed: 9, ssSteps: 12, ssCfgStrength: 4, slatSteps: 25, slatCfgStrength: 1 }), 'mini|img1|mask1|9');
    accelerated('run5', 'not json', 'legacy key');
    for (const id of ['run3', 'run4', 'run5']) db.prepare(`INSERT INTO run_masks VALUES (?, 'mask1', 0)`).run(id);
  }
  if (version >= 5) {
    // A fit-to-mask run that counted the mask of the thing in front beside its own.
    db.prepare(`INSERT INTO masks VALUES ('mask2', 'img1', 'cup in front', 'masks/mask1.png', ?, ?, 40, ?)`).run(sha256(await photoPng(16, 16)), (await photoPng(16, 16)).length, T);
    db.prepare(
      `INSERT INTO runs (id, project_id, image_id, status, kind, pack_id, pack_name, pack_version, method, params_json, seed, execution_provider, app_version, object_ms, created_at, started_at, finished_at, input_key)
       VALUES ('run6', 'p1', 'img1', 'succeeded', 'object', 'mini', 'mini', '1.0.0', 'off', '{"seed":9,"fitToMask":true}', 9, 'cpu', '0.0.1', 1000, ?, ?, ?, 'mini|img1|mask1|9|fitToMask')`,
    ).run(T, T, T);
    db.prepare(`INSERT INTO run_masks VALUES ('run6', 'mask1', 0)`).run();
    db.prepare(`INSERT INTO run_other_masks VALUES ('run6', 'mask2', 0)`).run();
  }
  if (version >= 6) {
    // A version-6 library keyed runs with the steps and CFG they ran, and never paired run3 with run2.
    const keys: [string, string][] = [
      ['run2', 'mini|img1|mask1|9|ssSteps=12|ssCfgStrength=4|slatSteps=25|slatCfgStrength=1'],
      ['run3', 'mini|img1|mask1|9|ssSteps=25|ssCfgStrength=4|slatSteps=25|slatCfgStrength=1'],
      ['run4', 'mini|img1|mask1|9|ssSteps=12|ssCfgStrength=4|slatSteps=25|slatCfgStrength=1'],
      ['run6', 'mini|img1|mask1|9|fitToMask=mask2'],
    ];
    for (const [id, key] of keys) db.prepare(`UPDATE runs SET input_key = ? WHERE id = ?`).run(key, id);
    db.prepare(`UPDATE runs SET baseline_run_id = NULL, speedup = NULL, quality = NULL, metrics_json = NULL WHERE id = 'run3'`).run();
    // A run the version-6 app was running when it crashed: no owner column then.
    db.prepare(
      `INSERT INTO runs (id, project_id, image_id, status, kind, pack_id, pack_name, pack_version, method, params_json, seed, execution_provider, app_version, created_at, started_at, input_key)
       VALUES ('run7', 'p1', 'img1', 'running', 'object', 'mini', 'mini', '1.0.0', 'off', '{"seed":9}', 9, 'cpu', '0.0.1', ?, ?, 'mini|img1|mask1|9')`,
    ).run(T, T);
    db.prepare(`INSERT INTO run_masks VALUES ('run7', 'mask1', 0)`).run();
  }
  db.close();
}

describe('schema migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
  });

  for (let from = 0; from < LATEST_VERSION; from++) {
    it(`upgrade a version ${from} database to version ${LATEST_VERSION} keeping its data`, async () => {
      const dir = tempDir();
      await seedAt(dir, from);
      const lib = Library.open(dir);
      try {
        expect(lib.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
        expect(lib.db.pragma('foreign_key_check')).toEqual([]);
        expect(lib.db.pragma('integrity_check', { simple: true })).toBe('ok');
        const backups = fs.readdirSync(dir).filter((f) => f.includes(`.schema-v${from}-`) && f.endsWith('.bak'));
        expect(backups).toHaveLength(from > 0 ? 1 : 0);
        if (from === 0) {
          expect(lib.listProjects()).toEqual([]);
          return;
        }
        const backup = new Database(path.join(dir, backups[0]), { readonly: true });
        expect(backup.pragma('user_version', { simple: true })).toBe(from);
        backup.close();

        expect(lib.listProjects().map((p) => p.name)).toEqual(['Old project']);
        const run = lib.getRun('run1');
        expect(run).toMatchObject({
          status: 'succeeded', method: 'fast-sam3d', seed: 9, objectMs: 1234, maskIds: ['mask1'],
          name: from >= 2 ? 'Named run' : 'fast-sam3d run',
          tags: from >= 2 ? ['kept'] : [],
          schedule: { ss: 'FFcFcc', slat: 'FFFCcC' }, // lifted out of the stored report by migration 3 when older
        });
        expect(run.artefacts.map((a) => a.kind)).toEqual(['glb']);
        expect(lib.verify({ hashes: true })).toEqual([]);
        // Input keys (migration 6): run1 stored no steps, so its key holds none (it pairs only with runs
        // like it); run2 is keyed with the steps and CFG it ran, not a baseline for runs of 25 SS steps.
        const key = (id: string) => lib.db.prepare(`SELECT input_key FROM runs WHERE id = ?`).pluck().get(id);
        expect(key('run1')).toBe('mini|img1|mask1|9');
        expect(key('run2')).toBe('mini|img1|mask1|9|ssSteps=12|ssCfgStrength=4|slatSteps=25|slatCfgStrength=1');
        if (from >= 3) {
          // The wrong pairing is undone with what was measured against it; the right one stays.
          expect(lib.getRun('run3')).toMatchObject({ baselineRunId: null, speedup: null, quality: null, metrics: null });
          expect(lib.getRun('run4')).toMatchObject({ baselineRunId: 'run2', speedup: 2, quality: 90 });
          expect(key('run5')).toBe('legacy key');
        }
        if (from >= 5) expect(key('run6')).toBe('mini|img1|mask1|9|fitToMask=mask2');
        // Migration 7: a run left running by a crashed older build has no owner; alone, the library interrupts it.
        if (from >= 6) expect(lib.getRun('run7')).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Interrupted/) });
        // Migration 8: the turned photo gets its upright size and its mask is turned like it; the square PNG is left.
        expect(await lib.uprightOldPhotos()).toBe(1);
        expect(lib.getImage('img9')).toMatchObject({ width: 16, height: 24 });
        expect(lib.getImage('img1')).toMatchObject({ width: 16, height: 16 });
        const [bar] = lib.listMasks('img9');
        const turned = await sharp(lib.readMask(bar.id).png).raw().toBuffer({ resolveWithObject: true });
        expect([turned.info.width, turned.info.height]).toEqual([16, 24]);
        // The bar at stored x 3..11, y 2..5 is, turned 90° clockwise, at x 16-1-y = 10..13, y = x = 3..11.
        expect(turned.data[(3 * 16 + 10) * turned.info.channels]).toBeGreaterThan(127);
        expect(turned.data[(2 * 16 + 10) * turned.info.channels]).toBe(0);
        expect(fs.existsSync(path.join(dir, 'assets/masks/mask9.png'))).toBe(false);
        expect(lib.verify({ hashes: true })).toEqual([]);
        expect(await lib.uprightOldPhotos()).toBe(0); // once
        lib.setRunTags('run1', ['new']);
        expect(lib.listRuns({ tag: 'new' }).map((r) => r.id)).toEqual(['run1']);
      } finally {
        lib.close();
      }
    });
  }
});
