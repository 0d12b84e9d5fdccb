/**
 * The output side of `infer` and `scene`: parsing the output flags, checking the output folder before the
 * run, and writing a run's files (meshes and report) all or nothing through the export module.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, rmdirSync } from 'node:fs';
import { lstat, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ExportWriteError } from '../export/atomic-write';
import { commitFiles, type ExportFormat, type PendingFile } from '../export/write-outputs';
import { AbortError } from '../pipeline/errors';
import { OutputError, UsageError } from './exit-codes';
import { parseNumberFlag } from './numbers';
import { makeDirsSync } from '../files/make-dirs';

export const FORMATS: readonly ExportFormat[] = ['glb', 'obj', 'ply'];

export function parseFormats(v: string | undefined): ExportFormat[] {
  const list = (v ?? 'glb')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const f of list)
    if (!(FORMATS as readonly string[]).includes(f))
      throw new UsageError(`--format: unknown format "${f}" (use glb, obj, ply, comma-separated)`);
  if (list.length === 0) throw new UsageError('--format needs at least one of glb, obj, ply');
  return [...new Set(list)] as ExportFormat[];
}

export function parseTargetTriangles(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  return parseNumberFlag('--target-triangles', v, { integer: true, min: 4 });
}

/**
 * What a file name made from the input ends in for a posed (`-posed`) or simplified (`-<N>tri`) run, as
 * the window names its exports: such a run does not replace the full, object-frame files of an earlier one.
 */
export function variantSuffix(o: { posed?: unknown; targetTriangles?: unknown }): string {
  const n = parseTargetTriangles(o.targetTriangles as string | undefined);
  return `${o.posed ? '-posed' : ''}${n !== undefined ? `-${n}tri` : ''}`;
}

const errno = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? 'EIO';

/** The nearest existing ancestor of `path` (for "… is a file" messages). */
async function nearestExisting(path: string): Promise<{ path: string; isDir: boolean } | null> {
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      return { path: p, isDir: (await stat(p)).isDirectory() };
    } catch {
      if (dirname(p) === p) return null;
    }
  }
}

/** The errno of creating the first missing folder of `target` inside its existing ancestor `parent`. */
async function mkdirCode(parent: string, target: string): Promise<string> {
  const first = join(parent, relative(parent, target).split(sep)[0]);
  try {
    await mkdir(first);
    await rm(first, { recursive: true, force: true });
    return 'ENOENT';
  } catch (e) {
    return errno(e);
  }
}

function cannotWrite(dir: string, code: string, doing: 'create' | 'write into'): OutputError {
  const flag = `--output-dir "${dir}"`;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new OutputError(`cannot ${doing} ${flag}: permission denied; choose a folder you can write to.`);
    case 'EROFS':
      return new OutputError(`cannot ${doing} ${flag}: it is on a read-only file system; choose another folder.`);
    case 'ENOENT': // its parent exists (checked first), yet the folder cannot be made: /proc, some mounts
      return new OutputError(`cannot ${doing} ${flag}: that file system does not take new folders there (ENOENT); choose another folder.`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new OutputError(`cannot ${doing} ${flag}: the disk is full; free some space or choose another folder.`);
    default:
      return new OutputError(`cannot ${doing} ${flag} (${code}); choose a folder you can write to.`);
  }
}

/** What prepareOutputDir did, so a failed run can undo it. */
export interface PreparedOutputDir {
  /** Remove the folders this run created, if they are still empty (synchronous: safe before an exit). */
  removeIfCreatedSync(): void;
}

/**
 * Before any inference: create `dir` (with its parents), prove it writable with a probe file (written and
 * removed), and check that none of `fileNames` is a folder there. Every failure is an OutputError naming
 * the folder and what to do. `onExit` (signals.ts): where to register the synchronous removal of the probe
 * and the folders made, for a signal that ends the process while this awaits.
 */
export async function prepareOutputDir(
  dir: string,
  fileNames: readonly string[],
  onExit?: (cleanup: () => void) => void,
): Promise<PreparedOutputDir> {
  // An unset shell variable (`--output-dir "$OUT"`) gives "": say so rather than fail on stat('').
  if (dir.trim() === '') throw new OutputError('--output-dir is empty; pass a folder (it is created if missing), or leave the flag out for ./output.');
  let created: string | undefined;
  try {
    created = makeDirsSync(dir);
  } catch (e) {
    let code = errno(e);
    const hit = await nearestExisting(dir);
    if (hit && !hit.isDir)
      throw new OutputError(
        hit.path === resolve(dir)
          ? `--output-dir "${dir}" is a file, not a folder; pass a folder (it is created if missing).`
          : `cannot create --output-dir "${dir}": "${hit.path}" is a file, not a folder; pass another folder.`,
      );
    if (hit && code === 'ENOENT') code = await mkdirCode(hit.path, resolve(dir)); // recursive mkdir can hide EROFS
    throw cannotWrite(dir, code, 'create');
  }
  const prepared: PreparedOutputDir = {
    removeIfCreatedSync() {
      if (!created) return;
      const top = resolve(created);
      for (let p = resolve(dir); ; p = dirname(p)) {
        try {
          rmdirSync(p); // only an empty folder
        } catch {
          return;
        }
        if (p === top || dirname(p) === p) return;
      }
    },
  };
  let probe: string | undefined;
  onExit?.(() => {
    if (probe) rmSync(probe, { force: true });
    prepared.removeIfCreatedSync();
  });
  try {
    if (!(await stat(dir)).isDirectory())
      throw new OutputError(`--output-dir "${dir}" is not a folder; pass a folder (it is created if missing).`);
    probe = join(dir, `.fastsam3d-write-test-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await writeFile(probe, 'fastsam3d', { flag: 'wx' });
    } catch (e) {
      throw cannotWrite(dir, errno(e), 'write into');
    } finally {
      await rm(probe, { force: true }).catch(() => undefined);
    }
    for (const name of fileNames) {
      const file = join(dir, name);
      const isDir = await lstat(file).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (isDir)
        throw new OutputError(
          `"${file}" is a folder, so the result cannot be written there; remove it, or choose another --name or --output-dir.`,
        );
    }
  } catch (e) {
    prepared.removeIfCreatedSync();
    throw e;
  }
  return prepared;
}

/**
 * Write a run's files (meshes and report) all or nothing. Write failures become one-line OutputErrors
 * (exit 2) that name the folder; an abort (Ctrl-C) stays an AbortError (exit 130). Either way nothing of
 * this run is left in the folder.
 */
export async function writeRunFiles(
  dir: string,
  files: readonly PendingFile[],
  signal?: AbortSignal,
): Promise<number[]> {
  try {
    return await commitFiles(files, { signal });
  } catch (e) {
    if (e instanceof AbortError || e instanceof UsageError) throw e;
    if (e instanceof ExportWriteError) throw new OutputError(`${e.message} Nothing was written to "${dir}".`);
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string')
      throw new OutputError(
        `could not write the results into --output-dir "${dir}" (${code}: ${(e as Error).message}); nothing was written. Check the folder or choose another.`,
      );
    throw e;
  }
}
