/**
 * The path check behind window.studioShell (drag out / show in folder): only files inside the data dir's
 * exports folder pass; traversal, relative paths, the folder itself, siblings sharing its name prefix,
 * missing files and symlinks pointing out of it are refused. Real files in a temp data dir.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkExportedFile, ExportPathError, resolveInsideExports } from '../../src-main/app/export-paths';
import { tempDir } from './helpers';

let dataDir: string;
let exportsDir: string;
let glb: string;

beforeAll(() => {
  dataDir = tempDir('shell');
  exportsDir = path.join(dataDir, 'exports');
  fs.mkdirSync(path.join(exportsDir, 'run-1'), { recursive: true });
  glb = path.join(exportsDir, 'run-1', 'chair.glb');
  fs.writeFileSync(glb, 'glTF');
  fs.writeFileSync(path.join(dataDir, 'library.sqlite'), 'db');
  fs.mkdirSync(path.join(dataDir, 'exports-evil'));
  fs.writeFileSync(path.join(dataDir, 'exports-evil', 'x.glb'), 'x');
  fs.symlinkSync(path.join(dataDir, 'library.sqlite'), path.join(exportsDir, 'run-1', 'link.glb'));
});

describe('resolveInsideExports (lexical)', () => {
  it('accepts files below the exports folder, normalising the path', () => {
    expect(resolveInsideExports(exportsDir, glb)).toBe(glb);
    expect(resolveInsideExports(exportsDir, path.join(exportsDir, 'run-1', '..', 'run-1', 'chair.glb'))).toBe(glb);
  });

  it.each([
    ['traversal out of the folder', () => path.join(exportsDir, '..', 'library.sqlite'), /not inside the exports folder/],
    ['a sibling sharing the name prefix', () => path.join(dataDir, 'exports-evil', 'x.glb'), /not inside the exports folder/],
    ['the exports folder itself', () => exportsDir, /not inside the exports folder/],
    ['a relative path', () => 'exports/run-1/chair.glb', /not an absolute path/],
    ['a non-string', () => 42, /non-empty string/],
    ['an empty string', () => '', /non-empty string/],
    ['a NUL byte', () => `${glb}\0.txt`, /non-empty string/],
  ])('refuses %s', (_what, candidate, message) => {
    expect(() => resolveInsideExports(exportsDir, candidate())).toThrow(ExportPathError);
    expect(() => resolveInsideExports(exportsDir, candidate())).toThrow(message);
  });
});

describe('checkExportedFile (what the IPC handlers use)', () => {
  it('returns the real path of an exported file', () => {
    expect(checkExportedFile(exportsDir, glb)).toBe(fs.realpathSync(glb));
  });

  it('refuses a symlink in exports/ that points outside it', () => {
    expect(() => checkExportedFile(exportsDir, path.join(exportsDir, 'run-1', 'link.glb'))).toThrow(/not inside the exports folder/);
  });

  it('refuses missing files and folders', () => {
    expect(() => checkExportedFile(exportsDir, path.join(exportsDir, 'run-1', 'gone.glb'))).toThrow(/does not exist/);
    expect(() => checkExportedFile(exportsDir, path.join(exportsDir, 'run-1'))).toThrow(/not a file/);
  });
});
