/** makeDirsSync against the real file system, /proc included (where Node's recursive mkdir spins). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirsSync } from '../../src-main/files/make-dirs';

const temp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'make-dirs-'));

describe('makeDirsSync', () => {
  it('creates the missing levels and returns the first one, like mkdir -p', () => {
    const root = temp();
    expect(makeDirsSync(path.join(root, 'a', 'b', 'c'))).toBe(path.join(root, 'a'));
    expect(fs.statSync(path.join(root, 'a', 'b', 'c')).isDirectory()).toBe(true);
    expect(makeDirsSync(path.join(root, 'a', 'b'))).toBeUndefined(); // already there
  });

  it('fails as mkdir does where a file is in the way', () => {
    const root = temp();
    const file = path.join(root, 'f');
    fs.writeFileSync(file, 'x');
    expect(() => makeDirsSync(file)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => makeDirsSync(path.join(file, 'sub', 'deeper'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it.runIf(process.platform === 'linux' && fs.existsSync('/proc/self'))('fails at once under /proc instead of spinning', () => {
    expect(() => makeDirsSync('/proc/fastsam3d-test/out')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
