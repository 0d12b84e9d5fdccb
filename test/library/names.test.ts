/**
 * Names that would look empty or be stored garbled: a project made for ".png", names of only invisible
 * characters, and lone UTF-16 surrogates (stored as one U+FFFD each, the same everywhere).
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportProject, importProject } from '../../src-main/library';
import { cleanName, isBlankName, projectNameFromFile, tidyName, wellFormed } from '../../src-main/library/names';
import { greyMaskPng, libraryApiOpener, photoPng, runInput, tempDir } from './fixtures';

const setup = libraryApiOpener(32);

/** Zero-width space, word joiner, BOM, soft hyphen, LRM/RLM, bidi isolates, Hangul filler, braille blank, NBSP, ideographic space. */
const INVISIBLES = ['\u200B', '\u2060', '\uFEFF', '\u00AD', '\u200E\u200F', '\u2066\u2069', '\u3164', '\u2800', '\u00A0', '\u3000', '\u200B \u200C\u200D\t'];

describe('name rules', () => {
  it('finds names that show nothing and keeps names that show something', () => {
    for (const s of INVISIBLES) expect(isBlankName(s), JSON.stringify(s)).toBe(true);
    for (const s of ['a', '.png', '椅子', '🪑', '\u0301', 'a\u200Bb', '👨\u200D👩', '❤\uFE0F']) expect(isBlankName(s), s).toBe(false);
  });

  it('trims spaces and zero-width spacers at the ends, but not joiners or variation selectors of emoji', () => {
    expect(tidyName('  \u200Bchair\uFEFF\n')).toBe('chair');
    expect(tidyName('I ❤\uFE0F')).toBe('I ❤\uFE0F');
    expect(tidyName('a\u200Bb')).toBe('a\u200Bb');
    expect(tidyName('\u200B\u200C')).toBe('');
  });

  it('replaces each lone surrogate by one U+FFFD and keeps valid pairs; doing it twice changes nothing', () => {
    expect(wellFormed('a\uD800b')).toBe('a\uFFFDb');
    expect(wellFormed('\uDC00x\uD83D')).toBe('\uFFFDx\uFFFD');
    expect(wellFormed('\uD83E\uDE91')).toBe('🪑');
    expect(wellFormed('\uDC00\uD800')).toBe('\uFFFD\uFFFD'); // reversed order is not a pair
    expect(wellFormed(wellFormed('a\uD800b'))).toBe('a\uFFFDb');
  });

  it('refuses blank names with a message that says why', () => {
    expect(() => cleanName('', 'A project name cannot be empty')).toThrow(/^A project name cannot be empty\.$/);
    expect(() => cleanName('\u200B', 'A project name cannot be empty')).toThrow(/cannot be empty: it has only invisible characters/);
  });

  it('names a project after the file without its extension, or "Untitled"', () => {
    expect(projectNameFromFile('chair.png')).toBe('chair');
    expect(projectNameFromFile(' chair .png ')).toBe('chair');
    for (const f of ['.png', '.PNG', ' .jpg ', '\u200B.webp', '.tif']) expect(projectNameFromFile(f), f).toBe('Untitled');
    expect(projectNameFromFile('archive.tar.gz')).toBe('archive.tar');
  });
});

describe('names through the library API', () => {
  it('images.import of ".png", ".PNG" or " .jpg " without a project makes a project named "Untitled" (then "Untitled (2)" …)', async () => {
    const { call } = setup();
    const data = (await photoPng()).toString('base64');
    for (const [i, name] of ['.png', '.PNG', ' .jpg '].entries()) {
      const { image } = await call('images.import', { name, data });
      expect(image.name).toBe(name.trim());
      expect((await call('projects.get', { projectId: image.projectId })).name).toBe(i === 0 ? 'Untitled' : `Untitled (${i + 1})`);
    }
    const { image } = await call('images.import', { name: 'chair.png', data });
    expect((await call('projects.get', { projectId: image.projectId })).name).toBe('chair');
  });

  it('gives projects the library names itself a name no other project has, and keeps the names users type', async () => {
    const { lib, call } = setup();
    const data = (await photoPng()).toString('base64');
    const projectOf = async (name: string) => (await call('projects.get', { projectId: (await call('images.import', { name, data })).image.projectId })).name;
    expect([await projectOf('image.png'), await projectOf('Image.PNG'), await projectOf('image.png')]).toEqual(['image', 'Image (2)', 'image (3)']);
    // A trashed project's name is free again; a typed name may repeat another project's.
    const { image } = await lib.importImage({ name: 'chair.png', data: await photoPng() });
    lib.trashProject(image.projectId);
    expect(await projectOf('chair.png')).toBe('chair');
    expect((await call('projects.create', { name: 'image' })).name).toBe('image');
    // A long name with its number still fits the 255 characters a rename or an export takes.
    const long = `${'é'.repeat(200)}${'😀'.repeat(30)}`; // 260 UTF-16 code units
    await projectOf(`${long.slice(0, 250)}.png`);
    const second = await projectOf(`${long.slice(0, 250)}.png`);
    expect(second.endsWith(' (2)')).toBe(true);
    expect(second.length).toBeLessThanOrEqual(255);
    expect(second.isWellFormed()).toBe(true);
    expect((await call('projects.rename', { projectId: (await call('projects.list', {})).find((p: { name: string }) => p.name === second).id, name: second })).name).toBe(second);
  });

  it('refuses renames to invisible-only names for projects, images, masks and runs, and keeps the old name', async () => {
    const { lib, call } = setup();
    const { image } = await lib.importImage({ name: 'chair.png', data: await photoPng() });
    const run = lib.beginRun(runInput(image.id, [(await lib.saveMask({ imageId: image.id, name: 'seat', png: await greyMaskPng(64, 48, 50) })).id]));
    for (const bad of INVISIBLES) {
      const p = await call('projects.rename', { projectId: image.projectId, name: bad }).catch((e) => e);
      // The request schema already refuses what String.trim() empties (spaces, BOM); the library the rest.
      expect(p.api, JSON.stringify(bad)).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/invisible characters|^A name cannot be empty: type at least one character\.$/) });
      expect(() => lib.renameProject(image.projectId, bad), JSON.stringify(bad)).toThrow(/^A project name cannot be empty(: it has only invisible characters.*)?\.$/);
    }
    const zw = '\u200B\u200B';
    expect((await call('projects.rename', { projectId: image.projectId, name: zw }).catch((e) => e)).api).toMatchObject({
      code: 'BAD_REQUEST', message: 'A project name cannot be empty: it has only invisible characters (spaces, zero-width, format or control characters).',
    });
    expect((await call('images.rename', { imageId: image.id, name: zw }).catch((e) => e)).api).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/^An image name cannot be empty: it has only invisible/) });
    expect((await call('runs.rename', { runId: run.id, name: zw }).catch((e) => e)).api).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/^A run name cannot be empty: it has only invisible/) });
    expect((await call('masks.save', { imageId: image.id, name: zw, png: (await greyMaskPng(64, 48, 5)).toString('base64') }).catch((e) => e)).api)
      .toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/^A mask needs a name: it has only invisible/) });
    expect((await call('images.import', { name: zw, data: (await photoPng()).toString('base64') }).catch((e) => e)).api)
      .toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/^An image needs a name: it has only invisible/) });
    expect(() => lib.createProject('\u2060')).toThrow(/A project needs a name: it has only invisible/);

    expect(lib.getProject(image.projectId).name).toBe('chair');
    expect(lib.getImage(image.id).name).toBe('chair.png');
    expect(lib.getRun(run.id).name).toBe('seat · fast-sam3d');
    expect(lib.listMasks(image.id).map((m) => m.name)).toEqual(['seat']);
    // A zero-width space at the ends of a real name is trimmed; inside it is kept.
    expect((await call('projects.rename', { projectId: image.projectId, name: '\u200BChairs\u200B' })).name).toBe('Chairs');
    // Tags of only invisible characters are dropped like empty ones.
    expect(lib.setProjectTags(image.projectId, ['\u200B', ' wood ', '\u2060']).tags).toEqual(['wood']);
    // A tag holding the list separator (U+001F) stays one tag, for projects and runs alike.
    expect(lib.setProjectTags(image.projectId, ['oak\u001fpine']).tags).toEqual(['oak pine']);
    expect(lib.getProject(image.projectId).tags).toEqual(['oak pine']);
    expect(lib.setRunTags(run.id, ['a\u001fb', 'A B']).tags).toEqual(['a b']);
    expect(lib.getRun(run.id).tags).toEqual(['a b']);
  });

  it('stores a lone surrogate as U+FFFD (not broken UTF-8), the same for every kind of name, and reads back what it returned', async () => {
    const { lib, call, dir } = setup();
    const data = (await photoPng()).toString('base64');
    const { image } = await call('images.import', { name: 'chair\uD800.png', data });
    expect(image.name).toBe('chair\uFFFD.png');
    expect(lib.getProject(image.projectId).name).toBe('chair\uFFFD');
    expect((await call('projects.rename', { projectId: image.projectId, name: '\uDC00 room' })).name).toBe('\uFFFD room');
    expect((await call('images.rename', { imageId: image.id, name: 'x\uD83D' })).name).toBe('x\uFFFD');
    const mask = await call('masks.save', { imageId: image.id, name: 'm\uDBFF', png: (await greyMaskPng(64, 48, 5)).toString('base64') });
    expect(mask.name).toBe('m\uFFFD');
    const run = lib.beginRun({ ...runInput(image.id, [mask.id]), name: 'r\uD800' });
    expect(run.name).toBe('r\uFFFD');
    expect((await call('runs.rename', { runId: run.id, name: '\uD800' })).name).toBe('\uFFFD'); // visible: the replacement character
    expect(lib.createProject('p\uDFFF').name).toBe('p\uFFFD');

    // On disk: valid UTF-8 (EF BF BD), no CESU/WTF-8 surrogate bytes (ED A0..BF ..).
    const raw = new Database(path.join(dir, 'library.sqlite'), { readonly: true });
    const hexes = raw.prepare(`SELECT hex(name) FROM projects UNION ALL SELECT hex(name) FROM images UNION ALL SELECT hex(name) FROM masks UNION ALL SELECT hex(name) FROM runs`).pluck().all() as string[];
    raw.close();
    expect(hexes.length).toBe(5);
    for (const h of hexes) {
      expect(h).toContain('EFBFBD');
      expect(h).not.toMatch(/^(..)*ED[AB]/);
    }
  });

  it('imports an archive whose names are invisible or carry lone surrogates with sensible names', async () => {
    const { lib } = setup();
    const { image } = await lib.importImage({ name: 'chair.png', data: await photoPng() });
    await lib.saveMask({ imageId: image.id, name: 'seat', png: await greyMaskPng(64, 48, 50) });
    // Names as a foreign or older writer may have left them in the database.
    lib.db.prepare('UPDATE projects SET name = ?').run('\u200B');
    lib.db.prepare('UPDATE images SET name = ?').run('\u2060');
    lib.db.prepare('UPDATE masks SET name = ?').run('  \u200B ');
    const out = path.join(tempDir(), 'p');
    await exportProject(lib, image.projectId, out, 'folder');
    const imported = await importProject(lib, out);
    expect(imported.name).toBe('Untitled');
    const [img] = lib.listImages(imported.id);
    expect(img.name).toBe('image 1');
    expect(lib.listMasks(img.id).map((m) => m.name)).toEqual(['mask 1']);
  });
});
