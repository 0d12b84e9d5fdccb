/**
 * The export phase of `infer`: Ctrl-C there cancels (exit 130, nothing written), a second Ctrl-C quits at
 * once (exit 130, nothing half-written), and a write that fails midway leaves no file (exit 2, one line).
 * The GLB encoder is wrapped so the test acts at a known point of the export: after the inference, while
 * the files are being rendered, before any is renamed into place.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cliExits } from './run-cli';

const hooks = vi.hoisted(() => ({ onGlb: null as null | (() => void), onProbe: null as null | ((file: string) => void) }));

// The output folder's write probe: a signal sent once it is on disk.
vi.mock('node:fs/promises', async (importOriginal) => {
  const orig = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile = async (...args: Parameters<typeof orig.writeFile>) => {
    await orig.writeFile(...args);
    if (typeof args[0] === 'string' && args[0].includes('.fastsam3d-write-test-')) hooks.onProbe?.(args[0]);
  };
  return { ...orig, default: { ...orig, writeFile }, writeFile };
});

vi.mock('../../src-main/export/glb', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../../src-main/export/glb')>();
  return {
    ...orig,
    glbBytes: async (...args: Parameters<typeof orig.glbBytes>) => {
      hooks.onGlb?.();
      return orig.glbBytes(...args);
    },
  };
});

const ROOT = resolve(__dirname, '../..');
const PACK = join(ROOT, 'models/test-tiny');
const MUG = join(ROOT, 'resources/examples/mug');

afterEach(() => {
  hooks.onGlb = null;
  hooks.onProbe = null;
});

const run = cliExits;

const infer = (dir: string) =>
  run(
    'infer',
    '--image',
    MUG,
    '--pack',
    PACK,
    '--output-dir',
    dir,
    '--format',
    'glb,obj,ply',
    '--target-triangles',
    '400',
  );

describe('infer: the export phase', () => {
  it('Ctrl-C while the files are written: exit 130 and nothing in the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs3d-cli-int-'));
    hooks.onGlb = () => process.emit('SIGINT');
    const r = await infer(dir);
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/cancelled; nothing was written/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a second Ctrl-C quits at once with 130, leaving nothing half-written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs3d-cli-int2-'));
    hooks.onGlb = () => {
      process.emit('SIGINT');
      process.emit('SIGINT');
    };
    const listeners = process.listenerCount('SIGINT');
    const r = await infer(dir);
    expect(r.exits).toEqual([130]);
    expect(r.err).toMatch(/press Ctrl-C again to quit at once[\s\S]*fastsam3d: cancelled/);
    expect(readdirSync(dir)).toEqual([]);
    expect(process.listenerCount('SIGINT')).toBe(listeners); // the run's handler is gone
  });

  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} while the files are written (timeout, kill, a closed terminal): exit 128 + n at once, no temp file, no handler left`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fs3d-cli-term-'));
      const made = join(dir, 'new', 'nested'); // a folder this run creates: it goes too
      hooks.onGlb = () => void process.emit(signal);
      const listeners = process.listenerCount(signal);
      const r = await run('infer', '--image', MUG, '--pack', PACK, '--output-dir', made, '--format', 'glb,obj,ply');
      expect(r.exits).toEqual([signal === 'SIGTERM' ? 143 : 129]);
      expect(r.err).toMatch(new RegExp(`fastsam3d: stopped by ${signal}; its unfinished files were removed`));
      expect(readdirSync(dir)).toEqual([]);
      expect(process.listenerCount(signal)).toBe(listeners);
    });
  }

  it('a write that fails midway (a folder appears where the .obj goes): exit 2, one line, no file of the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs3d-cli-mid-'));
    hooks.onGlb = () => mkdirSync(join(dir, 'mug-0-400tri.obj')); // after the output check, before the files are written
    const r = await infer(dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^fastsam3d: error: .*mug-0-400tri\.obj is a folder, not a file\. .*Nothing was written to ".*"\.\n$/,
    );
    expect(readdirSync(dir)).toEqual(['mug-0-400tri.obj']);
  });

  it('SIGTERM while the output folder is checked removes the probe file and the folder the run made, at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs3d-cli-probe-'));
    let probeLeft: boolean | undefined;
    hooks.onProbe = (probe) => {
      process.emit('SIGTERM');
      probeLeft = existsSync(probe); // what an exit at once would leave
    };
    const r = await run('infer', '--image', MUG, '--pack', PACK, '--output-dir', join(dir, 'new'));
    expect(r.exits).toEqual([143]);
    expect(probeLeft).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('Ctrl-C while the output folder is checked: exit 130 before the pack is opened, nothing left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs3d-cli-probe-'));
    hooks.onProbe = () => void process.emit('SIGINT');
    // Not a pack: opening it would be exit 3.
    const r = await run('infer', '--image', MUG, '--pack', join(ROOT, 'resources'), '--output-dir', join(dir, 'new'));
    expect(r).toMatchObject({ code: 130, exits: [] });
    expect(readdirSync(dir)).toEqual([]);
  });
});
