import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  promises as fsp,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExportWriteError, writeFileAtomic, writeGlb, writeOutputs, type WriteFsForTests } from './fault-helpers';
import { NoSurfaceError } from '../../src-main/pipeline/surface';
import { layout, sphere } from './fixtures';

const root = mkdtempSync(path.join(tmpdir(), 'fastsam3d-faults-'));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) {
    try {
      execFileSync('umount', [m]);
    } catch {
      /* already gone */
    }
  }
  rmSync(root, { recursive: true, force: true });
});

/** Mounts a tiny tmpfs (root only, where mounting is permitted); null when not possible here. */
function tinyTmpfs(name: string, options: string): string | null {
  const dir = path.join(root, name);
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    mounts.push(dir);
    return dir;
  } catch {
    return null;
  }
}

describe('atomic writes and faults', () => {
  it('replaces the destination only when the whole file is written', async () => {
    const file = path.join(root, 'a.bin');
    writeFileSync(file, 'old');
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    expect([...(await fsp.readFile(file))]).toEqual([1, 2, 3]);
    expect(readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('turns a disk-full error in the middle of a write into a clear error and leaves no partial file', async () => {
    const dir = path.join(root, 'enospc');
    mkdirSync(dir);
    const file = path.join(dir, 'object.glb');
    let writes = 0;
    // The real filesystem, except that the second chunk write fails like a full disk does.
    const failing: WriteFsForTests = {
      open: async (...args: Parameters<typeof fsp.open>) => {
        const h = await fsp.open(...args);
        const write = h.write.bind(h) as (...a: unknown[]) => Promise<{ bytesWritten: number }>;
        (h as unknown as { write: (...a: unknown[]) => Promise<{ bytesWritten: number }> }).write = async (
          ...a: unknown[]
        ) => {
          if (++writes === 2)
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          return write(...a);
        };
        return h;
      },
      rename: fsp.rename,
      unlink: fsp.unlink,
    };
    const big = new Uint8Array((1 << 24) + 100); // two chunks
    const err = await writeFileAtomic(file, big, failing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportWriteError);
    expect((err as ExportWriteError).code).toBe('ENOSPC');
    expect((err as Error).message).toMatch(/disk is full.*object\.glb.*Free some space/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails cleanly on a real full disk (tiny tmpfs) without leaving a partial file', async (ctx) => {
    const dir = tinyTmpfs('full', 'size=32k');
    if (!dir) {
      ctx.skip('cannot mount a tmpfs here (needs root with mount rights); the injected ENOSPC test covers the logic');
      return;
    }
    const file = path.join(dir, 'object.glb');
    const err = await writeGlb(file, sphere()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportWriteError);
    expect((err as ExportWriteError).code).toBe('ENOSPC');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names the folder when it cannot be written', async (ctx) => {
    let dir: string | null;
    if (process.getuid?.() === 0) {
      dir = tinyTmpfs('readonly', 'ro,size=32k'); // root ignores permission bits; a read-only mount still refuses
    } else {
      dir = path.join(root, 'locked');
      mkdirSync(dir);
      chmodSync(dir, 0o555);
    }
    if (!dir) {
      ctx.skip('running as root without mount rights: cannot make an unwritable folder here');
      return;
    }
    const err = await writeGlb(path.join(dir, 'object.glb'), sphere()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportWriteError);
    expect((err as Error).message).toContain(dir);
    expect((err as Error).message).toMatch(/Choose (a|another) folder/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a missing folder or a file in the way by name', async () => {
    const err = await writeGlb(path.join(root, 'nope', 'object.glb'), sphere()).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/does not exist/);
    const blocker = path.join(root, 'blocker');
    writeFileSync(blocker, 'x');
    await expect(
      writeOutputs({ mesh: sphere(), layout: layout() }, path.join(blocker, 'sub'), { formats: ['glb'] }),
    ).rejects.toThrow(/Cannot create the output folder/);
  });

  it('refuses an empty mesh with "no surface found" and writes nothing', async () => {
    const dir = path.join(root, 'empty');
    mkdirSync(dir);
    const empty = { positions: new Float32Array(0), colors: new Float32Array(0), indices: new Uint32Array(0) };
    await expect(
      writeOutputs({ mesh: empty, layout: layout() }, dir, { formats: ['glb', 'obj', 'ply'] }),
    ).rejects.toThrow(NoSurfaceError);
    await expect(writeGlb(path.join(dir, 'x.glb'), empty)).rejects.toThrow(/no surface found/i);
    expect(existsSync(path.join(dir, 'x.glb'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
