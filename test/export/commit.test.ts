/** All-or-nothing writes of writeOutputs / commitFiles: a failure or an abort leaves the folder as it was. */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  promises as fsp,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExportWriteError } from '../../src-main/export/atomic-write';
import {
  commitFiles,
  discardPendingWritesSync,
  outputFileNames,
  writeOutputs,
  type CommitFs,
} from '../../src-main/export/write-outputs';
import { AbortError } from '../../src-main/pipeline/errors';
import { layout, sphere } from './fixtures';

const root = mkdtempSync(path.join(tmpdir(), 'fastsam3d-commit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir);
  return dir;
}

/** The real fs.promises.open, with `hook` called before the n-th open (1-based). */
function openHook(n: number, hook: (file: string) => void): Partial<CommitFs> {
  let opens = 0;
  return {
    open: (async (...args: Parameters<typeof fsp.open>) => {
      if (++opens === n) hook(String(args[0]));
      return fsp.open(...args);
    }) as typeof fsp.open,
  };
}

describe('writeOutputs: all files or none', () => {
  it('a folder in the way of the .obj: ExportWriteError naming it, and no .glb / .mtl / temporary file written', async () => {
    const dir = folder('obj-folder');
    mkdirSync(path.join(dir, 'mug.obj'));
    const err = await writeOutputs({ mesh: sphere(), layout: layout() }, dir, {
      formats: ['glb', 'obj'],
      baseName: 'mug',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportWriteError);
    expect((err as ExportWriteError).code).toBe('EISDIR');
    expect((err as Error).message).toContain(path.join(dir, 'mug.obj'));
    expect(readdirSync(dir)).toEqual(['mug.obj']);
  });

  it('a disk-full error on the second file removes the first temporary file; old files stay as they were', async () => {
    const dir = folder('enospc');
    writeFileSync(path.join(dir, 'a.glb'), 'old');
    const fs = openHook(2, () => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    });
    const files = [
      { path: path.join(dir, 'a.glb'), data: 'new a' },
      { path: path.join(dir, 'b.ply'), data: 'new b' },
    ];
    const err = await commitFiles(files, { fs }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportWriteError);
    expect((err as Error).message).toMatch(/disk is full.*b\.ply/);
    expect(readdirSync(dir)).toEqual(['a.glb']);
    expect(readFileSync(path.join(dir, 'a.glb'), 'utf8')).toBe('old');
  });

  it('a rename failing midway takes back the files already renamed into place', async () => {
    const dir = folder('rename');
    let renames = 0;
    const fs: Partial<CommitFs> = {
      renameSync: (from, to) => {
        if (++renames === 2) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
        renameSync(from, to);
      },
    };
    const files = ['x.glb', 'x.obj', 'x.mtl'].map((f) => ({ path: path.join(dir, f), data: f }));
    await expect(commitFiles(files, { fs })).rejects.toBeInstanceOf(ExportWriteError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an abort (Ctrl-C) between files: AbortError and nothing written', async () => {
    const dir = folder('abort');
    const ac = new AbortController();
    const files = ['y.glb', 'y.obj', 'y.mtl'].map((f) => ({ path: path.join(dir, f), data: f }));
    const err = await commitFiles(files, { signal: ac.signal, fs: openHook(2, () => ac.abort()) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AbortError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('discardPendingWritesSync (a second Ctrl-C) removes the temporary files of a commit in progress', async () => {
    const dir = folder('discard');
    let seen: string[] = [];
    const fs = openHook(3, () => {
      seen = readdirSync(dir);
      discardPendingWritesSync(); // what the CLI does right before exiting at once
      expect(readdirSync(dir)).toEqual([]);
      throw Object.assign(new Error('exited'), { code: 'EINTR' });
    });
    const files = ['z.glb', 'z.ply', 'z.obj'].map((f) => ({ path: path.join(dir, f), data: f }));
    await expect(commitFiles(files, { fs })).rejects.toThrow();
    expect(seen.filter((f) => f.endsWith('.tmp'))).toHaveLength(2); // the two files written so far, as temporaries
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes every file on success, with nothing temporary left; outputFileNames lists exactly those names', async () => {
    const dir = folder('ok');
    const written = await writeOutputs({ mesh: sphere(), layout: layout() }, dir, {
      formats: ['glb', 'obj', 'ply'],
      baseName: '../my photo (1)',
    });
    const names = written.map((f) => path.basename(f.path));
    expect(names).toEqual(outputFileNames('../my photo (1)', ['glb', 'obj', 'ply']));
    expect(readdirSync(dir).sort()).toEqual([...names].sort());
    expect(existsSync(path.join(root, 'my_photo_1_.glb'))).toBe(false);
  });
});
