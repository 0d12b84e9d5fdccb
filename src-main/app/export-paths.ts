/**
 * Which files the window may drag out of the app or reveal in the file manager: only files inside the
 * data dir's exports folder. A compromised or buggy renderer must not be able to hand the OS drag source
 * or the file manager an arbitrary path (~/.ssh, the library database), so the main process checks every
 * path here. No Electron imports: the check is unit-tested under plain Node.
 */
import fs from 'node:fs';
import path from 'node:path';

export class ExportPathError extends Error {
  override name = 'ExportPathError';
}

/**
 * Lexical check: `candidate` must be a non-empty absolute path that, once resolved (`..` removed),
 * lies strictly inside `exportsDir`. Returns the resolved path.
 */
export function resolveInsideExports(exportsDir: string, candidate: unknown): string {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.includes('\0')) {
    throw new ExportPathError('Expected the path of an exported file (a non-empty string).');
  }
  if (!path.isAbsolute(candidate)) {
    throw new ExportPathError(`"${candidate}" is not an absolute path; pass the path export.run returned.`);
  }
  const root = path.resolve(exportsDir);
  const resolved = path.resolve(candidate);
  const rel = path.relative(root, resolved);
  // '' is the folder itself; '..'-prefixed or absolute (another drive on Windows) is outside.
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new ExportPathError(`"${candidate}" is not inside the exports folder (${root}); only exported files can be dragged out or shown.`);
  }
  return resolved;
}

/**
 * The full check the IPC handlers use: lexically inside, an existing regular file, and still inside
 * after following symlinks (a link in exports/ pointing elsewhere is refused). Returns the real path.
 */
export function checkExportedFile(exportsDir: string, candidate: unknown): string {
  const resolved = resolveInsideExports(exportsDir, candidate);
  let real: string;
  try {
    real = fs.realpathSync(resolved);
  } catch {
    throw new ExportPathError(`"${resolved}" does not exist; export the run again.`);
  }
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(exportsDir);
  } catch {
    throw new ExportPathError(`The exports folder ${exportsDir} does not exist yet; export a run first.`);
  }
  resolveInsideExports(realRoot, real);
  if (!fs.statSync(real).isFile()) throw new ExportPathError(`"${resolved}" is not a file.`);
  return real;
}
