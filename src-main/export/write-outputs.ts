/**
 * One call for the CLI, the worker and export.run: write an object result (or a scene) in the requested
 * formats into a folder. File names: `<base>.glb|.obj(+.mtl)|.ply`, scenes add `scene.glb`.
 *
 * All or nothing: every file is first rendered in memory, then written to a temporary name beside its
 * destination, and only when all of them are on disk are they renamed into place (one synchronous burst,
 * so no signal handler or other callback can run in between). Any failure, or an abort through
 * `signal`, removes the temporary files and leaves the folder as it was.
 */
import { lstatSync, promises as fsp, renameSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { throwIfAborted } from '../pipeline/errors';
import type { CameraInfo, Layout, Mesh } from '../pipeline/types';
import { ExportWriteError, explainWriteError, tempPathBeside, writeNewFileSynced } from './atomic-write';
import { glbBytes } from './glb';
import { objTexts } from './obj';
import { plyBytes } from './ply';
import { sceneGlbBytes } from './scene';
import { simplifyMesh } from './simplify';
import { makeDirsSync } from '../files/make-dirs';
import { fileBaseName, uniqueOutputNames } from './names';

// The naming rules live in names.ts; callers of the writers find them here too.
export { fileBaseName, uniqueOutputNames };

export type ExportFormat = 'glb' | 'obj' | 'ply';

export interface OutputOptions {
  formats: ExportFormat[];
  /** Write meshes placed in the camera frame (layout applied) instead of the canonical object frame. */
  posed?: boolean;
  targetTriangles?: number;
  /** File base name (default "object"). */
  baseName?: string;
  /** Stored in the GLB asset extras and OBJ/PLY header comments (e.g. the run report's parameters). */
  extras?: Record<string, unknown>;
  /** Stop (AbortError) before anything is renamed into place; nothing is left behind. */
  signal?: AbortSignal;
}

/** The subset of ObjectResult the writers need. */
export interface ObjectOutput {
  mesh: Mesh;
  layout: Layout;
  camera?: CameraInfo;
  report?: unknown;
}

export interface WrittenFile {
  path: string;
  format: ExportFormat | 'mtl' | 'scene-glb';
  bytes: number;
}

/** A file rendered in memory, not yet written. */
export interface PendingFile {
  path: string;
  data: Uint8Array | string;
}

/** A rendered output file (see renderOutputs). */
export interface PendingOutput extends PendingFile {
  format: WrittenFile['format'];
}

/** The file names writeOutputs writes for `baseName` in `formats` (in that order; OBJ brings its MTL). */
export function outputFileNames(baseName: string | undefined, formats: readonly ExportFormat[]): string[] {
  const base = fileBaseName(baseName ?? 'object');
  return [...new Set(formats)].flatMap((f) => (f === 'obj' ? [`${base}.obj`, `${base}.mtl`] : [`${base}.${f}`]));
}

/** A folder that could not be made, as the user should read it (what is in the way, what to do). */
export function outputFolderError(e: unknown, dir: string, what = 'output folder'): ExportWriteError {
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? 'EIO';
  const why: Record<string, string> = {
    EEXIST: `${dir} is a file, not a folder`,
    ENOTDIR: `a file is in the way: one of the folders above ${dir} is a file`,
    EACCES: `permission denied`,
    EPERM: `permission denied`,
    EROFS: `it is on a read-only filesystem`,
    ENAMETOOLONG: `the path is too long`,
    ENOSPC: `the disk is full`,
  };
  return new ExportWriteError(
    `Cannot create the ${what} ${dir}: ${why[code] ?? err.message}. Choose another folder.`,
    code,
    dir,
  );
}

async function ensureDir(dir: string): Promise<void> {
  try {
    makeDirsSync(dir);
  } catch (e) {
    throw outputFolderError(e, dir);
  }
}

function extrasOf(result: ObjectOutput, opts: OutputOptions): Record<string, unknown> | undefined {
  if (opts.extras) return opts.extras;
  const report = result.report as { method?: unknown; params?: unknown; pack?: unknown } | undefined;
  return report ? { fastsam3d: { pack: report.pack, method: report.method, params: report.params } } : undefined;
}

/** The photo camera a run report records (`camera`: field of view and photo size), or null. */
function reportCamera(report: unknown): CameraInfo | null {
  const c = (report as { camera?: Partial<CameraInfo> } | undefined)?.camera;
  return c && typeof c.fovDeg === 'number' && typeof c.width === 'number' && typeof c.height === 'number'
    ? { fovDeg: c.fovDeg, width: c.width, height: c.height }
    : null;
}

/** The files of writeOutputs, rendered in memory (simplified when asked); nothing is written. */
export async function renderOutputs(result: ObjectOutput, dir: string, opts: OutputOptions): Promise<PendingOutput[]> {
  if (opts.formats.length === 0) throw new Error('choose at least one format (glb, obj, ply)');
  throwIfAborted(opts.signal);
  const mesh =
    opts.targetTriangles !== undefined ? await simplifyMesh(result.mesh, opts.targetTriangles) : result.mesh;
  const base = path.join(dir, fileBaseName(opts.baseName ?? 'object'));
  const meshOpts = {
    name: opts.baseName ?? 'object',
    layout: opts.posed ? result.layout : null,
    camera: result.camera ?? reportCamera(result.report),
    extras: extrasOf(result, opts),
  };
  const files: PendingOutput[] = [];
  for (const format of [...new Set(opts.formats)]) {
    throwIfAborted(opts.signal);
    if (format === 'glb') files.push({ path: `${base}.glb`, format, data: await glbBytes(mesh, meshOpts) });
    else if (format === 'ply') files.push({ path: `${base}.ply`, format, data: plyBytes(mesh, meshOpts) });
    else {
      const mtlPath = `${base}.mtl`;
      const { obj, mtl } = objTexts(mesh, path.basename(mtlPath), meshOpts);
      files.push({ path: `${base}.obj`, format, data: obj }, { path: mtlPath, format: 'mtl', data: mtl });
    }
  }
  throwIfAborted(opts.signal);
  return files;
}

export async function writeOutputs(result: ObjectOutput, dir: string, opts: OutputOptions): Promise<WrittenFile[]> {
  const files = await renderOutputs(result, dir, opts); // refuses an empty format list before any folder is made
  await ensureDir(dir);
  const bytes = await commitFiles(files, { signal: opts.signal });
  return files.map((f, i) => ({ path: f.path, format: f.format, bytes: bytes[i] }));
}

/**
 * The files of writeSceneOutputs, rendered in memory: `<baseName>.glb` first (`scene.glb` by default),
 * then each object's files.
 */
export async function renderSceneOutputs(
  objects: (ObjectOutput & { name: string })[],
  camera: CameraInfo,
  dir: string,
  opts: OutputOptions,
): Promise<PendingOutput[]> {
  throwIfAborted(opts.signal);
  // Two objects of one name (or one named "scene") must not write the same file: the second would
  // silently replace the first. The scene's node names follow, so files and nodes match.
  const sceneName = opts.baseName ?? 'scene';
  const names = uniqueOutputNames(objects.map((o) => o.name), sceneName);
  const simplified = await Promise.all(
    objects.map(async (o, i) => ({
      ...o,
      name: names[i],
      mesh: opts.targetTriangles !== undefined ? await simplifyMesh(o.mesh, opts.targetTriangles) : o.mesh,
    })),
  );
  throwIfAborted(opts.signal);
  const files: PendingOutput[] = [
    {
      path: path.join(dir, `${fileBaseName(sceneName)}.glb`),
      format: 'scene-glb',
      data: await sceneGlbBytes(simplified, camera, objects[0] ? extrasOf(objects[0], opts) : undefined),
    },
  ];
  for (const o of simplified)
    files.push(...(await renderOutputs(o, dir, { ...opts, targetTriangles: undefined, baseName: o.name })));
  return files;
}

/**
 * A scene: `scene.glb` (all objects placed, with the photo camera) plus each object in the requested
 * formats under its mask name (made unique: see uniqueOutputNames).
 */
export async function writeSceneOutputs(
  objects: (ObjectOutput & { name: string })[],
  camera: CameraInfo,
  dir: string,
  opts: OutputOptions,
): Promise<WrittenFile[]> {
  const files = await renderSceneOutputs(objects, camera, dir, opts);
  await ensureDir(dir);
  const bytes = await commitFiles(files, { signal: opts.signal });
  return files.map((f, i) => ({ path: f.path, format: f.format, bytes: bytes[i] }));
}

/** The file operations commitFiles uses, injectable so tests can fail one of them. */
export interface CommitFs {
  open: typeof fsp.open;
  renameSync: (from: string, to: string) => void;
}

const realCommitFs: CommitFs = { open: fsp.open, renameSync };

/** Temporary files of the commits in progress (for discardPendingWritesSync). */
const liveTemps = new Set<string>();

/**
 * Synchronously remove the temporary files of every commit in progress: for a process about to exit at
 * once (a second Ctrl-C), so that it leaves no half-written file behind. Destinations are untouched.
 */
export function discardPendingWritesSync(): void {
  for (const tmp of liveTemps) removeSync(tmp); // not created yet, or already gone: nothing to do
  liveTemps.clear();
}

function isDirectory(file: string): boolean | null {
  try {
    return lstatSync(file).isDirectory();
  } catch {
    return null; // absent
  }
}

/**
 * Write `files` all or nothing: each to a temporary file beside its destination (fsync'ed), then — when
 * every one is on disk and `signal` is not aborted — all renamed into place in one synchronous burst. On
 * any failure the temporary files are removed and the error (ExportWriteError, or AbortError) is thrown;
 * a destination already in place is then removed again if it did not exist before. Returns the byte count
 * of each file.
 */
export async function commitFiles(
  files: readonly PendingFile[],
  opts: { signal?: AbortSignal; fs?: Partial<CommitFs> } = {},
): Promise<number[]> {
  const fs = { ...realCommitFs, ...opts.fs };
  const existed = files.map((f) => isDirectory(f.path));
  files.forEach((f, i) => {
    if (existed[i]) throw explainWriteError(Object.assign(new Error('is a folder'), { code: 'EISDIR' }), f.path);
  });
  const temps: string[] = [];
  const sizes: number[] = [];
  let renamed = 0;
  try {
    for (const f of files) {
      throwIfAborted(opts.signal);
      const tmp = tempPathBeside(f.path);
      temps.push(tmp);
      liveTemps.add(tmp);
      sizes.push(await writeNewFileSynced(fs.open, tmp, f.data).catch((e: unknown) => Promise.reject(explainWriteError(e as Error, f.path))));
    }
    throwIfAborted(opts.signal);
    // The commit: synchronous, so nothing (a SIGINT handler included) runs until it is complete.
    for (; renamed < files.length; renamed++) {
      try {
        fs.renameSync(temps[renamed], files[renamed].path);
      } catch (e) {
        throw explainWriteError(e as NodeJS.ErrnoException, files[renamed].path);
      }
    }
    return sizes;
  } catch (e) {
    for (let i = 0; i < renamed; i++) if (existed[i] === null) removeSync(files[i].path);
    for (let i = renamed; i < temps.length; i++) removeSync(temps[i]);
    throw e;
  } finally {
    for (const t of temps) liveTemps.delete(t);
  }
}

function removeSync(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    /* already gone */
  }
}
