/**
 * A damaged database, one from a newer version, and a full disk: detected with a clear message and a
 * backup, never overwritten, and the library left consistent.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LATEST_VERSION, Library, LibraryError } from '../../src-main/library';
import { listFilesRecursive, sha256 } from '../../src-main/library/files';
import { cubeGlb, damagePages, dbFiles, fakeReport, greyMaskPng, killedWriter, photoPng, runInput, tempDir } from './fixtures';

const ROOT = path.resolve(__dirname, '../..');
function backups(dir: string, label: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith(`library.sqlite.${label}-`)).sort();
}

async function seeded(dir = tempDir()) {
  const lib = Library.open(dir);
  const { image } = await lib.importImage({ name: 'a.png', data: await photoPng() });
  const mask = await lib.saveMask({ imageId: image.id, name: 'm', png: await greyMaskPng(64, 48, 200) });
  return { dir, lib, image, mask };
}

function openError(dir: string): LibraryError {
  try {
    Library.open(dir).close();
  } catch (err) {
    expect(err).toBeInstanceOf(LibraryError);
    return err as LibraryError;
  }
  throw new Error('the library opened');
}

describe('damaged or newer databases', () => {
  it('detects a file that is not a database, keeps a backup and leaves it unchanged', () => {
    const dir = tempDir();
    const db = path.join(dir, 'library.sqlite');
    fs.writeFileSync(db, 'this is not a database, just some text that got here somehow');
    const before = fs.readFileSync(db);
    const err = openError(dir);
    expect(err.code).toBe('CORRUPT_DATABASE');
    expect(err.message).toMatch(/is damaged \(not an SQLite database file\).*copy was saved as .*\.bak/);
    expect(fs.readFileSync(err.backupPath!).equals(before)).toBe(true);
    expect(fs.readFileSync(db).equals(before)).toBe(true);
  });

  it('detects damaged pages inside a real library', async () => {
    const { dir, lib, image, mask } = await seeded();
    for (let i = 0; i < 20; i++) lib.beginRun({ ...runInput(image.id, [mask.id]), name: `run ${i} ${'x'.repeat(300)}` });
    lib.close();
    const db = path.join(dir, 'library.sqlite');
    const bytes = damagePages(db);
    const err = openError(dir);
    expect(err.code).toBe('CORRUPT_DATABASE');
    expect(err.message).toMatch(/is damaged/);
    expect(fs.readFileSync(err.backupPath!).equals(bytes)).toBe(true);
    expect(fs.readFileSync(db).equals(bytes)).toBe(true);
  });

  it('a damaged library whose -wal holds a killed writer\'s commits: all three files left byte for byte, one backup however often it is opened', async () => {
    const { dir, lib, image, mask } = await seeded();
    for (let i = 0; i < 20; i++) lib.beginRun({ ...runInput(image.id, [mask.id]), name: `run ${i} ${'x'.repeat(300)}` });
    lib.close();
    killedWriter(dir);
    const db = path.join(dir, 'library.sqlite');
    expect(fs.statSync(`${db}-wal`).size).toBeGreaterThan(0);
    expect(fs.existsSync(`${db}-shm`)).toBe(true);
    damagePages(db);
    const found = dbFiles(dir);

    // The app started twice, a CLI call: each open is refused, and nothing of the library changes.
    const errors: LibraryError[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const err = openError(dir);
      expect(dbFiles(dir)).toEqual(found);
      expect(err.code).toBe('CORRUPT_DATABASE');
      expect(err.message).toMatch(/is damaged .*It was not changed: library\.sqlite and its library\.sqlite-wal and library\.sqlite-shm files \(the -wal holds the latest changes\) are as found/);
      expect(err.message).toMatch(/moving library\.sqlite together with library\.sqlite-wal and library\.sqlite-shm out of/);
      errors.push(err);
    }
    // One copy of that damaged state, not one per attempt; the later attempts say so.
    expect(backups(dir, 'corrupt')).toEqual([path.basename(errors[0].backupPath!), `${path.basename(errors[0].backupPath!)}-shm`, `${path.basename(errors[0].backupPath!)}-wal`].sort());
    expect(errors[1].backupPath).toBe(errors[0].backupPath);
    expect(errors[2].message).toMatch(/a copy was saved as .*\.bak at an earlier attempt/);
    expect(sha256(fs.readFileSync(errors[0].backupPath!))).toBe(found['library.sqlite']);
    expect(sha256(fs.readFileSync(`${errors[0].backupPath!}-wal`))).toBe(found['library.sqlite-wal']);

    // Another damaged state (the file damaged further) gets its own copy.
    const bytes = fs.readFileSync(db);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(db, bytes);
    const again = openError(dir);
    expect(again.backupPath).not.toBe(errors[0].backupPath);
    expect(backups(dir, 'corrupt').filter((n) => n.endsWith('.bak'))).toHaveLength(2);
  });

  it('refuses a database from a newer schema version with a backup, without touching it', async () => {
    const { dir, lib } = await seeded();
    lib.db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    lib.close();
    const db = path.join(dir, 'library.sqlite');
    const before = sha256(fs.readFileSync(db));
    const err = openError(dir);
    expect(err.code).toBe('NEWER_DATABASE');
    expect(err.message).toContain(`schema version ${LATEST_VERSION + 1}; this version understands up to ${LATEST_VERSION}`);
    expect(err.message).toMatch(/Update the app/);
    expect(fs.existsSync(err.backupPath!)).toBe(true);
    expect(sha256(fs.readFileSync(db))).toBe(before);
    // Opened again (the old app started again): the same copy, no second one.
    expect(openError(dir).backupPath).toBe(err.backupPath);
    expect(backups(dir, `schema-v${LATEST_VERSION + 1}`).filter((n) => n.endsWith('.bak'))).toHaveLength(1);
  });
});

describe('disk full', () => {
  it('SQLITE_FULL while recording a run: clear error, run unchanged, no stray files; works once there is room', async () => {
    const { lib, image, mask } = await seeded();
    const run = lib.beginRun(runInput(image.id, [mask.id]));
    const filesBefore = listFilesRecursive(lib.assetsDir).sort();
    const pages = lib.db.pragma('page_count', { simple: true }) as number;
    lib.db.pragma(`max_page_count = ${pages}`);
    // A report too big for the pages left, as a real one would be on a nearly full disk.
    const report = { ...fakeReport(700), warnings: [Array.from({ length: 50_000 }, (_, i) => i.toString(36)).join(' ')] };
    const failed = lib.finishRun(run.id, { report, artefacts: [{ kind: 'glb', data: await cubeGlb() }] });
    await expect(failed).rejects.toMatchObject({ code: 'DISK_FULL' });
    await expect(failed).rejects.toThrow(/disk holding the library.s data folder .* is full.*nothing was changed/);
    expect(lib.getRun(run.id)).toMatchObject({ status: 'running', artefacts: [] });
    expect(listFilesRecursive(lib.assetsDir).sort()).toEqual(filesBefore);
    expect(lib.db.pragma('integrity_check', { simple: true })).toBe('ok');

    lib.db.pragma('max_page_count = 1073741823');
    const done = await lib.finishRun(run.id, { report, artefacts: [{ kind: 'glb', data: await cubeGlb() }] });
    expect(done.status).toBe('succeeded');
    expect(lib.verify({ hashes: true })).toEqual([]);
    lib.close();
  });

  it('a file write failing for lack of space (RLIMIT_FSIZE → EFBIG): clear error, run unchanged, no partial files', async () => {
    const { dir, lib, image, mask } = await seeded();
    lib.close();
    // bash's ulimit -f counts 1 KiB blocks: 2 MiB per file, below the 3 MiB artefact.
    const out = execFileSync('bash', ['-c', `ulimit -f 2048; exec "${process.execPath}" --import tsx test/library/children/file-limit-writer.ts "$@"`, 'sh', dir, image.id, mask.id], { cwd: ROOT, encoding: 'utf8' });
    const result = JSON.parse(out.trim().split('\n').pop()!) as { runId: string; error: { code: string; message: string } | null };
    expect(result.error?.code).toBe('DISK_FULL');
    expect(result.error?.message).toMatch(/disk holding the library.s data folder .* is full/);

    const again = Library.open(dir);
    try {
      // The run kept no artefact; its process is gone, so reopening marks it interrupted.
      expect(again.getRun(result.runId)).toMatchObject({ status: 'failed', error: expect.stringMatching(/Interrupted/), artefacts: [] });
      expect(listFilesRecursive(again.assetsDir).filter((f) => f.startsWith('runs/'))).toEqual([]);
      expect(again.verify({ hashes: true })).toEqual([]);
    } finally {
      again.close();
    }
  });
});
