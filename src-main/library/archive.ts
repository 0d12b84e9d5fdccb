/**
 * Export and import of a project as a folder or a zip: the project's files plus `manifest.json`, which
 * lists every row and every file (path, size, sha256). Import trusts nothing: every path must be a
 * plain relative path inside the archive (no absolute paths, no `..`, no symlinks), every file must be
 * listed with the right size and hash and nothing unlisted may be present, and every row must refer to
 * files and rows inside the archive. Everything is checked before the library is touched; then files and
 * rows go in through the same write-then-commit path as any other write, under new ids.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { z } from 'zod';
import type { ProjectSummary } from '../../src-shared/api/library';
import { METHODS } from '../../src-shared/params';
import { fileBaseName } from '../export';
import { makeDirsSync } from '../files/make-dirs';
import { AbortError, throwIfAborted } from '../pipeline/errors';
import { oversizeProblem } from '../pipeline/image/decode';
import { LibraryError, asLibraryError } from './errors';
import { TEMP_MARKER, sha256 } from './files';
import { UNTITLED, tidyName, tidyTags } from './names';
import type { Library } from './library';
import { maskFileArea, photoHeader, type MaskTarget } from './media-checks';
import { swapsSides } from '../pipeline/image/orientation';
import { ARTEFACT_EXT, fitContextMaskIds, runInputKey, splitTags, type ArtefactRow, type ImageRow, type MaskRow, type ProjectRow, type RunRow } from './records';

export const PROJECT_MANIFEST = 'manifest.json';
const FORMAT = 'fastsam3d-studio-project';

/** Refuse archives bigger than this (uncompressed) before reading them. */
const MAX_TOTAL_BYTES = 4 * 1024 ** 3;
const MAX_FILES = 100_000;
/**
 * What a zip holds without zip64, which fflate does not write: beyond these the central directory's
 * counts and offsets would wrap and the zip would be unreadable, so such a project goes out as a folder.
 */
const ZIP_MAX_ENTRIES = 65_535;
const ZIP_MAX_BYTES = 2 ** 32 - 1;
/** Where `projects.export` puts a project when no destination is given: `<data>/exports/projects`. */
const DEFAULT_EXPORT_DIR = ['exports', 'projects'];

/** Extensions an imported photo may have (as the library stores them), and each artefact kind's. */
const IMAGE_EXT: Record<string, string> = { '.png': '.png', '.jpg': '.jpg', '.jpeg': '.jpg', '.webp': '.webp', '.tif': '.tif', '.tiff': '.tif' };

const Sha = z.string().regex(/^[0-9a-f]{64}$/);
const RelPath = z.string().min(1).max(512);
const ParamsRecord = z.record(z.string(), z.union([z.number(), z.boolean(), z.string()]));

const ManifestSchema = z.object({
  format: z.literal(FORMAT),
  formatVersion: z.literal(1),
  exportedAt: z.string(),
  appVersion: z.string(),
  project: z.object({ id: z.string(), name: z.string().min(1), createdAt: z.string(), updatedAt: z.string(), tags: z.array(z.string()) }),
  images: z.array(z.object({
    id: z.string(), name: z.string().min(1), file: RelPath, thumb: RelPath.nullable(), sha256: Sha, bytes: z.number().int().nonnegative(),
    width: z.number().int().positive(), height: z.number().int().positive(), createdAt: z.string(),
  })),
  masks: z.array(z.object({
    id: z.string(), imageId: z.string(), name: z.string().min(1), file: RelPath, sha256: Sha, bytes: z.number().int().nonnegative(),
    area: z.number().int().nonnegative(), createdAt: z.string(),
  })),
  runs: z.array(z.object({
    id: z.string(), imageId: z.string(), maskIds: z.array(z.string()).min(1), name: z.string(), kind: z.enum(['object', 'scene']),
    // The masks fit to mask counted beside the run; absent in archives written before they were kept.
    otherMaskIds: z.array(z.string()).optional(),
    status: z.enum(['succeeded', 'failed', 'cancelled']), packId: z.string(), packName: z.string(), packVersion: z.string(),
    method: z.enum(METHODS), params: ParamsRecord, seed: z.number().int(), executionProvider: z.string(), appVersion: z.string(),
    report: z.unknown().nullable(), metrics: z.record(z.string(), z.number()).nullable(), error: z.string().nullable(),
    objectMs: z.number().nullable(), speedup: z.number().nullable(), quality: z.number().nullable(), baselineRunId: z.string().nullable(),
    schedule: z.unknown().nullable(), createdAt: z.string(), startedAt: z.string().nullable(), finishedAt: z.string().nullable(),
    tags: z.array(z.string()),
  })),
  artefacts: z.array(z.object({
    id: z.string(), runId: z.string(), kind: z.enum(['glb', 'obj', 'ply', 'thumbnail']), file: RelPath, sha256: Sha,
    bytes: z.number().int().nonnegative(), createdAt: z.string(),
  })),
  files: z.array(z.object({ path: RelPath, bytes: z.number().int().nonnegative(), sha256: Sha })).max(MAX_FILES),
});
export type ProjectManifest = z.infer<typeof ManifestSchema>;

function bad(message: string): LibraryError {
  return new LibraryError('BAD_ARCHIVE', `The project archive was not imported: ${message}. The library is unchanged.`);
}

/** A path inside an archive: relative, forward slashes, no empty, `.` or `..` segments, no drive letters. */
export function checkArchivePath(p: string): void {
  if (p.includes('\\') || p.includes('\0')) throw bad(`path "${p}" contains a backslash or NUL`);
  if (p.startsWith('/') || /^[a-zA-Z]:/.test(p)) throw bad(`path "${p}" is absolute`);
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw bad(`path "${p}" leaves the archive folder or has an empty segment`);
  }
}

// ------------------------------------------------------------------------------ export -----------

export interface ExportResult {
  path: string; files: number; bytes: number;
  /** A zip was already at the destination and has been replaced (only with `replace`). */
  replaced: boolean;
  /** The photos and results written (the project's out of the trash, results finished). */
  images: number; runs: number;
  /**
   * What of the project is not in the export: photos in the trash, results in the trash (trashed
   * themselves or with their photo) and results still queued or running.
   */
  left: { trashedImages: number; trashedRuns: number; unfinishedRuns: number };
}

/** The sentence for what an export left out ("" when nothing): what it is and how to include it. */
export function leftOutNote({ left }: Pick<ExportResult, 'left'>): string {
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  const parts: string[] = [];
  if (left.trashedImages || left.trashedRuns) {
    const what = [left.trashedImages ? n(left.trashedImages, 'photo', 'photos') : '', left.trashedRuns ? n(left.trashedRuns, 'result', 'results') : '']
      .filter(Boolean).join(' and ');
    const them = left.trashedImages + left.trashedRuns === 1 ? 'it' : 'them';
    parts.push(`${what} in the trash ${left.trashedImages + left.trashedRuns === 1 ? 'was' : 'were'} not exported; restore ${them} first to include ${them}`);
  }
  if (left.unfinishedRuns) {
    parts.push(`${n(left.unfinishedRuns, 'result', 'results')} still running ${left.unfinishedRuns === 1 ? 'was' : 'were'} not exported; export again once ${left.unfinishedRuns === 1 ? 'it has' : 'they have'} finished`);
  }
  return parts.join('; ');
}

export interface ExportOptions {
  /** Replace a zip already at the destination (the caller asked the user). */
  replace?: boolean;
  /** Cancels the export (the CLI's Ctrl-C): its temp file or folder is removed and AbortError thrown. */
  signal?: AbortSignal;
  /** The temp file or folder the export writes before renaming it into place: for removal at an exit at once. */
  onTemp?: (tmp: string) => void;
}

/**
 * Write project `projectId` (without its trashed items) as a folder or a zip at `dest`, or, without
 * `dest`, under a fresh name in `<data>/exports/projects`. An existing zip at `dest` is replaced only with
 * `replace`; a folder must be new or empty.
 */
export async function exportProject(
  lib: Library, projectId: string, dest: string | undefined, format: 'folder' | 'zip' = 'zip', { replace = false, signal, onTemp }: ExportOptions = {},
): Promise<ExportResult> {
  const db = lib.db;
  const project = db.prepare(`SELECT p.*, (SELECT group_concat(tag, char(31)) FROM project_tags t WHERE t.project_id = p.id) AS tags FROM projects p WHERE id = ?`).get(projectId) as ProjectRow | undefined;
  if (!project) throw new LibraryError('NOT_FOUND', `No project with id ${projectId}.`);
  const images = db.prepare(`SELECT * FROM images WHERE project_id = ? AND deleted_at IS NULL ORDER BY rowid`).all(projectId) as ImageRow[];
  const imageIds = new Set(images.map((i) => i.id));
  const masks = (db.prepare(`SELECT m.* FROM masks m JOIN images i ON i.id = m.image_id WHERE i.project_id = ? ORDER BY m.rowid`).all(projectId) as MaskRow[])
    .filter((m) => imageIds.has(m.image_id));
  const runs = (db.prepare(
    `SELECT r.*, (SELECT group_concat(tag, char(31)) FROM run_tags t WHERE t.run_id = r.id) AS tags,
       (SELECT group_concat(mask_id, ',') FROM (SELECT mask_id FROM run_masks m WHERE m.run_id = r.id ORDER BY position)) AS mask_ids,
       (SELECT group_concat(mask_id, ',') FROM (SELECT mask_id FROM run_other_masks m WHERE m.run_id = r.id ORDER BY position)) AS other_mask_ids
     FROM runs r WHERE project_id = ? AND deleted_at IS NULL AND status IN ('succeeded','failed','cancelled') ORDER BY rowid`,
  ).all(projectId) as RunRow[]).filter((r) => imageIds.has(r.image_id));
  const runIds = new Set(runs.map((r) => r.id));
  const artefacts = (db.prepare(`SELECT a.* FROM artefacts a JOIN runs r ON r.id = a.run_id WHERE r.project_id = ? ORDER BY a.rowid`).all(projectId) as ArtefactRow[])
    .filter((a) => runIds.has(a.run_id));

  // What stays behind: the trash (photos, and results trashed themselves or with their photo), results in progress.
  const left = db.prepare(
    `SELECT (SELECT count(*) FROM images WHERE project_id = @id AND deleted_at IS NOT NULL) AS trashedImages,
            (SELECT count(*) FROM runs r JOIN images i ON i.id = r.image_id
              WHERE r.project_id = @id AND (r.deleted_at IS NOT NULL OR i.deleted_at IS NOT NULL)) AS trashedRuns,
            (SELECT count(*) FROM runs r JOIN images i ON i.id = r.image_id
              WHERE r.project_id = @id AND r.deleted_at IS NULL AND i.deleted_at IS NULL AND r.status IN ('queued', 'running')) AS unfinishedRuns`,
  ).get({ id: projectId }) as ExportResult['left'];

  let target: string;
  try {
    target = dest === undefined ? freshExportPath(lib, project.name, format) : path.resolve(dest);
  } catch (err) {
    throw placeError(err, project.name, path.join(lib.dataDir, ...DEFAULT_EXPORT_DIR));
  }
  const forbidden = insideDataDir(lib, target);
  if (forbidden) {
    throw new LibraryError('BAD_INPUT', `Cannot export project "${project.name}" to ${target}: ${forbidden}. Choose a place outside it.`);
  }

  if (format === 'zip') {
    // From the rows, before anything is read: a project too big for a zip is not loaded for nothing.
    const entries = 1 + images.length + images.filter((i) => i.thumb_file).length + masks.length + artefacts.length;
    const bytes = [...images, ...masks, ...artefacts].reduce((sum, row) => sum + row.bytes, 0);
    if (entries > ZIP_MAX_ENTRIES || bytes > ZIP_MAX_BYTES) {
      throw new LibraryError('BAD_INPUT', `Project "${project.name}" is too big for a zip (${entries} files, ${(bytes / 1024 ** 3).toFixed(1)} GiB; ` +
        `a zip without zip64 holds at most ${ZIP_MAX_ENTRIES.toLocaleString('en-US')} files and 4 GiB). Export it as a folder instead; nothing was written.`);
    }
  }
  let replaced = false;
  if (format === 'zip' && !replace && fs.existsSync(target) && fs.statSync(target).isFile()) {
    throw new LibraryError('CONFLICT', `Cannot export project "${project.name}" to ${target}: a file of that name is already there. ` +
      'Choose another name, or confirm that it may be replaced; nothing was written.');
  }

  const payload = new Map<string, Uint8Array>();
  const files: ProjectManifest['files'] = [];
  const runName = new Map(runs.map((r) => [r.id, r.name]));
  const add = (what: string, rel: string, expectSha?: string): void => {
    let data: Buffer;
    try {
      data = fs.readFileSync(path.join(lib.assetsDir, rel));
    } catch (err) {
      throw new LibraryError('IO', `Cannot export project "${project.name}": the file of ${what} (${rel}) is missing or unreadable in the library ` +
        `(${(err as Error).message}). Put the file back, or move ${what} to the trash, and export again; nothing was written.`, undefined, { cause: err });
    }
    const sha = sha256(data);
    if (expectSha && sha !== expectSha) {
      throw new LibraryError('IO', `Cannot export project "${project.name}": the file of ${what} (${rel}) does not match its recorded sha256 ` +
        `(damaged on disk). Move ${what} to the trash and export again; nothing was written.`);
    }
    payload.set(rel, data);
    files.push({ path: rel, bytes: data.length, sha256: sha });
  };
  for (const i of images) {
    add(`image "${i.name}"`, i.file, i.sha256);
    if (i.thumb_file) add(`image "${i.name}"`, i.thumb_file);
  }
  for (const m of masks) add(`mask "${m.name}"`, m.file, m.sha256);
  for (const a of artefacts) add(`run "${runName.get(a.run_id) ?? a.run_id}"`, a.file, a.sha256);

  const manifest: ProjectManifest = {
    format: FORMAT, formatVersion: 1, exportedAt: new Date().toISOString(),
    appVersion: runs[0]?.app_version ?? '0.0.0',
    project: { id: project.id, name: project.name, createdAt: project.created_at, updatedAt: project.updated_at, tags: splitTags(project.tags) },
    images: images.map((i) => ({ id: i.id, name: i.name, file: i.file, thumb: i.thumb_file, sha256: i.sha256, bytes: i.bytes, width: i.width, height: i.height, createdAt: i.created_at })),
    masks: masks.map((m) => ({ id: m.id, imageId: m.image_id, name: m.name, file: m.file, sha256: m.sha256, bytes: m.bytes, area: m.area, createdAt: m.created_at })),
    runs: runs.map((r) => ({
      id: r.id, imageId: r.image_id, maskIds: r.mask_ids ? r.mask_ids.split(',') : [], name: r.name, kind: r.kind,
      ...(r.other_mask_ids ? { otherMaskIds: r.other_mask_ids.split(',') } : {}),
      status: r.status as 'succeeded' | 'failed' | 'cancelled', packId: r.pack_id, packName: r.pack_name, packVersion: r.pack_version,
      method: r.method, params: JSON.parse(r.params_json), seed: r.seed, executionProvider: r.execution_provider, appVersion: r.app_version,
      report: r.report_json ? JSON.parse(r.report_json) : null, metrics: r.metrics_json ? JSON.parse(r.metrics_json) : null,
      error: r.error, objectMs: r.object_ms, speedup: r.speedup, quality: r.quality,
      baselineRunId: r.baseline_run_id && runIds.has(r.baseline_run_id) ? r.baseline_run_id : null,
      schedule: r.schedule_json ? JSON.parse(r.schedule_json) : null,
      createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at, tags: splitTags(r.tags),
    })),
    artefacts: artefacts.map((a) => ({ id: a.id, runId: a.run_id, kind: a.kind, file: a.file, sha256: a.sha256, bytes: a.bytes, createdAt: a.created_at })),
    files,
  };
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest, null, 2));
  const total = files.reduce((s, f) => s + f.bytes, 0) + manifestBytes.length;

  // Built beside the target under a temp name, then renamed: an export stopped midway leaves nothing under
  // the chosen name. The writes are awaited so that a Ctrl-C is heard between them (`signal`); the temp is
  // then removed. A temp left by a killed export (SIGKILL, power loss) goes at a later export to the place.
  removeStaleTemps(target);
  const tmp = `${target}${TEMP_MARKER}${randomBytes(6).toString('hex')}`;
  try {
    if (format === 'folder' && fs.existsSync(target) && fs.readdirSync(target).length > 0) {
      throw new LibraryError('CONFLICT', `Cannot export into ${target}: the folder is not empty. Choose a new or empty folder.`);
    }
    onTemp?.(tmp);
    if (format === 'zip') {
      const zippable: Zippable = { [PROJECT_MANIFEST]: manifestBytes };
      // PNG and GLB are already compressed or binary; a light level keeps export quick.
      for (const [rel, data] of payload) zippable[rel] = [data, { level: 1 }];
      const zip = zipSync(zippable, { level: 6 });
      await writeDurably(tmp, zip);
      throwIfAborted(signal);
      replaced = fs.existsSync(target);
      fs.renameSync(tmp, target);
    } else {
      for (const [rel, data] of payload) {
        throwIfAborted(signal);
        await writeDurably(path.join(tmp, rel), data);
      }
      await writeDurably(path.join(tmp, PROJECT_MANIFEST), manifestBytes);
      throwIfAborted(signal);
      if (fs.existsSync(target)) fs.rmdirSync(target);
      fs.renameSync(tmp, target);
    }
  } catch (err) {
    removeTemp(tmp);
    if (err instanceof AbortError) throw err;
    throw placeError(err, project.name, target);
  }
  return { path: target, files: files.length + 1, bytes: total, replaced, images: images.length, runs: runs.length, left };
}

/**
 * A failure writing an export to `target`, said of that place (the folder the user chose, or the data
 * folder's exports folder), not of the library: a full disk there is freed or another place chosen.
 */
function placeError(err: unknown, projectName: string, target: string): LibraryError {
  if (err instanceof LibraryError) return err;
  const where = destinationProblem(err);
  if (where) return new LibraryError('BAD_INPUT', `Cannot export project "${projectName}" to ${target}: ${where}. Choose another place.`, undefined, { cause: err });
  return asLibraryError(err, `export project "${projectName}" to ${target}`, {
    disk: path.dirname(target),
    advice: 'Free some space there, or export it to another disk',
  });
}

/** Write `data` to a new file `file` (and its folders), flushed to disk. */
async function writeDurably(file: string, data: Uint8Array): Promise<void> {
  makeDirsSync(path.dirname(file));
  const fh = await fsp.open(file, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Remove an export's temp file or folder; one that could not be made (a file in the way) is no error. */
export function removeTemp(tmp: string): void {
  try {
    fs.rmSync(tmp, { recursive: true, force: true });
  } catch {
    /* nothing of it is there */
  }
}

/** How old a temp export beside a target must be to be taken for a killed export's, not one under way. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * Remove the temp files and folders that exports to `target` left when their process was killed: only
 * names this code makes (`<target>.partial-` + 8 or 12 hex digits) and only ones not touched for an hour.
 */
function removeStaleTemps(target: string): void {
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const ours = new RegExp(`^${escape(path.basename(target) + TEMP_MARKER)}([0-9a-f]{8}|[0-9a-f]{12})$`);
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(target));
  } catch {
    return; // the folder is made at the write, or its error said there
  }
  for (const name of names.filter((n) => ours.test(n))) {
    const stale = path.join(path.dirname(target), name);
    try {
      if (Date.now() - fs.lstatSync(stale).mtimeMs > STALE_TEMP_MS) fs.rmSync(stale, { recursive: true, force: true });
    } catch {
      /* gone meanwhile, or not ours to remove: the export goes on */
    }
  }
}

/** The name an export of `projectName` gets in a folder: `<name>.zip`, or `<name>` for a folder export (cleaned for file names). */
export function exportFileName(projectName: string, format: 'folder' | 'zip'): string {
  return `${fileBaseName(projectName, 'project')}${format === 'zip' ? '.zip' : ''}`;
}

/** `<data>/exports/projects/<project name>.zip` (or a folder), with `-2`, `-3` … beside earlier exports. */
function freshExportPath(lib: Library, projectName: string, format: 'folder' | 'zip'): string {
  const dir = path.join(lib.dataDir, ...DEFAULT_EXPORT_DIR);
  makeDirsSync(dir);
  const base = fileBaseName(projectName, 'project');
  const ext = format === 'zip' ? '.zip' : '';
  for (let k = 1; ; k++) {
    const candidate = path.join(dir, k === 1 ? exportFileName(projectName, format) : `${base}-${k}${ext}`);
    if (!fs.existsSync(candidate)) return candidate;
  }
}

/** `p` with its nearest existing ancestor resolved through symlinks (the rest need not exist yet). */
function realish(p: string): string {
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(cur), ...rest);
    } catch {
      const up = path.dirname(cur);
      if (up === cur) return p;
      rest.unshift(path.basename(cur));
      cur = up;
    }
  }
}

/**
 * Why `target` may not receive an export, or null: the data folder holds the live database and an asset
 * store whose unreferenced files are deleted at open, so only its `exports` folder may take an export.
 */
function insideDataDir(lib: Library, target: string): string | null {
  const data = realish(lib.dataDir);
  const t = realish(target);
  const within = (root: string): boolean => t === root || t.startsWith(root + path.sep);
  if (within(data) && !within(path.join(data, 'exports'))) return `that is inside the library's data folder (${data}), which the app manages`;
  return null;
}

/** What is wrong with a destination the user chose, from the error writing to it; null when it is not that. */
function destinationProblem(err: unknown): string | null {
  switch ((err as NodeJS.ErrnoException | null)?.code) {
    case 'EACCES':
    case 'EPERM':
      return 'no permission to write there';
    case 'EROFS':
      return 'it is on a read-only disk';
    case 'EISDIR':
      return 'a folder of that name is already there';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'a file is in the way (the path or a folder above it is a file)';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'ENOENT':
      return 'files cannot be created there';
    default:
      return null;
  }
}

// ------------------------------------------------------------------------------ import -----------

function readFolder(root: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let total = 0;
  const walk = (dir: string, rel: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      const abs = path.join(dir, e.name);
      const st = fs.lstatSync(abs);
      if (st.isSymbolicLink()) throw bad(`"${childRel}" is a symbolic link; archives may contain only plain files`);
      if (st.isDirectory()) walk(abs, childRel);
      else if (st.isFile()) {
        checkArchivePath(childRel);
        total += st.size;
        if (total > MAX_TOTAL_BYTES || out.size >= MAX_FILES) throw bad(`the folder holds more than ${MAX_TOTAL_BYTES} bytes or ${MAX_FILES} files`);
        out.set(childRel, fs.readFileSync(abs));
      } else throw bad(`"${childRel}" is not a plain file`);
    }
  };
  walk(root, '');
  return out;
}

function readZip(file: string): Map<string, Uint8Array> {
  const size = fs.statSync(file).size;
  if (size > MAX_TOTAL_BYTES) throw bad(`the zip is larger than ${MAX_TOTAL_BYTES} bytes`);
  return unzipEntries(fs.readFileSync(file), file);
}

/** The entries of a zip's bytes, checked path by path and size by size before anything is inflated. */
function unzipEntries(bytes: Uint8Array, label: string): Map<string, Uint8Array> {
  if (bytes.length < 4 || new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) !== 0x04034b50) {
    throw bad(`${label} is not a zip file; choose the .zip that "Export project" wrote`);
  }
  let declared = 0;
  let count = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter(f) {
        if (f.name.endsWith('/')) return false; // folder entries carry nothing
        checkArchivePath(f.name);
        declared += f.originalSize;
        count++;
        // Checked before inflating, so a zip bomb is refused without being expanded.
        if (declared > MAX_TOTAL_BYTES || count > MAX_FILES) throw bad(`the zip expands to more than ${MAX_TOTAL_BYTES} bytes or ${MAX_FILES} files`);
        return true;
      },
    });
  } catch (err) {
    if (err instanceof LibraryError) throw err;
    throw bad(`the zip is damaged or incomplete (${(err as Error).message}); copy it again or export the project again`);
  }
  return new Map(Object.entries(entries));
}

/** Check the archive completely; returns the manifest. Throws BAD_ARCHIVE naming the first problem. */
function validate(entries: Map<string, Uint8Array>): ProjectManifest {
  const raw = entries.get(PROJECT_MANIFEST);
  if (!raw) throw bad(`it has no ${PROJECT_MANIFEST}`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(raw));
  } catch (err) {
    throw bad(`${PROJECT_MANIFEST} is not valid JSON (${(err as Error).message})`);
  }
  const version = (json as { format?: unknown; formatVersion?: unknown } | null)?.formatVersion;
  if ((json as { format?: unknown } | null)?.format === FORMAT && typeof version === 'number' && version > 1) {
    throw bad(`it was written by a newer version of Fast-SAM3D Studio (project format ${version}; this version reads format 1). Update the app, then import it`);
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(`${PROJECT_MANIFEST} is not a Fast-SAM3D Studio project manifest (${issue.path.join('.')}: ${issue.message})`);
  }
  const m = parsed.data;

  const listed = new Map<string, { bytes: number; sha256: string }>();
  for (const f of m.files) {
    checkArchivePath(f.path);
    if (f.path === PROJECT_MANIFEST) throw bad(`the manifest lists itself`);
    if (listed.has(f.path)) throw bad(`"${f.path}" is listed twice`);
    listed.set(f.path, f);
    const data = entries.get(f.path);
    if (!data) throw bad(`"${f.path}" is listed in the manifest but missing`);
    if (data.length !== f.bytes) throw bad(`"${f.path}" has ${data.length} bytes, the manifest says ${f.bytes}`);
    if (sha256(data) !== f.sha256) throw bad(`"${f.path}" does not match its sha256 in the manifest (damaged or altered)`);
  }
  for (const p of entries.keys()) {
    if (p !== PROJECT_MANIFEST && !listed.has(p)) throw bad(`"${p}" is not listed in the manifest`);
  }

  // Each file belongs to one row, as in any export: a small archive naming one file from a million rows
  // would otherwise write it a million times.
  const used = new Set<string>();
  const fileOf = (what: string, rel: string, sha?: string, bytes?: number): void => {
    const f = listed.get(rel);
    if (!f) throw bad(`${what} refers to "${rel}", which is not in the archive`);
    if (used.has(rel)) throw bad(`${what} refers to "${rel}", which another row already uses`);
    used.add(rel);
    if ((sha !== undefined && f.sha256 !== sha) || (bytes !== undefined && f.bytes !== bytes)) throw bad(`${what} does not match the file "${rel}"`);
  };
  const images = new Set<string>();
  for (const i of m.images) {
    if (images.has(i.id)) throw bad(`image id ${i.id} appears twice`);
    images.add(i.id);
    // The asset protocol serves a file by its extension: an ".html" or ".svg" "photo" would be a page.
    if (!IMAGE_EXT[path.extname(i.file).toLowerCase()]) throw bad(`image "${i.name}" is "${i.file}", not a PNG, JPEG, WebP or TIFF file`);
    fileOf(`image "${i.name}"`, i.file, i.sha256, i.bytes);
    if (i.thumb) fileOf(`the thumbnail of image "${i.name}"`, i.thumb);
  }
  const maskImage = new Map<string, string>();
  for (const k of m.masks) {
    if (!images.has(k.imageId)) throw bad(`mask "${k.name}" belongs to an image that is not in the archive`);
    if (maskImage.has(k.id)) throw bad(`mask id ${k.id} appears twice`);
    maskImage.set(k.id, k.imageId);
    fileOf(`mask "${k.name}"`, k.file, k.sha256, k.bytes);
  }
  const runs = new Set(m.runs.map((r) => r.id));
  if (runs.size !== m.runs.length) throw bad(`a run id appears twice`);
  for (const r of m.runs) {
    if (!images.has(r.imageId)) throw bad(`run "${r.name}" uses an image that is not in the archive`);
    for (const k of r.maskIds) if (maskImage.get(k) !== r.imageId) throw bad(`run "${r.name}" uses a mask that is not in the archive or belongs to another image`);
    for (const k of r.otherMaskIds ?? []) if (maskImage.get(k) !== r.imageId) throw bad(`run "${r.name}" counts a mask beside it that is not in the archive or belongs to another image`);
    if (r.baselineRunId && !runs.has(r.baselineRunId)) throw bad(`run "${r.name}" links a baseline run that is not in the archive`);
  }
  const artefactIds = new Set<string>();
  for (const a of m.artefacts) {
    if (!runs.has(a.runId)) throw bad(`artefact ${a.id} belongs to a run that is not in the archive`);
    if (artefactIds.has(a.id)) throw bad(`artefact id ${a.id} appears twice`);
    artefactIds.add(a.id);
    fileOf(`artefact ${a.kind} of run ${a.runId}`, a.file, a.sha256, a.bytes);
  }
  return m;
}

/**
 * The files' contents, once their bytes match the manifest: photos, thumbnails and masks are what the
 * library would have stored itself (a renamed HTML page or a mask of another size would reach the window
 * and the pipeline otherwise), meshes start as their format does. Returns each photo's upright size and
 * each mask's area as measured, with the PNG to store (turned upright where it was made on a turned
 * photo's stored pixels).
 */
interface CheckedContents { sizes: Map<string, MaskTarget>; masks: { area: number; png: Buffer }[] }
async function checkContents(m: ProjectManifest, entries: Map<string, Uint8Array>): Promise<CheckedContents> {
  const buffer = (rel: string): Buffer => {
    const data = entries.get(rel)!;
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  };
  const sizes = new Map<string, MaskTarget>();
  for (const i of m.images) {
    const head = await photoHeader(buffer(i.file));
    if ('problem' in head) throw bad(`the photo of image "${i.name}" (${i.file}) ${head.problem.replace(/; import .*$/, '')}`);
    if (`.${head.ext}` !== IMAGE_EXT[path.extname(i.file).toLowerCase()]) throw bad(`the photo of image "${i.name}" (${i.file}) is a ${head.format} file under another extension`);
    // An archive of an earlier version recorded an EXIF-turned photo at its stored size: either is its size.
    const stored = swapsSides(head.orientation) && head.width === i.height && head.height === i.width;
    if ((head.width !== i.width || head.height !== i.height) && !stored) {
      throw bad(`the photo of image "${i.name}" is ${head.width}×${head.height}, the manifest says ${i.width}×${i.height}`);
    }
    const tooLarge = oversizeProblem(head.width, head.height, `the photo of image "${i.name}"`);
    if (tooLarge) throw bad(tooLarge.replace(/\.$/, ''));
    if (i.thumb && !(await isPng(buffer(i.thumb)))) throw bad(`the thumbnail of image "${i.name}" (${i.thumb}) is not a PNG image`);
    sizes.set(i.id, { name: i.name, width: head.width, height: head.height, orientation: head.orientation });
  }
  const masks: CheckedContents['masks'] = [];
  for (const k of m.masks) {
    const checked = await maskFileArea(buffer(k.file), sizes.get(k.imageId)!);
    if ('problem' in checked) throw bad(`Mask "${k.name}": ${checked.problem.replace(/\.$/, '')} (${k.file})`);
    if (checked.area === 0) throw bad(`Mask "${k.name}" is empty (it selects nothing) (${k.file})`);
    masks.push(checked);
  }
  for (const a of m.artefacts) {
    const data = buffer(a.file);
    const ok = a.kind === 'glb' ? data.subarray(0, 4).toString('latin1') === 'glTF'
      : a.kind === 'ply' ? data.subarray(0, 4).toString('latin1') === 'ply\n' || data.subarray(0, 5).toString('latin1') === 'ply\r\n'
        : a.kind === 'thumbnail' ? await isPng(data)
          : !data.subarray(0, 65_536).includes(0); // OBJ is text
    if (!ok) throw bad(`the ${a.kind} file of run ${a.runId} (${a.file}) is not a ${a.kind === 'thumbnail' ? 'PNG image' : `${a.kind.toUpperCase()} file`}`);
  }
  return { sizes, masks };
}

async function isPng(data: Buffer): Promise<boolean> {
  const head = await photoHeader(data);
  return !('problem' in head) && head.format === 'png';
}

/** Import a project folder or zip (as written by exportProject) under new ids; returns the new project. */
export async function importProject(lib: Library, source: string): Promise<ProjectSummary> {
  const src = path.resolve(source);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(src);
  } catch {
    throw new LibraryError('NOT_FOUND', `No project archive at ${src}.`);
  }
  if (st.isSymbolicLink()) throw bad(`${src} is a symbolic link; choose the folder or zip itself`);
  // A pipe, socket or device would block or never end when read: only a plain file or a folder.
  if (!st.isDirectory() && !st.isFile()) throw bad(`${src} is not a file or a folder; choose the exported zip or folder`);
  return importEntries(lib, st.isDirectory() ? readFolder(src) : readZip(src));
}

/** Import a project zip from its bytes (the window's file picker); `name` is the file's, for messages. */
export async function importProjectData(lib: Library, name: string, data: Uint8Array): Promise<ProjectSummary> {
  if (data.length > MAX_TOTAL_BYTES) throw bad(`the zip is larger than ${MAX_TOTAL_BYTES} bytes`);
  return importEntries(lib, unzipEntries(data, `"${name}"`));
}

async function importEntries(lib: Library, entries: Map<string, Uint8Array>): Promise<ProjectSummary> {
  const m = validate(entries);
  const checked = await checkContents(m, entries);

  // New ids throughout, so a project can be imported next to its original (or twice).
  const ids = new Map<string, string>();
  const newId = (old: string): string => {
    let id = ids.get(old);
    if (!id) ids.set(old, (id = randomUUID()));
    return id;
  };
  const files: { rel: string; data: Uint8Array }[] = [];
  const place = (archivePath: string, rel: string): string => {
    files.push({ rel, data: entries.get(archivePath)! });
    return rel;
  };
  const projectId = randomUUID();
  const imageFiles = m.images.map((i) => ({
    file: place(i.file, `images/${newId(i.id)}${IMAGE_EXT[path.extname(i.file).toLowerCase()]}`),
    thumb: i.thumb ? place(i.thumb, `thumbs/${newId(i.id)}.png`) : null,
  }));
  const maskFiles = m.masks.map((k, n) => {
    const rel = `masks/${newId(k.id)}.png`;
    files.push({ rel, data: checked.masks[n].png });
    return rel;
  });
  const artefactFiles = m.artefacts.map((a) => place(a.file, `runs/${newId(a.runId)}/${newId(a.id)}.${ARTEFACT_EXT[a.kind]}`));

  // Names as the library stores its own (well-formed, trimmed, not invisible), whatever wrote the archive.
  const nameOr = (raw: string, fallback: string): string => tidyName(raw) || fallback;
  const projectName = lib.freshProjectName(nameOr(m.project.name, UNTITLED));
  lib.writeThenCommit(`import project "${projectName}"`, files, () => {
    const db = lib.db;
    const t = new Date().toISOString();
    db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)`).run(projectId, projectName, m.project.createdAt, t);
    const tag = db.prepare(`INSERT OR IGNORE INTO project_tags (project_id, tag) VALUES (?, ?)`);
    for (const x of tidyTags(m.project.tags)) tag.run(projectId, x);
    m.images.forEach((i, n) => {
      db.prepare(`INSERT INTO images (id, project_id, name, file, sha256, bytes, width, height, created_at, thumb_file) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(newId(i.id), projectId, nameOr(i.name, `image ${n + 1}`), imageFiles[n].file, i.sha256, i.bytes, checked.sizes.get(i.id)!.width, checked.sizes.get(i.id)!.height, i.createdAt, imageFiles[n].thumb);
    });
    m.masks.forEach((k, n) => {
      db.prepare(`INSERT INTO masks (id, image_id, name, file, sha256, bytes, area, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(newId(k.id), newId(k.imageId), nameOr(k.name, `mask ${n + 1}`), maskFiles[n], sha256(checked.masks[n].png), checked.masks[n].png.length, checked.masks[n].area, k.createdAt);
    });
    const insRun = db.prepare(
      `INSERT INTO runs (id, project_id, image_id, status, kind, job_id, pack_id, pack_name, pack_version, method, params_json, seed,
         execution_provider, app_version, report_json, error, object_ms, created_at, started_at, finished_at, name, baseline_run_id,
         speedup, quality, metrics_json, schedule_json, input_key)
       VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)`,
    );
    const insMask = db.prepare(`INSERT INTO run_masks (run_id, mask_id, position) VALUES (?, ?, ?)`);
    const insOther = db.prepare(`INSERT INTO run_other_masks (run_id, mask_id, position) VALUES (?, ?, ?)`);
    const keys = new Map<string, string>();
    const insTag = db.prepare(`INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)`);
    for (const r of m.runs) {
      const id = newId(r.id);
      const maskIds = r.maskIds.map(newId);
      const others = fitContextMaskIds(r.params, r.maskIds, r.otherMaskIds).map(newId);
      keys.set(id, runInputKey(r.packId, newId(r.imageId), maskIds, r.seed, r.params, others));
      insRun.run(id, projectId, newId(r.imageId), r.status, r.kind, r.packId, r.packName, r.packVersion, r.method, JSON.stringify(r.params),
        r.seed, r.executionProvider, r.appVersion, r.report === null ? null : JSON.stringify(r.report), r.error, r.objectMs, r.createdAt,
        r.startedAt, r.finishedAt, nameOr(r.name, `${r.method} run`), r.speedup, r.quality, r.metrics === null ? null : JSON.stringify(r.metrics),
        r.schedule === null ? null : JSON.stringify(r.schedule), keys.get(id));
      maskIds.forEach((k, n) => insMask.run(id, k, n));
      others.forEach((k, n) => insOther.run(id, k, n));
      for (const x of tidyTags(r.tags)) insTag.run(id, x);
    }
    // Baselines after all runs exist (the foreign key needs the target row). A link between runs of other
    // inputs (an archive written before keys held the steps and CFG, or edited) is not carried, nor what
    // was measured against it: the run waits for a baseline of its own inputs, as a new one does.
    const link = db.prepare(`UPDATE runs SET baseline_run_id = ? WHERE id = ?`);
    const unmeasured = db.prepare(`UPDATE runs SET speedup = NULL, quality = NULL, metrics_json = NULL WHERE id = ?`);
    for (const r of m.runs) {
      if (!r.baselineRunId) continue;
      const [id, base] = [newId(r.id), newId(r.baselineRunId)];
      if (keys.get(id) === keys.get(base)) link.run(base, id);
      else unmeasured.run(id);
    }
    m.artefacts.forEach((a, n) => {
      db.prepare(`INSERT INTO artefacts (id, run_id, kind, file, sha256, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(newId(a.id), newId(a.runId), a.kind, artefactFiles[n], a.sha256, a.bytes, a.createdAt);
    });
  });
  return lib.getProject(projectId);
}
