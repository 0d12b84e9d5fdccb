/** The example photos offered in an empty window: listed from a folder, opened into the library once. */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src-main/api/index';
import { libraryHandlers } from '../../src-main/api/library';
import { listExamples, openExample } from '../../src-main/library/examples';
import { libraryOpener, tempDir } from './fixtures';

const EXAMPLES = path.resolve(__dirname, '../../resources/examples');
const openLib = libraryOpener();

describe('examples', () => {
  it('lists the bundled SAM 3D folders with their mask counts and a small PNG each', async () => {
    const list = await listExamples(EXAMPLES);
    expect(list.map((e) => e.id)).toEqual(expect.arrayContaining(['mug', 'scene-three']));
    expect(list.find((e) => e.id === 'scene-three')?.masks).toBe(3);
    for (const e of list) {
      const meta = await sharp(e.thumbPng).metadata();
      expect(meta.format).toBe('png');
      expect(Math.max(meta.width!, meta.height!)).toBe(96);
    }
  });

  it('offers only readable SAM 3D folders, and nothing when the folder is missing', async () => {
    const dir = tempDir();
    fs.cpSync(path.join(EXAMPLES, 'mug'), path.join(dir, 'mug'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'notes'));
    fs.writeFileSync(path.join(dir, 'notes', 'readme.txt'), 'not an example');
    fs.writeFileSync(path.join(dir, 'stray.png'), 'a file, not a folder');
    expect((await listExamples(dir)).map((e) => e.id)).toEqual(['mug']);
    expect(await listExamples(path.join(dir, 'missing'))).toEqual([]);
    expect(await listExamples(undefined)).toEqual([]);
  });

  it('opens an example into a project named after it once, and reopens the same image after', async () => {
    const lib = openLib();
    const first = await openExample(lib, EXAMPLES, 'scene-three');
    expect(first).toMatchObject({ reused: false, image: { name: 'scene-three.png' } });
    expect(first.masks).toHaveLength(3);
    expect(lib.getProject(first.image.projectId).name).toBe('scene-three');
    const again = await openExample(lib, EXAMPLES, 'scene-three');
    expect(again).toMatchObject({ reused: true, image: { id: first.image.id } });
    expect(again.masks.map((m) => m.id)).toEqual(first.masks.map((m) => m.id));
  });

  it('takes only a listed name through the API, never a path', async () => {
    const lib = openLib();
    const d = new Dispatcher().register(libraryHandlers(lib, { examplesDir: EXAMPLES }));
    const listed = await d.dispatch('examples.list', {});
    expect(listed).toMatchObject({ ok: true });
    expect((listed as { result: { id: string; thumb: string }[] }).result.find((e) => e.id === 'mug')?.thumb).toMatch(/^iVBOR/); // base64 PNG
    for (const id of ['../examples/mug', 'lamp', '/etc']) {
      expect(await d.dispatch('examples.open', { id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/^No example ".*" ships with this installation \(there are: .*mug/) } });
    }
    const none = new Dispatcher().register(libraryHandlers(lib));
    expect(await none.dispatch('examples.list', {})).toEqual({ ok: true, result: [] });
  });
});
