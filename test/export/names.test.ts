/**
 * What an artist can type or pick that once broke the export: object names (alike, "scene", very long,
 * non-Latin, Windows device names), a file where the output folder should be, a target of 0 triangles,
 * and non-ASCII generation parameters in the PLY header.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fileBaseName,
  glbBytes,
  joinedFileBaseName,
  objTexts,
  plyBytes,
  readGlb,
  sceneGlbBytes,
  uniqueOutputNames,
  writeOutputs,
  writeSceneOutputs,
} from '../../src-main/export';
import { NodeIO } from '@gltf-transform/core';
import { box, layout, sphere, validate } from './fixtures';

const root = mkdtempSync(path.join(tmpdir(), 'fastsam3d-export-names-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const camera = { fovDeg: 50, width: 640, height: 480 };
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('scene objects with the same name', () => {
  it('write one set of files each (none overwritten), named like the scene nodes', async () => {
    const dir = path.join(root, 'alike');
    const objects = [
      { name: 'cup', mesh: sphere(), layout: layout() },
      { name: 'cup', mesh: box(), layout: { ...layout(), translation: [0, 0, 3] as [number, number, number] } },
      { name: 'Cup', mesh: sphere(), layout: layout() }, // the same file as "cup" on macOS and Windows disks
      { name: 'scene', mesh: box(), layout: layout() }, // would replace scene.glb
    ];
    const written = await writeSceneOutputs(objects, camera, dir, { formats: ['glb', 'obj'] });
    const paths = written.map((w) => path.basename(w.path));
    expect(new Set(paths.map((p) => p.toLowerCase())).size).toBe(paths.length);
    expect(paths).toEqual([
      'scene.glb',
      'cup.glb',
      'cup.obj',
      'cup.mtl',
      'cup-2.glb',
      'cup-2.obj',
      'cup-2.mtl',
      'Cup-3.glb',
      'Cup-3.obj',
      'Cup-3.mtl',
      'scene-2.glb',
      'scene-2.obj',
      'scene-2.mtl',
    ]);
    expect(readdirSync(dir).sort()).toEqual([...paths].sort());
    // Each object file holds its own mesh, and the OBJ names its own MTL.
    expect((await readGlb(readFileSync(path.join(dir, 'cup.glb')))).mesh.indices.length).toBe(sphere().indices.length);
    expect((await readGlb(readFileSync(path.join(dir, 'cup-2.glb')))).mesh.indices.length).toBe(box().indices.length);
    expect(readFileSync(path.join(dir, 'cup-2.obj'), 'utf8')).toMatch(/^mtllib cup-2\.mtl$/m);
    // The scene is intact (four objects + camera), valid, and its nodes carry the file names.
    const scene = new Uint8Array(readFileSync(path.join(dir, 'scene.glb')));
    expect((await validate(scene)).errors).toBe(0);
    const doc = await new NodeIO().readBinary(scene);
    const nodes = doc
      .getRoot()
      .listNodes()
      .filter((n) => n.getMesh())
      .map((n) => n.getName());
    expect(nodes).toEqual(['cup', 'cup-2', 'Cup-3', 'scene-2']);
  });

  it('leaves names that are already unique as they are', () => {
    expect(uniqueOutputNames(['cup', 'my cup', 'bottle'])).toEqual(['cup', 'my cup', 'bottle']);
    expect(uniqueOutputNames(['cup', 'cup', 'cup-2'])).toEqual(['cup', 'cup-2', 'cup-2-2']);
  });
});

describe('file names from long or unusual names', () => {
  it('writes a 200-character Chinese name (cut to fit the 255-byte name limit)', async () => {
    const dir = path.join(root, 'long');
    const written = await writeOutputs({ mesh: sphere(), layout: layout() }, dir, {
      formats: ['glb', 'obj', 'ply'],
      baseName: '杯'.repeat(200),
    });
    // The longest name written is the CLI's temporary `.<base>.report.json.<pid>.<8 hex>.tmp`: base + 34 bytes.
    for (const w of written)
      expect(Buffer.byteLength(path.basename(w.path, path.extname(w.path))) + 34).toBeLessThanOrEqual(255);
    expect(readdirSync(dir).sort()).toEqual(written.map((w) => path.basename(w.path)).sort());
  });

  it('cuts between characters, never inside one', () => {
    const name = fileBaseName('a' + '𠀀'.repeat(100)); // letters outside the BMP: two UTF-16 units each
    expect(name).not.toMatch(loneSurrogate);
    expect(name.startsWith('a𠀀')).toBe(true);
    expect(fileBaseName('x'.repeat(200))).toHaveLength(80);
  });

  it('does not use Windows device names', () => {
    expect(fileBaseName('con')).toBe('con_');
    expect(fileBaseName('AUX.old')).toBe('AUX_.old');
    expect(fileBaseName('lpt1')).toBe('lpt1_');
    expect(fileBaseName('console')).toBe('console');
  });
});

describe('the one file-name rule (fileBaseName)', () => {
  it('never starts a name like a command-line option or a hidden file', () => {
    expect(fileBaseName('-rf')).toBe('rf');
    expect(fileBaseName('--help me')).toBe('help_me');
    expect(fileBaseName('.bashrc')).toBe('bashrc');
    expect(fileBaseName('x.')).toBe('x'); // Windows drops a trailing dot
  });

  it('keeps emoji and symbols, which every file system takes', () => {
    expect(fileBaseName('🍺🍺')).toBe('🍺🍺');
    expect(fileBaseName('final / keep ✓')).toBe('final_keep_✓');
    expect(fileBaseName('👩‍👩‍👧 family 👍🏽')).toBe('👩‍👩‍👧_family_👍🏽');
    expect(fileBaseName('हिन्दी कप')).toBe('हिन्दी_कप'); // vowel signs are marks: kept with their letters
  });

  it('leaves no dot sequence of a path', () => {
    expect(fileBaseName('Café / Bär 🍺  "test" ../..\\x')).toBe('Café_Bär_🍺_test_x');
    expect(fileBaseName('../../etc/passwd')).toBe('etc_passwd');
    expect(fileBaseName('my/../../etc')).toBe('my_etc');
    expect(fileBaseName('a...b')).toBe('a_b');
    expect(fileBaseName('v1.2.glb')).toBe('v1.2.glb');
  });

  it('gives back a cleaned name unchanged, and cuts a joined name before its variant', () => {
    for (const n of ['Café / Bär 🍺  "test" ../..\\x', '-rf', 'con', '杯'.repeat(200), 'a' + '👍🏽'.repeat(60)])
      expect(fileBaseName(fileBaseName(n))).toBe(fileBaseName(n));
    const joined = joinedFileBaseName(['p'.repeat(70), 'cup', 'fast-sam3d'], ['posed', '1000tri']);
    expect(joined.endsWith('-cup-fast-sam3d-posed-1000tri')).toBe(true);
    expect(joined.length).toBeLessThanOrEqual(80);
    expect(fileBaseName(joined)).toBe(joined);
    expect(joinedFileBaseName(['', '../', 'mug'], ['posed'])).toBe('mug-posed');
  });
});

describe('object names inside the files', () => {
  it('follow the file-name rule in GLB nodes, OBJ objects and scene nodes alike', async () => {
    for (const [given, named] of [['my/../../etc', 'my_etc'], ['scene-three-object 0', 'scene-three-object_0']]) {
      const doc = await new NodeIO().readBinary(await glbBytes(box(), { name: given }));
      expect(doc.getRoot().listNodes().map((n) => n.getName())).toEqual([named]);
      expect(doc.getRoot().listMeshes().map((m) => m.getName())).toEqual([named]);
      const posed = await new NodeIO().readBinary(await glbBytes(box(), { name: given, layout: layout(), camera }));
      expect(posed.getRoot().listNodes().filter((n) => n.getMesh()).map((n) => n.getName())).toEqual([named]);
      expect(objTexts(box(), 'x.mtl', { name: given }).obj).toMatch(new RegExp(`^o ${named}$`, 'm'));
    }
    const scene = await new NodeIO().readBinary(
      await sceneGlbBytes(
        [
          { name: 'object 0', mesh: box(), layout: layout() },
          { name: 'object_0', mesh: sphere(), layout: layout() },
        ],
        camera,
      ),
    );
    expect(scene.getRoot().listNodes().filter((n) => n.getMesh()).map((n) => n.getName())).toEqual(['object_0', 'object_0-2']);
  });
});

describe('output folder and options', () => {
  it('says a file is in the way of the output folder, in words', async () => {
    const file = path.join(root, 'a-file');
    writeFileSync(file, 'x');
    const obj = { mesh: sphere(), layout: layout() };
    await expect(writeOutputs(obj, file, { formats: ['glb'] })).rejects.toThrow(
      `Cannot create the output folder ${file}: ${file} is a file, not a folder. Choose another folder.`,
    );
    await expect(writeOutputs(obj, path.join(file, 'sub'), { formats: ['glb'] })).rejects.toThrow(
      /a file is in the way: one of the folders above .*a-file\/sub is a file\. Choose another folder\./,
    );
  });

  it('refuses a target of 0 triangles instead of silently not simplifying', async () => {
    const dir = path.join(root, 'zero');
    await expect(
      writeOutputs({ mesh: sphere(), layout: layout() }, dir, { formats: ['glb'], targetTriangles: 0 }),
    ).rejects.toThrow(/at least 4/);
    await expect(
      writeSceneOutputs([{ name: 'cup', mesh: sphere(), layout: layout() }], camera, dir, {
        formats: ['glb'],
        targetTriangles: 0,
      }),
    ).rejects.toThrow(/at least 4/);
  });
});

describe('PLY header', () => {
  it('stays ASCII, one keyword a line, with non-ASCII generation parameters', () => {
    const extras = { fastsam3d: { pack: { name: '上海 objects Ċ é' } } }; // 上 = U+4E0A, Ċ = U+010A: low byte 0x0A
    const bytes = Buffer.from(plyBytes(box(), { extras }));
    const end = bytes.indexOf('end_header\n');
    const header = bytes.subarray(0, end).toString('latin1');
    for (const b of bytes.subarray(0, end)) expect(b >= 0x20 && b < 0x7f ? true : b === 0x0a).toBe(true);
    const lines = header.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(/^(ply|format |comment |element |property )/);
    expect(lines.filter((l) => l.startsWith('element '))).toEqual([
      `element vertex ${box().positions.length / 3}`,
      `element face ${box().indices.length / 3}`,
    ]);
    const json = lines.find((l) => l.startsWith('comment extras '))!.slice('comment extras '.length);
    expect(JSON.parse(json)).toEqual(extras);
  });
});
