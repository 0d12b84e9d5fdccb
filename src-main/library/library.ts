/**
 * The project library: one SQLite database (WAL, foreign keys, versioned schema) plus an asset folder,
 * under a data folder:
 *
 *   <dataDir>/library.sqlite            projects, images, masks, runs, artefacts, tags
 *   <dataDir>/assets/images/<id>.<ext>  imported photos, as given
 *   <dataDir>/assets/thumbs/<id>.png    image thumbnails
 *   <dataDir>/assets/masks/<id>.png     masks
 *   <dataDir>/assets/runs/<runId>/…     run artefacts (GLB/OBJ/PLY/thumbnail)
 *
 * Write order for crash safety: files first (temp → fsync → rename), then the rows in one transaction.
 * A crash between the two leaves unreferenced files, which the sweep at open removes; deleting goes the
 * other way round (rows, then files). So the database never points at a missing or partial file.
 */
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { ArtefactKind, ArtefactRecord, ImageRecord, ListProjectsRequest, ListRunsRequest, MaskRecord, ProjectRecord, ProjectSummary, RunDetail, RunSummary } from '../../src-shared/api/library';
import { ListProjectsRequest as ListProjectsSchema, ListRunsRequest as ListRunsSchema } from '../../src-shared/api/library';
import { MAX_JOB_MASKS, type JobSubmitRequest } from '../../src-shared/api/jobs';
import { METHODS, samplerSettingsOf, type Method } from '../../src-shared/params';
import type { Mesh } from '../pipeline/types';
import { openDatabase } from './database';
import { HolderEntry, holderAlive, otherLiveHolders, selfHolder } from './lock';
import { LibraryError, asLibraryError, type WhereOptions } from './errors';
import { TEMP_MARKER, copyFileAtomic, listFilesRecursive, sha256, sha256File, writeFileAtomic } from './files';
import { cleanName, projectNameFromFile, tidyName, tidyTags } from './names';
import { readSam3dFolder } from '../pipeline/image/sam3d-folder';
import { MAX_INPUT_PIXELS, oversizeProblem } from '../pipeline/image/decode';
import { renderMeshThumbnail } from './mesh-thumbnail';
import { measureAgainstBaseline, runShape, type RunShape } from './quality';
import { readGlb } from '../export';
import {
  ARTEFACT_EXT, PROJECT_SELECT, RUN_SELECT, fitContextMaskIds, runInputKey, toArtefact, toImage, toMask, toProject, toRunSummary,
  type ArtefactRow, type ImageRow, type MaskRow, type ProjectRow, type RunRow, type RunStatus,
} from './records';
import { makeDirsSync } from '../files/make-dirs';
import { checkMask, fileOrientation, maskPixelKey, photoHeader, type MaskTarget } from './media-checks';
import { uprightOldPhotos } from './upright-photos';

export interface LibraryOpenOptions {
  /** better_sqlite3.node for another ABI (Electron passes its rebuilt binary). */
  nativeBinding?: string;
  /** Open for reading only: no migration, no sweep, no writes (a second connection, a viewer). */
  readonly?: boolean;
  /** Recorded in runs that do not name their own app version. */
  appVersion?: string;
  /** Side of image and result thumbnails in pixels. */
  thumbnailSize?: number;
  /**
   * Measure each accelerated run against its baseline's GLB when both exist and no metrics were given
   * (fills `quality`). Default true.
   */
  autoQuality?: boolean;
}

export type ParamValue = number | boolean | string;

export interface BeginRunInput {
  imageId: string;
  /** One mask for an object run; a scene run lists its objects' masks in order. */
  maskIds: string[];
  kind?: 'object' | 'scene';
  jobId?: string;
  packId: string;
  packName: string;
  packVersion: string;
  method: Method;
  /** The fully resolved parameters (resolveParams output plus the pack's sampler values). */
  params: Record<string, ParamValue | undefined>;
  executionProvider: string;
  appVersion?: string;
  /** The acceleration-off run this one is compared with; found automatically when absent. */
  baselineRunId?: string;
  name?: string;
  status?: 'queued' | 'running';
  /**
   * Masks of the same image that fit to mask counted beside the run's own (the thing in front, the other
   * objects of its job): kept so a duplicate of the run fits to the same ones, and part of its input key.
   * Ignored: the run's own, and all of them when the run's params do not have fitToMask.
   */
  otherMaskIds?: string[];
}

export interface ArtefactInput {
  kind: ArtefactKind;
  /** A file to copy into the library (the worker's output folder), or the bytes themselves. */
  path?: string;
  data?: Uint8Array;
}

export interface FinishRunInput {
  /** The pipeline's RunReport (src-shared/report.ts), stored as JSON. */
  report: unknown;
  artefacts: ArtefactInput[];
  /** The result mesh, for the thumbnail; without it the first GLB artefact is read back. */
  mesh?: Mesh;
  /** Quality metrics against the baseline or a reference (f1 in percent, cd, viou, …). */
  metrics?: Record<string, number>;
}

export interface TrashEmptied {
  /** Trashed projects, images and runs deleted for good (a project's or image's contents not counted). */
  projects: number; images: number; runs: number; filesRemoved: number;
  /** Trashed items left in the trash because they still have queued or running runs. */
  kept: { projects: number; images: number; runs: number };
}

type TrashRows = { counts: Omit<TrashEmptied, 'filesRemoved' | 'kept'>; kept: TrashEmptied['kept']; files: string[] };

const MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp', tif: 'image/tiff' };
const INTERRUPTED = 'Interrupted: the app stopped before this run finished. Run it again.';

/**
 * `executionProvider` of a run recorded before the worker said which provider it uses (the job adapter
 * queues runs with it). A run that ends without the worker naming one is stored as UNKNOWN_PROVIDER.
 */
export const PENDING_PROVIDER = 'pending';
export const UNKNOWN_PROVIDER = 'unknown';

/** SQL for a finished run's provider: the one bound as `?` when the worker named it, else the stored one, 'pending' read as unknown. */
const PROVIDER_OR_UNKNOWN = `COALESCE(?, CASE WHEN execution_provider = '${PENDING_PROVIDER}' THEN '${UNKNOWN_PROVIDER}' ELSE execution_provider END)`;

const now = (): string => new Date().toISOString();

/** Shared by every Library in the process, so two instances on one folder never sweep each other's writes. */
const PENDING_FILES = new Set<string>();

/** The instances open in this process (their `HolderEntry.instance`): a run whose owner is not among them, here, has no one to finish it. */
const OPEN_INSTANCES = new Set<string>();

/**
 * `runs.owner`: the Library instance that recorded a queued or running run (pid, start time, instance).
 * A run whose owner has gone will never finish, whoever else has the library open.
 */
function ownerKey(entry: HolderEntry): string {
  const self = selfHolder();
  return `${self.pid}:${self.started ?? ''}:${entry.instance}`;
}

function ownerAlive(owner: string): boolean {
  const [pidText, started, instance] = owner.split(':');
  const pid = Number(pidText);
  const self = selfHolder();
  if (pid === self.pid && (started || null) === self.started) return OPEN_INSTANCES.has(instance ?? '');
  return holderAlive({ pid, started: started || null });
}

/** Where a library write failed for lack of space: the data folder, which the user may clean up or move. */
function dataFolder(dir: string): WhereOptions {
  return { disk: `the library's data folder ${dir}` };
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class Library {
  readonly dbPath: string;
  readonly assetsDir: string;
  /** Files written by operations still in progress in this process (any instance): the sweep must not take them. */
  private readonly pending = PENDING_FILES;
  private readonly holder: HolderEntry;
  /** What opening found and did that the user must know (shown by the window under "startup problems"). */
  readonly startupNotices: string[] = [];

  private constructor(
    readonly dataDir: string,
    readonly db: Database.Database,
    private readonly options: LibraryOpenOptions,
  ) {
    this.dbPath = path.join(dataDir, 'library.sqlite');
    this.assetsDir = path.join(dataDir, 'assets');
    this.holder = new HolderEntry(dataDir);
  }

  /**
   * Open (creating if needed) the library in `dataDir`. Throws LibraryError CORRUPT_DATABASE or
   * NEWER_DATABASE, with a backup copy made, when the database cannot be used as it is.
   */
  static open(dataDir: string, options: LibraryOpenOptions = {}): Library {
    const dir = path.resolve(dataDir);
    if (!options.readonly) {
      try {
        makeDirsSync(path.join(dir, 'assets'));
      } catch (err) {
        throw asLibraryError(err, `create the data folder ${dir} (choose a writable folder)`, dataFolder(dir));
      }
    }
    const dbPath = path.join(dir, 'library.sqlite');
    const newDatabase = !options.readonly && !(fs.existsSync(dbPath) && fs.statSync(dbPath).size > 0);
    const db = openDatabase(dbPath, options);
    const lib = new Library(dir, db, options);
    if (!options.readonly) {
      try {
        lib.holder.register();
        OPEN_INSTANCES.add(lib.holder.instance);
        const alone = otherLiveHolders(dir).length === 0;
        if (newDatabase && alone) lib.setAsideUnlistedAssets();
        lib.recoverAfterCrash(alone);
      } catch (err) {
        lib.close();
        throw asLibraryError(err, `open the library in ${dir}`, dataFolder(dir));
      }
    }
    return lib;
  }

  close(): void {
    if (OPEN_INSTANCES.delete(this.holder.instance)) {
      try {
        this.holder.release();
      } catch {
        /* entry already gone */
      }
    }
    if (this.db.open) this.db.close();
  }

  // ---------------------------------------------------------------- crash recovery -------------------

  /**
   * A new (or empty) database beside an assets folder that already holds files: the database of an earlier
   * library was lost, moved away or emptied (a zero-byte file), and those files are that library's photos,
   * masks and results. The orphan sweep would delete every one of them, since no row of the new database
   * refers to them; move the folder aside untouched instead, and say where it went.
   */
  private setAsideUnlistedAssets(): void {
    const files = listFilesRecursive(this.assetsDir).filter((rel) => !rel.includes(TEMP_MARKER));
    if (files.length === 0) return;
    const aside = path.join(this.dataDir, `assets-without-database-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    fs.renameSync(this.assetsDir, aside);
    makeDirsSync(this.assetsDir);
    this.startupNotices.push(
      `The library database ${this.dbPath} was missing or empty, but ${files.length} file${files.length === 1 ? '' : 's'} of an ` +
        `earlier library (photos, masks, results) ${files.length === 1 ? 'was' : 'were'} in its assets folder. They were moved, untouched, to ${aside}, and a new, ` +
        `empty library was started. To get the earlier library back, quit the app, put its database back as library.sqlite ` +
        `(a library.sqlite.*.bak copy beside it, or your backup) and move that folder back to ${this.assetsDir}.`,
    );
    console.warn(`[library] ${this.startupNotices[this.startupNotices.length - 1]}`);
  }

  /**
   * At open: mark the runs whose recording process has gone as failed (always), and, when no other live
   * process has this library open, remove temp and unreferenced files and the job folders no run needs.
   * With another live process here, its half-written files and job folders are its own: leave them.
   */
  private recoverAfterCrash(alone: boolean): void {
    this.failStrandedRuns(alone);
    // Runs that ended without the worker naming its provider (also those recorded by older builds).
    this.db
      .prepare(`UPDATE runs SET execution_provider = ? WHERE execution_provider = ? AND status NOT IN ('queued', 'running')`)
      .run(UNKNOWN_PROVIDER, PENDING_PROVIDER);
    if (!alone) return;
    this.sweepOrphans();
    // Only runs of live processes are still queued or running: every other job folder is a leftover.
    this.sweepJobFolders();
  }

  /**
   * Runs left queued or running by a Library that has gone (its process crashed or was killed, or it was
   * closed) become failed ("Interrupted: …"), so that they can be trashed and run again. Runs recorded
   * before runs had owners count as stranded only when `alone` (this process is the library's only one;
   * asked of the holder registry only when such a run is there). Called at open and whenever in-progress
   * runs matter (listing runs, trashing), so that a window beside a crashed one does not show its runs as
   * running for good: with nothing in progress, that is one indexed query. Returns how many were marked.
   */
  failStrandedRuns(alone?: boolean): number {
    if (this.options.readonly) return 0;
    const active = this.db.prepare(`SELECT id, owner FROM runs WHERE status IN ('queued', 'running')`).all() as { id: string; owner: string | null }[];
    if (active.length === 0) return 0;
    const ownerlessToo = () => (alone ??= otherLiveHolders(this.dataDir).length === 0);
    const stranded = active.filter((r) => (r.owner === null ? ownerlessToo() : !ownerAlive(r.owner))).map((r) => r.id);
    if (stranded.length === 0) return 0;
    try {
      this.db.transaction(() => {
        const fail = this.db.prepare(`UPDATE runs SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status IN ('queued', 'running')`);
        for (const id of stranded) fail.run(INTERRUPTED, now(), id);
      })();
    } catch (err) {
      throw asLibraryError(err, 'mark the runs of a closed app as interrupted', dataFolder(this.dataDir));
    }
    return stranded.length;
  }

  /**
   * Remove the job folders (`<dataDir>/jobs/<jobId>/`, the worker's output) that no queued or running
   * run refers to by its job id: what a crash, or a job service that did not clean up, left behind.
   * Folders named in `keep` (job ids the caller still uses) and folders modified less than `minAgeMs`
   * ago (default 0) stay. Only folders directly under the jobs folder are considered; files and links
   * there are left alone. Returns the job ids removed and kept; never throws (a folder that cannot be
   * removed is listed in `failed`).
   */
  sweepJobFolders(options: { keep?: Iterable<string>; minAgeMs?: number } = {}): { removed: string[]; kept: string[]; failed: string[] } {
    const result = { removed: [] as string[], kept: [] as string[], failed: [] as string[] };
    const jobsDir = path.join(this.dataDir, 'jobs');
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(jobsDir, { withFileTypes: true });
    } catch {
      return result; // no jobs folder yet
    }
    const keep = new Set(options.keep ?? []);
    const active = this.db
      .prepare(`SELECT DISTINCT job_id FROM runs WHERE job_id IS NOT NULL AND status IN ('queued', 'running')`)
      .pluck()
      .all() as string[];
    for (const id of active) keep.add(id);
    const minAge = options.minAgeMs ?? 0;
    const t = Date.now();
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const dir = path.join(jobsDir, e.name);
      try {
        if (keep.has(e.name) || (minAge > 0 && t - fs.statSync(dir).mtimeMs < minAge)) {
          result.kept.push(e.name);
          continue;
        }
        fs.rmSync(dir, { recursive: true, force: true });
        result.removed.push(e.name);
      } catch {
        result.failed.push(e.name);
      }
    }
    return result;
  }

  /** Delete temp files and files no row refers to; returns how many were removed. */
  sweepOrphans(): number {
    const referenced = new Set<string>();
    const rows = this.db
      .prepare(
        `SELECT file FROM images UNION ALL SELECT thumb_file FROM images WHERE thumb_file IS NOT NULL
         UNION ALL SELECT file FROM masks UNION ALL SELECT file FROM artefacts`,
      )
      .pluck()
      .all() as string[];
    for (const f of rows) referenced.add(f);
    let removed = 0;
    for (const rel of listFilesRecursive(this.assetsDir)) {
      const abs = path.join(this.assetsDir, rel);
      if (this.pending.has(abs)) continue;
      if (rel.includes(TEMP_MARKER) || !referenced.has(rel)) {
        fs.rmSync(abs, { force: true });
        removed++;
      }
    }
    // Empty run folders are left by emptied runs; remove them so the store mirrors the table.
    const runsDir = path.join(this.assetsDir, 'runs');
    if (fs.existsSync(runsDir)) {
      for (const d of fs.readdirSync(runsDir)) {
        const p = path.join(runsDir, d);
        try {
          if (fs.readdirSync(p).length === 0) fs.rmdirSync(p);
        } catch {
          /* not a folder or not empty */
        }
      }
    }
    return removed;
  }

  /**
   * Check every row's file: present, right size, and (with `hashes`) right sha256. Returns the
   * problems found, empty when the library is consistent.
   */
  verify({ hashes = false }: { hashes?: boolean } = {}): string[] {
    const problems: string[] = [];
    const rows = this.db
      .prepare(
        `SELECT 'image ' || id AS what, file, bytes, sha256 FROM images
         UNION ALL SELECT 'mask ' || id, file, bytes, sha256 FROM masks
         UNION ALL SELECT 'artefact ' || id, file, bytes, sha256 FROM artefacts`,
      )
      .all() as { what: string; file: string; bytes: number; sha256: string }[];
    for (const r of rows) {
      const abs = path.join(this.assetsDir, r.file);
      let size: number;
      try {
        size = fs.statSync(abs).size;
      } catch {
        problems.push(`${r.what}: file ${r.file} is missing`);
        continue;
      }
      if (size !== r.bytes) problems.push(`${r.what}: file ${r.file} has ${size} bytes, expected ${r.bytes}`);
      else if (hashes) {
        if (sha256File(abs) !== r.sha256) problems.push(`${r.what}: file ${r.file} does not match its sha256`);
      }
    }
    const fk = this.db.pragma('foreign_key_check') as unknown[];
    if (fk.length > 0) problems.push(`${fk.length} rows break foreign keys`);
    return problems;
  }

  // ---------------------------------------------------------------- helpers --------------------------

  private abs(rel: string): string {
    return path.join(this.assetsDir, rel);
  }

  /** Write files, then run `commit` in one transaction; on any failure remove the files written. */
  /** @internal Used by archive import too: the one path by which files and rows enter the library. */
  writeThenCommit<T>(what: string, files: { rel: string; data?: Uint8Array; source?: string }[], commit: (stored: { sha256: string; bytes: number }[]) => T): T {
    const written: string[] = [];
    try {
      const stored = files.map((f) => {
        const target = this.abs(f.rel);
        this.pending.add(target);
        written.push(target);
        return f.source !== undefined ? copyFileAtomic(f.source, target) : writeFileAtomic(target, f.data!);
      });
      return this.db.transaction(() => commit(stored))();
    } catch (err) {
      for (const f of written) fs.rmSync(f, { force: true });
      throw asLibraryError(err, what, dataFolder(this.dataDir));
    } finally {
      for (const f of written) this.pending.delete(f);
    }
  }

  private touchProject(projectId: string): void {
    this.db.prepare(`UPDATE projects SET updated_at = ? WHERE id = ?`).run(now(), projectId);
  }

  private projectRow(id: string): ProjectRow {
    const row = this.db.prepare(`${PROJECT_SELECT} WHERE p.id = ?`).get(id) as ProjectRow | undefined;
    if (!row) throw new LibraryError('NOT_FOUND', `No project with id ${id}.`);
    return row;
  }

  private imageRow(id: string): ImageRow {
    const row = this.db.prepare(`SELECT * FROM images WHERE id = ?`).get(id) as ImageRow | undefined;
    if (!row) throw new LibraryError('NOT_FOUND', `No image with id ${id}.`);
    return row;
  }

  private maskRow(id: string): MaskRow {
    const row = this.db.prepare(`SELECT * FROM masks WHERE id = ?`).get(id) as MaskRow | undefined;
    if (!row) throw new LibraryError('NOT_FOUND', `No mask with id ${id}.`);
    return row;
  }

  /**
   * The image and masks a new run uses: they exist (NOT_FOUND), the masks belong to the image
   * (BAD_INPUT), and the image and its project are out of the trash (CONFLICT, saying which one to
   * restore): a run of a trashed image would never be listed, and emptying the trash would take its inputs.
   */
  private runInputRows(imageId: string, maskIds: string[]): { image: ImageRow; masks: MaskRow[] } {
    const image = this.imageRow(imageId);
    const masks = maskIds.map((id) => this.maskRow(id));
    for (const m of masks) {
      if (m.image_id !== image.id) throw new LibraryError('BAD_INPUT', `Mask "${m.name}" belongs to another image than "${image.name}".`);
    }
    if (image.deleted_at !== null) {
      throw new LibraryError('CONFLICT', `Image "${image.name}" is in the trash; restore it before running a job on it.`);
    }
    const project = this.db.prepare(`SELECT name, deleted_at FROM projects WHERE id = ?`).get(image.project_id) as { name: string; deleted_at: string | null };
    if (project.deleted_at !== null) {
      throw new LibraryError('CONFLICT', `Project "${project.name}" is in the trash; restore it before running a job on its images.`);
    }
    return { image, masks };
  }

  /** The masks fit to mask counted beside a run (BeginRunInput.otherMaskIds), in order. */
  otherMaskIdsOf(runId: string): string[] {
    return this.db.prepare(`SELECT mask_id FROM run_other_masks WHERE run_id = ? ORDER BY position`).pluck().all(runId) as string[];
  }

  private runRow(id: string): RunRow {
    const row = this.db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(id) as RunRow | undefined;
    if (!row) throw new LibraryError('NOT_FOUND', `No run with id ${id}.`);
    return row;
  }

  // ---------------------------------------------------------------- projects -------------------------

  /**
   * A name for a project the library makes itself (from a photo's file name, from an archive): `base`, or
   * `base (2)`, `base (3)` … when a project out of the trash already has it (case-insensitively). Every
   * SAM 3D folder's photo is image.png, and a project imported twice keeps its name: without this the
   * drawer fills with "image" and `fastsam3d project export image` cannot tell which. A name the user
   * types (create, rename) is theirs and is kept as typed.
   */
  freshProjectName(base: string): string {
    const taken = new Set((this.db.prepare(`SELECT lower(name) FROM projects WHERE deleted_at IS NULL`).pluck().all() as string[]));
    if (!taken.has(base.toLowerCase())) return base;
    let k = 2;
    while (taken.has(withSuffix(base, ` (${k})`).toLowerCase())) k++;
    return withSuffix(base, ` (${k})`);
  }

  createProject(name: string): ProjectRecord {
    const clean = cleanName(name, 'A project needs a name');
    const id = randomUUID();
    const t = now();
    try {
      this.db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)`).run(id, clean, t, t);
    } catch (err) {
      throw asLibraryError(err, `create project "${clean}"`, dataFolder(this.dataDir));
    }
    return this.getProjectRecord(id);
  }

  getProjectRecord(id: string): ProjectRecord {
    return toProject(this.projectRow(id));
  }

  getProject(id: string): ProjectSummary {
    return this.summarise(this.projectRow(id));
  }

  /**
   * A project's card: its photos and results out of the trash, and the cover. A run of a trashed photo
   * goes to the trash with it (the window lists neither; an export carries neither), so it is counted
   * and shown as the trash's, not the project's.
   */
  private summarise(row: ProjectRow): ProjectSummary {
    const counts = this.db
      .prepare(
        `SELECT (SELECT count(*) FROM images WHERE project_id = @id AND deleted_at IS NULL) AS images,
                (SELECT count(*) FROM runs r JOIN images i ON i.id = r.image_id
                  WHERE r.project_id = @id AND r.deleted_at IS NULL AND i.deleted_at IS NULL) AS runs`,
      )
      .get({ id: row.id }) as { images: number; runs: number };
    const run = this.db
      .prepare(
        `SELECT r.id FROM runs r JOIN images i ON i.id = r.image_id AND i.deleted_at IS NULL
           JOIN artefacts a ON a.run_id = r.id AND a.kind = 'thumbnail'
         WHERE r.project_id = ? AND r.deleted_at IS NULL ORDER BY r.created_at DESC, r.rowid DESC LIMIT 1`,
      )
      .pluck()
      .get(row.id) as string | undefined;
    const image = run
      ? undefined
      : (this.db
          .prepare(`SELECT id FROM images WHERE project_id = ? AND deleted_at IS NULL AND thumb_file IS NOT NULL ORDER BY created_at DESC, rowid DESC LIMIT 1`)
          .pluck()
          .get(row.id) as string | undefined);
    const cover = run ? { kind: 'run' as const, id: run } : image ? { kind: 'image' as const, id: image } : undefined;
    return { ...toProject(row), ...counts, ...(cover ? { cover } : {}) };
  }

  /** Projects for the grid, newest activity first; `query` matches names and tags. */
  listProjects(request: ListProjectsRequest = {}): ProjectSummary[] {
    const req = ListProjectsSchema.parse(request);
    const where: string[] = [req.trashed ? 'p.deleted_at IS NOT NULL' : 'p.deleted_at IS NULL'];
    const args: unknown[] = [];
    if (req.query) {
      where.push(`(p.name LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM project_tags t WHERE t.project_id = p.id AND t.tag LIKE ? ESCAPE '\\'))`);
      args.push(likePattern(req.query), likePattern(req.query));
    }
    if (req.tag) {
      where.push(`EXISTS (SELECT 1 FROM project_tags t WHERE t.project_id = p.id AND t.tag = ?)`);
      args.push(req.tag.trim());
    }
    const order = req.sort === 'name' ? 'p.name COLLATE NOCASE ASC' : 'p.updated_at DESC, p.rowid DESC';
    const rows = this.db.prepare(`${PROJECT_SELECT} WHERE ${where.join(' AND ')} ORDER BY ${order}`).all(...args) as ProjectRow[];
    return rows.map((r) => this.summarise(r));
  }

  renameProject(id: string, name: string): ProjectRecord {
    const clean = cleanName(name, 'A project name cannot be empty');
    this.projectRow(id);
    this.db.prepare(`UPDATE projects SET name = ?, updated_at = ? WHERE id = ?`).run(clean, now(), id);
    return this.getProjectRecord(id);
  }

  setProjectTags(id: string, tags: string[]): ProjectRecord {
    this.projectRow(id);
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM project_tags WHERE project_id = ?`).run(id);
      const ins = this.db.prepare(`INSERT INTO project_tags (project_id, tag) VALUES (?, ?)`);
      for (const t of tidyTags(tags)) ins.run(id, t);
      this.touchProject(id);
    })();
    return this.getProjectRecord(id);
  }

  /** Runs still queued or running would be lost with their image or project: refuse until they end. */
  private refuseActiveRuns(where: string, arg: string, what: string): void {
    this.failStrandedRuns();
    const n = this.db.prepare(`SELECT count(*) FROM runs WHERE ${where} AND status IN ('queued', 'running')`).pluck().get(arg) as number;
    if (n > 0) throw new LibraryError('CONFLICT', `${what} has ${n} run${n > 1 ? 's' : ''} still in progress; cancel ${n > 1 ? 'them' : 'it'} or wait before deleting.`);
  }

  trashProject(id: string): void {
    const row = this.projectRow(id);
    this.refuseActiveRuns('project_id = ?', id, `Project "${row.name}"`);
    this.db.prepare(`UPDATE projects SET deleted_at = ? WHERE id = ?`).run(now(), id);
  }

  restoreProject(id: string): ProjectRecord {
    this.projectRow(id);
    this.db.prepare(`UPDATE projects SET deleted_at = NULL WHERE id = ?`).run(id);
    return this.getProjectRecord(id);
  }

  // ---------------------------------------------------------------- images and masks -----------------

  /**
   * Store a photo, with its masks when given, in one transaction. Without `projectId` a new project named
   * after the image is created. Without `masks`, an RGBA image whose alpha is a real cut-out (SAM 3D
   * convention) yields a mask from its alpha channel.
   */
  /**
   * Import a photo (bytes or a file path), with mask PNGs or else the cut-out in its alpha channel, into
   * `projectId` or a new project named after the file. With `reuse`, the same bytes already in the library
   * (in `projectId` when given; image and project out of the trash) are not copied again: that image is
   * returned with all its masks, plus those of `masks` it does not hold yet, and `reused` is true.
   */
  async importImage(input: {
    projectId?: string; name: string; data: Uint8Array | string; masks?: { name: string; png: Uint8Array }[]; reuse?: boolean;
  }): Promise<{ image: ImageRecord; masks: MaskRecord[]; reused: boolean }> {
    const name = cleanName(input.name, 'An image needs a name');
    const data = typeof input.data === 'string' ? fs.readFileSync(input.data) : Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength);
    const meta = await photoHeader(data);
    if ('problem' in meta) throw new LibraryError('BAD_INPUT', `"${name}" ${meta.problem}`);
    const { ext } = meta;
    const tooLarge = oversizeProblem(meta.width, meta.height, `"${name}"`);
    if (tooLarge) throw new LibraryError('BAD_INPUT', tooLarge);
    if (input.projectId) this.projectRow(input.projectId);
    if (input.reuse) {
      const same = this.liveImageWithBytes(sha256(data), input.projectId);
      if (same) return { image: toImage(same), masks: await this.addNewMasks(same, input.masks ?? []), reused: true };
    }

    const size = this.options.thumbnailSize ?? 256;
    let thumb: Buffer;
    try {
      // The first full decode: a file whose header reads but whose pixels are cut off or damaged fails here.
      thumb = await sharp(data, { limitInputPixels: MAX_INPUT_PIXELS }).rotate().resize(size, size, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
    } catch (err) {
      throw new LibraryError('BAD_INPUT', `"${name}" is damaged or incomplete: its header reads as a ${meta.width}×${meta.height} ${meta.format} but its pixels cannot be decoded (${(err as Error).message.split('\n')[0]}). Export or copy the photo again.`);
    }
    const masks: PendingMask[] = [];
    if (input.masks) {
      masks.push(...(await checkedMasks(input.masks, { name, width: meta.width, height: meta.height, orientation: meta.orientation })));
    } else if (meta.hasAlpha) {
      const alpha = await cutoutFromAlpha(data, meta.width, meta.height);
      if (alpha) masks.push({ id: randomUUID(), name: 'alpha', ...alpha });
    }

    const imageId = randomUUID();
    const files = [
      { rel: `images/${imageId}.${ext}`, data },
      { rel: `thumbs/${imageId}.png`, data: thumb },
      ...masks.map((m) => ({ rel: maskFile(m), data: m.png })),
    ];
    const t = now();
    this.writeThenCommit(`import image "${name}"`, files, (stored) => {
      let projectId = input.projectId;
      if (!projectId) {
        projectId = randomUUID();
        this.db.prepare(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)`).run(projectId, this.freshProjectName(projectNameFromFile(name)), t, t);
      }
      this.db
        .prepare(`INSERT INTO images (id, project_id, name, file, sha256, bytes, width, height, created_at, thumb_file) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(imageId, projectId, name, files[0].rel, stored[0].sha256, stored[0].bytes, meta.width, meta.height, t, files[1].rel);
      masks.forEach((m, k) => this.insertMask(imageId, m, stored[2 + k], t));
      this.touchProject(projectId);
    });
    return { image: toImage(this.imageRow(imageId)), masks: masks.map((m) => toMask(this.maskRow(m.id))), reused: false };
  }

  /** The newest image holding exactly these bytes, itself and its project out of the trash. */
  private liveImageWithBytes(hash: string, projectId?: string): ImageRow | undefined {
    return this.db.prepare(
      `SELECT i.* FROM images i JOIN projects p ON p.id = i.project_id
       WHERE i.sha256 = ? AND i.deleted_at IS NULL AND p.deleted_at IS NULL AND (? IS NULL OR i.project_id = ?)
       ORDER BY i.created_at DESC, i.rowid DESC LIMIT 1`,
    ).get(hash, projectId ?? null, projectId ?? null) as ImageRow | undefined;
  }

  /**
   * Save the masks `image` does not hold yet (the same pixels are the same mask, whatever the file's
   * bytes), all or none as on a first import; returns all its masks.
   */
  private async addNewMasks(image: ImageRow, masks: { name: string; png: Uint8Array }[]): Promise<MaskRecord[]> {
    const heldRows = this.db.prepare(`SELECT file, sha256, area FROM masks WHERE image_id = ?`).all(image.id) as { file: string; sha256: string; area: number }[];
    const held = new Set(heldRows.map((r) => r.sha256));
    // Compared as stored: a mask on a turned photo's stored pixels is stored turned. The same mask in other
    // bytes (the SAM 3D folder's cut-out of a mask the window saved from that file) is the same mask too:
    // compared by its pixels, or an example opened again would come back with its mask twice. A held mask
    // is decoded only when a new one of its area comes.
    const heldKeys = new Map<string, string>();
    const heldKey = async (file: string): Promise<string> => {
      let k = heldKeys.get(file);
      if (k === undefined) {
        try {
          k = await maskPixelKey(fs.readFileSync(this.abs(file)));
        } catch {
          k = ''; // a missing or damaged file is the integrity check's to report; it matches nothing
        }
        heldKeys.set(file, k);
      }
      return k;
    };
    const newKeys = new Set<string>();
    const pending: PendingMask[] = [];
    for (const m of await checkedMasks(masks, await this.maskTarget(image.id))) {
      const hash = sha256(m.png);
      if (held.has(hash)) continue;
      const pixels = await maskPixelKey(m.png);
      if (newKeys.has(pixels)) continue;
      let same = false;
      for (const r of heldRows) if (r.area === m.area && (await heldKey(r.file)) === pixels) same = true;
      if (same) continue;
      held.add(hash);
      newKeys.add(pixels);
      pending.push(m);
    }
    if (pending.length) {
      this.writeThenCommit(`add masks to "${image.name}"`, pending.map((m) => ({ rel: maskFile(m), data: m.png })), (stored) => {
        const t = now();
        pending.forEach((m, k) => this.insertMask(image.id, m, stored[k], t));
        this.touchProject(image.project_id);
      });
    }
    return this.listMasks(image.id);
  }

  /** One mask row for a mask file `writeThenCommit` stored (inside its transaction). */
  private insertMask(imageId: string, m: PendingMask, stored: { sha256: string; bytes: number }, createdAt: string): void {
    this.db
      .prepare(`INSERT INTO masks (id, image_id, name, file, sha256, bytes, area, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(m.id, imageId, m.name, maskFile(m), stored.sha256, stored.bytes, m.area, createdAt);
  }

  /**
   * Import a folder in the SAM 3D Objects convention (image.png plus 0.png, 1.png, … RGBA cut-outs) as
   * one image with its masks ("object 0", "object 1", …), all or nothing.
   */
  async importSam3dFolder(dir: string, options: { projectId?: string; name?: string; reuse?: boolean } = {}): Promise<{ image: ImageRecord; masks: MaskRecord[]; reused: boolean }> {
    let folder: Awaited<ReturnType<typeof readSam3dFolder>>;
    try {
      folder = await readSam3dFolder(dir);
    } catch (err) {
      throw new LibraryError('BAD_INPUT', (err as Error).message.replace(/^./, (c) => c.toUpperCase()));
    }
    const masks = folder.masks.map((m) => ({ name: `object ${m.index}`, png: fs.readFileSync(m.path) }));
    return this.importImage({
      projectId: options.projectId, name: options.name ?? `${path.basename(path.resolve(dir))}${path.extname(folder.imagePath)}`,
      data: fs.readFileSync(folder.imagePath), masks, reuse: options.reuse,
    });
  }

  listImages(projectId: string): ImageRecord[] {
    this.projectRow(projectId);
    return (this.db.prepare(`SELECT * FROM images WHERE project_id = ? AND deleted_at IS NULL ORDER BY created_at, rowid`).all(projectId) as ImageRow[]).map(toImage);
  }

  getImage(id: string): ImageRecord {
    return toImage(this.imageRow(id));
  }

  /** Absolute path of the stored photo (for the worker). */
  imagePath(id: string): string {
    return this.abs(this.imageRow(id).file);
  }

  readImage(id: string): { image: ImageRecord; data: Buffer; mime: string } {
    const row = this.imageRow(id);
    return { image: toImage(row), data: fs.readFileSync(this.abs(row.file)), mime: MIME[path.extname(row.file).slice(1)] ?? 'application/octet-stream' };
  }

  renameImage(id: string, name: string): ImageRecord {
    const clean = cleanName(name, 'An image name cannot be empty');
    const row = this.imageRow(id);
    this.db.transaction(() => {
      this.db.prepare(`UPDATE images SET name = ? WHERE id = ?`).run(clean, id);
      this.touchProject(row.project_id);
    })();
    return this.getImage(id);
  }

  /** A mask's new name; runs made with it keep theirs (a run is named when it is made). */
  renameMask(id: string, name: string): MaskRecord {
    const clean = cleanName(name, 'A mask name cannot be empty');
    const row = this.maskRow(id);
    const image = this.imageRow(row.image_id);
    this.db.transaction(() => {
      this.db.prepare(`UPDATE masks SET name = ? WHERE id = ?`).run(clean, id);
      this.touchProject(image.project_id);
    })();
    return toMask(this.maskRow(id));
  }

  trashImage(id: string): void {
    const row = this.imageRow(id);
    this.refuseActiveRuns('image_id = ?', id, `Image "${row.name}"`);
    this.db.prepare(`UPDATE images SET deleted_at = ? WHERE id = ?`).run(now(), id);
  }

  restoreImage(id: string): ImageRecord {
    this.imageRow(id);
    this.db.prepare(`UPDATE images SET deleted_at = NULL WHERE id = ?`).run(id);
    return this.getImage(id);
  }

  /**
   * Photos recorded at their stored size by an earlier version, set upright once (upright-photos.ts):
   * the host starts it after open; mask saving waits for it. Returns how many were set upright.
   */
  uprightOldPhotos(): Promise<number> {
    // One pass at a time: the host's start-up pass and a mask being saved would otherwise turn a mask twice.
    if (this.options.readonly) return Promise.resolve(0);
    this.uprighting ??= uprightOldPhotos(this).finally(() => {
      this.uprighting = undefined;
    });
    return this.uprighting;
  }
  private uprighting: Promise<number> | undefined;

  /** What a new mask of image `id` is checked against: its upright size and its file's EXIF orientation. */
  private async maskTarget(id: string): Promise<MaskTarget> {
    await this.uprightOldPhotos();
    const row = this.imageRow(id);
    return { name: row.name, width: row.width, height: row.height, orientation: await fileOrientation(this.abs(row.file)) };
  }

  /**
   * Store a mask PNG for an image: the same size as the image (or as an EXIF-turned photo's stored pixels:
   * then turned upright like it); the object is where alpha (or, without alpha, the grey level) is above half.
   */
  async saveMask(input: { imageId: string; name: string; png: Uint8Array }): Promise<MaskRecord> {
    const image = this.imageRow(input.imageId);
    const [m] = await checkedMasks([input], await this.maskTarget(image.id));
    this.writeThenCommit(`save mask "${m.name}"`, [{ rel: maskFile(m), data: m.png }], ([s]) => {
      this.insertMask(image.id, m, s, now());
      this.touchProject(image.project_id);
    });
    return toMask(this.maskRow(m.id));
  }

  listMasks(imageId: string): MaskRecord[] {
    this.imageRow(imageId);
    return (this.db.prepare(`SELECT * FROM masks WHERE image_id = ? ORDER BY created_at, rowid`).all(imageId) as MaskRow[]).map(toMask);
  }

  getMask(id: string): MaskRecord {
    return toMask(this.maskRow(id));
  }

  maskPath(id: string): string {
    return this.abs(this.maskRow(id).file);
  }

  readMask(id: string): { mask: MaskRecord; png: Buffer } {
    const row = this.maskRow(id);
    return { mask: toMask(row), png: fs.readFileSync(this.abs(row.file)) };
  }

  /**
   * What a job reads: the image and masks, each with its stored file, checked to exist (NOT_FOUND), to
   * be out of the trash with their project (CONFLICT: "restore it first") and the masks to belong to
   * the image (BAD_INPUT). The job adapter's resolveInputs calls this.
   */
  jobInputs(imageId: string, maskIds: string[]): { image: ImageRecord; imagePath: string; masks: { mask: MaskRecord; path: string }[] } {
    const { image, masks } = this.runInputRows(imageId, maskIds);
    return {
      image: toImage(image), imagePath: this.abs(image.file),
      masks: masks.map((m) => ({ mask: toMask(m), path: this.abs(m.file) })),
    };
  }

  // ---------------------------------------------------------------- runs -----------------------------

  /** Record a run as it is queued or starts; returns its summary (status queued or running). */
  beginRun(input: BeginRunInput): RunSummary {
    if (!(METHODS as readonly string[]).includes(input.method)) {
      throw new LibraryError('BAD_INPUT', `Unknown method "${input.method}"; expected one of ${METHODS.join(', ')}.`);
    }
    if (input.maskIds.length === 0) throw new LibraryError('BAD_INPUT', 'A run needs at least one mask.');
    // Only with fit to mask do masks beside the run count (and key it); they are checked like the run's own,
    // in the same pass.
    const others = fitContextMaskIds(input.params, input.maskIds, input.otherMaskIds);
    const { image, masks: checked } = this.runInputRows(input.imageId, [...input.maskIds, ...others]);
    const masks = checked.slice(0, input.maskIds.length);
    if (input.baselineRunId) this.runRow(input.baselineRunId);
    const params = Object.fromEntries(Object.entries(input.params).filter(([, v]) => v !== undefined)) as Record<string, ParamValue>;
    const seed = typeof params.seed === 'number' ? params.seed : 0;
    const id = randomUUID();
    const t = now();
    const status = input.status ?? 'running';
    const kind = input.kind ?? (input.maskIds.length > 1 ? 'scene' : 'object');
    const name = tidyName(input.name ?? '') || `${masks.length === 1 ? masks[0].name : image.name} · ${input.method}`;
    const inputKey = runInputKey(input.packId, image.id, input.maskIds, seed, params, others);
    try {
      this.db.transaction(() => {
        this.db
          .prepare(
            `INSERT INTO runs (id, project_id, image_id, status, kind, job_id, pack_id, pack_name, pack_version, method,
               params_json, seed, execution_provider, app_version, created_at, started_at, name, baseline_run_id, input_key, owner)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(id, image.project_id, image.id, status, kind, input.jobId ?? null, input.packId, input.packName, input.packVersion,
            input.method, JSON.stringify(params), seed, input.executionProvider, input.appVersion ?? this.options.appVersion ?? '0.0.0',
            t, status === 'running' ? t : null, name, input.baselineRunId ?? null, inputKey, ownerKey(this.holder));
        const ins = this.db.prepare(`INSERT INTO run_masks (run_id, mask_id, position) VALUES (?, ?, ?)`);
        input.maskIds.forEach((m, i) => ins.run(id, m, i));
        const insOther = this.db.prepare(`INSERT INTO run_other_masks (run_id, mask_id, position) VALUES (?, ?, ?)`);
        others.forEach((m, i) => insOther.run(id, m, i));
        this.touchProject(image.project_id);
      })();
    } catch (err) {
      throw asLibraryError(err, `record the run of "${name}"`, dataFolder(this.dataDir));
    }
    return toRunSummary(this.runRow(id));
  }

  /**
   * A queued run starts on the worker: status 'running' and `startedAt` now. Idempotent: a run already
   * running is returned unchanged (its first `startedAt` kept). A run that has ended cannot start again
   * (CONFLICT); an unknown id is NOT_FOUND.
   */
  startRun(runId: string): RunSummary {
    const row = this.runRow(runId);
    if (row.status === 'queued') {
      try {
        this.db.prepare(`UPDATE runs SET status = 'running', started_at = COALESCE(started_at, ?) WHERE id = ? AND status = 'queued'`).run(now(), runId);
      } catch (err) {
        throw asLibraryError(err, `record the start of run "${row.name}"`, dataFolder(this.dataDir));
      }
    } else if (row.status !== 'running') {
      throw new LibraryError('CONFLICT', `Run "${row.name}" is already ${row.status}; it cannot start again.`);
    }
    return toRunSummary(this.runRow(runId));
  }

  /**
   * Record a finished run: copy its artefacts into the store (plus a rendered thumbnail), then commit the
   * report, artefact rows and status together. If anything fails, the run stays as it was and no file
   * of this call remains.
   */
  async finishRun(runId: string, input: FinishRunInput): Promise<RunDetail> {
    const row = this.runRow(runId);
    if (row.status !== 'running' && row.status !== 'queued') {
      throw new LibraryError('CONFLICT', `Run ${runId} is already ${row.status}; a run is finished only once.`);
    }
    if (typeof input.report !== 'object' || input.report === null) {
      throw new LibraryError('BAD_INPUT', `The report of run ${runId} must be the pipeline's RunReport object.`);
    }
    const report = input.report as { objectMs?: unknown; schedules?: unknown; executionProvider?: unknown; params?: unknown };
    // The report carries the fully resolved parameters (pack sampler values included): keep those.
    const resolvedParams = typeof report.params === 'object' && report.params !== null ? (report.params as Record<string, unknown>) : null;
    const resolved = resolvedParams ? JSON.stringify(resolvedParams) : null;
    // Keyed again with every sampler value resolved (runInputKey), so it pairs by the steps and CFG it ran.
    const inputKey = resolvedParams
      ? runInputKey(row.pack_id, row.image_id, row.mask_ids ? row.mask_ids.split(',') : [], row.seed, resolvedParams, this.otherMaskIdsOf(runId))
      : null;
    const objectMs = typeof report.objectMs === 'number' && Number.isFinite(report.objectMs) ? report.objectMs : null;
    for (const a of input.artefacts) {
      if (!ARTEFACT_EXT[a.kind]) throw new LibraryError('BAD_INPUT', `Unknown artefact kind "${a.kind}"; expected glb, obj, ply or thumbnail.`);
      if ((a.path === undefined) === (a.data === undefined)) throw new LibraryError('BAD_INPUT', `Artefact ${a.kind} needs exactly one of path or data.`);
      if (a.path !== undefined && !fs.existsSync(a.path)) throw new LibraryError('BAD_INPUT', `Artefact file ${a.path} does not exist.`);
    }

    const files: { rel: string; kind: ArtefactKind; id: string; data?: Uint8Array; source?: string }[] = input.artefacts.map((a) => {
      const id = randomUUID();
      return { id, kind: a.kind, rel: `runs/${runId}/${id}.${ARTEFACT_EXT[a.kind]}`, data: a.data, source: a.path };
    });
    if (!files.some((f) => f.kind === 'thumbnail')) {
      const thumb = await this.resultThumbnail(input);
      if (thumb) {
        const id = randomUUID();
        files.push({ id, kind: 'thumbnail', rel: `runs/${runId}/${id}.png`, data: thumb });
      }
    }

    const quality = input.metrics && typeof input.metrics.f1 === 'number' ? input.metrics.f1 : null;
    const t = now();
    this.writeThenCommit(`record the result of run "${row.name}"`, files, (stored) => {
      const current = this.db.prepare(`SELECT status FROM runs WHERE id = ?`).pluck().get(runId) as RunStatus | undefined;
      if (current !== 'running' && current !== 'queued') throw new LibraryError('CONFLICT', `Run ${runId} changed to ${current ?? 'deleted'} while it was being recorded.`);
      const ins = this.db.prepare(`INSERT INTO artefacts (id, run_id, kind, file, sha256, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`);
      files.forEach((f, i) => ins.run(f.id, runId, f.kind, f.rel, stored[i].sha256, stored[i].bytes, t));
      this.db
        .prepare(
          `UPDATE runs SET status = 'succeeded', report_json = ?, object_ms = ?, schedule_json = ?, metrics_json = ?, quality = ?,
             execution_provider = ${PROVIDER_OR_UNKNOWN}, finished_at = ?, started_at = COALESCE(started_at, ?), error = NULL,
             params_json = COALESCE(?, params_json), input_key = COALESCE(?, input_key)
           WHERE id = ?`,
        )
        .run(JSON.stringify(input.report), objectMs, report.schedules !== undefined ? JSON.stringify(report.schedules) : null,
          input.metrics ? JSON.stringify(input.metrics) : null, quality,
          typeof report.executionProvider === 'string' ? report.executionProvider : null, t, t, resolved, inputKey, runId);
      this.linkBaselines(runId);
      this.touchProject(row.project_id);
    });
    if (this.options.autoQuality !== false && !input.metrics) await this.measureQuality(runId, input.mesh);
    return this.getRun(runId);
  }

  /**
   * Fill metrics and quality of the accelerated runs paired with `runId` (it, or those adopting it as
   * their baseline) from the stored GLBs. Best effort: a run without a GLB simply stays unmeasured.
   */
  private async measureQuality(runId: string, meshOfRun?: Mesh): Promise<void> {
    const pairs = this.db
      .prepare(
        `SELECT r.id AS run, r.baseline_run_id AS base FROM runs r JOIN runs b ON b.id = r.baseline_run_id
         WHERE (r.id = ?1 OR r.baseline_run_id = ?1) AND r.method != 'off' AND r.status = 'succeeded'
           AND b.status = 'succeeded' AND r.metrics_json IS NULL`.replaceAll('?1', '@id'),
      )
      .all({ id: runId }) as { run: string; base: string }[];
    const shapes = new Map<string, RunShape | null>();
    const shapeOf = async (id: string): Promise<RunShape | null> => {
      if (!shapes.has(id)) shapes.set(id, await this.storedShape(id, id === runId ? meshOfRun : undefined).catch(() => null));
      return shapes.get(id) ?? null;
    };
    for (const { run, base } of pairs) {
      try {
        const [m, b] = [await shapeOf(run), await shapeOf(base)];
        if (!m || !b) continue;
        const metrics = measureAgainstBaseline(m, b);
        if (typeof metrics.f1 !== 'number') continue;
        this.db.prepare(`UPDATE runs SET metrics_json = ?, quality = ? WHERE id = ? AND metrics_json IS NULL`).run(JSON.stringify(metrics), metrics.f1, run);
      } catch {
        // Unmeasurable (degenerate mesh, full disk): the run keeps quality = null and stays listed.
      }
    }
  }

  /**
   * A finished run's mesh (given, or read back from its first GLB with the export module's reader) with
   * the aggregation factor and layout of its stored report; null when there is nothing to measure.
   */
  private async storedShape(id: string, mesh?: Mesh): Promise<RunShape | null> {
    if (!mesh) {
      const file = this.db.prepare(`SELECT file FROM artefacts WHERE run_id = ? AND kind = 'glb' ORDER BY rowid LIMIT 1`).pluck().get(id) as string | undefined;
      if (!file) return null;
      const glb = await readGlb(fs.readFileSync(this.abs(file)));
      // A GLB written posed holds camera-frame positions: its object frame (and size before S) is lost.
      const frame = glb.extras.frame;
      if (typeof frame === 'string' && !frame.startsWith('object')) return null;
      mesh = glb.mesh;
    }
    if (mesh.indices.length === 0 || mesh.indices.length % 3 !== 0) return null;
    const report = this.db.prepare(`SELECT report_json FROM runs WHERE id = ?`).pluck().get(id) as string | null | undefined;
    return runShape(mesh, report ? JSON.parse(report) : null);
  }

  private async resultThumbnail(input: FinishRunInput): Promise<Buffer | null> {
    const size = this.options.thumbnailSize ?? 256;
    try {
      if (input.mesh) return await renderMeshThumbnail(input.mesh, { size });
      const glb = input.artefacts.find((a) => a.kind === 'glb');
      if (!glb) return null;
      const bytes = glb.data ?? fs.readFileSync(glb.path!);
      const { mesh } = await readGlb(bytes);
      return mesh.indices.length > 0 ? await renderMeshThumbnail(mesh, { size }) : null;
    } catch {
      // A thumbnail is a convenience: an unreadable GLB must not lose the run itself.
      return null;
    }
  }

  /**
   * Speed-up against the acceleration-off run on the same inputs (the same input key: pack, image, masks,
   * seed and the output-changing sampler settings, runInputKey): an
   * accelerated run is linked to the newest such baseline, and a finished baseline adopts the runs
   * waiting for one. Runs inside the finishRun transaction.
   */
  private linkBaselines(runId: string): void {
    const r = this.db.prepare(`SELECT id, method, input_key, object_ms, baseline_run_id FROM runs WHERE id = ?`).get(runId) as {
      id: string; method: string; input_key: string; object_ms: number | null; baseline_run_id: string | null;
    };
    if (r.method === 'off') {
      this.db.prepare(`UPDATE runs SET speedup = 1 WHERE id = ? AND object_ms IS NOT NULL`).run(runId);
      this.db
        .prepare(
          `UPDATE runs SET baseline_run_id = ?, speedup = CASE WHEN object_ms > 0 AND ? IS NOT NULL THEN ? / object_ms END
           WHERE input_key = ? AND method != 'off' AND status = 'succeeded' AND (baseline_run_id IS NULL OR baseline_run_id = ?)`,
        )
        .run(runId, r.object_ms, r.object_ms, r.input_key, runId);
      return;
    }
    let baselineId = r.baseline_run_id;
    if (!baselineId) {
      baselineId = (this.db
        .prepare(`SELECT id FROM runs WHERE input_key = ? AND method = 'off' AND status = 'succeeded' AND deleted_at IS NULL ORDER BY finished_at DESC, rowid DESC LIMIT 1`)
        .pluck()
        .get(r.input_key) as string | undefined) ?? null;
    }
    if (!baselineId) return;
    const baseMs = this.db.prepare(`SELECT object_ms FROM runs WHERE id = ? AND status = 'succeeded'`).pluck().get(baselineId) as number | null | undefined;
    const speedup = baseMs && r.object_ms && r.object_ms > 0 ? baseMs / r.object_ms : null;
    this.db.prepare(`UPDATE runs SET baseline_run_id = ?, speedup = ? WHERE id = ?`).run(baselineId, speedup, runId);
  }

  /**
   * Record a failed (or, with `cancelled`, a cancelled) run; `reason` is shown to the user.
   * `executionProvider` is the provider the worker actually used, when it reported one; without it a
   * run still marked 'pending' (it never reported one) is recorded as 'unknown'.
   */
  failRun(runId: string, reason: string, options: { cancelled?: boolean; executionProvider?: string } = {}): RunSummary {
    const row = this.runRow(runId);
    if (row.status !== 'running' && row.status !== 'queued') {
      throw new LibraryError('CONFLICT', `Run ${runId} is already ${row.status}.`);
    }
    const provider = options.executionProvider?.trim() || null;
    try {
      this.db
        .prepare(
          `UPDATE runs SET status = ?, error = ?, finished_at = ?,
             execution_provider = ${PROVIDER_OR_UNKNOWN}
           WHERE id = ?`,
        )
        .run(options.cancelled ? 'cancelled' : 'failed', reason, now(), provider, runId);
      // A Compare baseline that did not finish measures nothing: its accelerated runs fall back to the
      // newest finished baseline of the same inputs, as a run without its own baseline does.
      const orphans = this.db.prepare(`SELECT id FROM runs WHERE baseline_run_id = ? AND status = 'succeeded'`).pluck().all(runId) as string[];
      for (const id of orphans) {
        this.db.prepare(`UPDATE runs SET baseline_run_id = NULL, speedup = NULL, metrics_json = NULL, quality = NULL WHERE id = ?`).run(id);
        this.linkBaselines(id);
        if (this.options.autoQuality !== false) void this.measureQuality(id); // best effort, like finishRun's
      }
    } catch (err) {
      throw asLibraryError(err, `record the failure of run "${row.name}"`, dataFolder(this.dataDir));
    }
    return toRunSummary(this.runRow(runId));
  }

  getRun(runId: string): RunDetail {
    const row = this.runRow(runId);
    const artefacts = (this.db.prepare(`SELECT * FROM artefacts WHERE run_id = ? ORDER BY rowid`).all(runId) as ArtefactRow[]).map((a) =>
      toArtefact(a, this.assetsDir),
    );
    return {
      ...toRunSummary(row),
      params: JSON.parse(row.params_json) as Record<string, ParamValue>,
      report: row.report_json ? (JSON.parse(row.report_json) as unknown) : null,
      metrics: row.metrics_json ? (JSON.parse(row.metrics_json) as Record<string, number>) : null,
      artefacts,
    };
  }

  /**
   * The succeeded runs of `imageId` (out of the trash) that hold a GLB of these bytes: a scene
   * job's runs each hold the job's scene GLB.
   */
  runIdsWithGlb(imageId: string, sha256: string): string[] {
    return this.db.prepare(
      `SELECT DISTINCT r.id FROM artefacts a JOIN runs r ON r.id = a.run_id
        WHERE a.kind = 'glb' AND a.sha256 = ? AND r.image_id = ? AND r.status = 'succeeded' AND r.deleted_at IS NULL`,
    ).pluck().all(sha256, imageId) as string[];
  }

  /** Runs for the results grid: filter by project, text (names and tags), tag and status; sort. */
  listRuns(request: ListRunsRequest = {}): RunSummary[] {
    const req = ListRunsSchema.parse(request);
    this.failStrandedRuns();
    const where: string[] = req.trashed
      ? ['r.deleted_at IS NOT NULL']
      : ['r.deleted_at IS NULL', 'p.deleted_at IS NULL', 'i.deleted_at IS NULL'];
    const args: unknown[] = [];
    if (req.projectId) {
      where.push('r.project_id = ?');
      args.push(req.projectId);
    }
    if (req.imageId) {
      where.push('r.image_id = ?');
      args.push(req.imageId);
    }
    if (req.status) {
      where.push('r.status = ?');
      args.push(req.status);
    }
    if (req.query) {
      const q = likePattern(req.query);
      where.push(`(r.name LIKE ?1 ESCAPE '\\' OR p.name LIKE ?1 ESCAPE '\\' OR i.name LIKE ?1 ESCAPE '\\' OR r.method LIKE ?1 ESCAPE '\\'
        OR EXISTS (SELECT 1 FROM run_masks rm JOIN masks m ON m.id = rm.mask_id WHERE rm.run_id = r.id AND m.name LIKE ?1 ESCAPE '\\')
        OR EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.tag LIKE ?1 ESCAPE '\\')
        OR EXISTS (SELECT 1 FROM project_tags t WHERE t.project_id = r.project_id AND t.tag LIKE ?1 ESCAPE '\\'))`.replaceAll('?1', '?'));
      for (let k = 0; k < 7; k++) args.push(q);
    }
    if (req.tag) {
      where.push(`(EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.tag = ?) OR EXISTS (SELECT 1 FROM project_tags t WHERE t.project_id = r.project_id AND t.tag = ?))`);
      args.push(req.tag.trim(), req.tag.trim());
    }
    const dir = req.order === 'asc' ? 'ASC' : 'DESC';
    const key = { date: 'r.created_at', speedup: 'r.speedup', quality: 'r.quality', name: 'r.name COLLATE NOCASE' }[req.sort];
    // Unmeasured runs go last whichever the direction; insertion order breaks ties deterministically.
    const order = `${key} ${dir} NULLS LAST, r.rowid ${dir}`;
    // Page the ids first and join tags, masks and thumbnails for that page only: computing them for
    // every matching row before the sort made large libraries several times slower.
    const ids = this.db
      .prepare(`SELECT r.id FROM runs r JOIN projects p ON p.id = r.project_id JOIN images i ON i.id = r.image_id
                WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .pluck()
      .all(...args, req.limit, req.offset) as string[];
    if (ids.length === 0) return [];
    const rows = this.db.prepare(`${RUN_SELECT} WHERE r.id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as RunRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => toRunSummary(byId.get(id)!));
  }

  renameRun(runId: string, name: string): RunSummary {
    const clean = cleanName(name, 'A run name cannot be empty');
    this.runRow(runId);
    this.db.prepare(`UPDATE runs SET name = ? WHERE id = ?`).run(clean, runId);
    return toRunSummary(this.runRow(runId));
  }

  setRunTags(runId: string, tags: string[]): RunSummary {
    this.runRow(runId);
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM run_tags WHERE run_id = ?`).run(runId);
      const ins = this.db.prepare(`INSERT INTO run_tags (run_id, tag) VALUES (?, ?)`);
      for (const t of tidyTags(tags)) ins.run(runId, t);
    })();
    return toRunSummary(this.runRow(runId));
  }

  trashRun(runId: string): void {
    this.failStrandedRuns();
    const row = this.runRow(runId);
    if (row.status === 'running' || row.status === 'queued') {
      throw new LibraryError('CONFLICT', `Run "${row.name}" is still ${row.status}; cancel it before deleting it.`);
    }
    this.db.prepare(`UPDATE runs SET deleted_at = ? WHERE id = ?`).run(now(), runId);
  }

  restoreRun(runId: string): RunSummary {
    this.runRow(runId);
    this.db.prepare(`UPDATE runs SET deleted_at = NULL WHERE id = ?`).run(runId);
    return toRunSummary(this.runRow(runId));
  }

  /** Everything needed to load a run back into the editor with its exact parameters. */
  reopenRun(runId: string) {
    const d = this.getRun(runId);
    return {
      runId: d.id, projectId: d.projectId, imageId: d.imageId, maskIds: d.maskIds, kind: d.kind,
      packId: d.packId, packName: d.packName, packVersion: d.packVersion, method: d.method, params: d.params, seed: d.seed,
    };
  }

  /**
   * A job request for the same image, masks and pack with changed parameters. With the same method the
   * run's exact parameters are kept and `changes` applied on top; with another method only the seed, the
   * sampler settings and `changes` carry over, so the new method's preset is not overridden. The masks fit
   * to mask counted beside the run come along as `otherMaskIds`.
   */
  duplicateRun(runId: string, changes: { method?: Method; params?: Record<string, ParamValue | undefined> } = {}): JobSubmitRequest {
    const d = this.getRun(runId);
    const method = changes.method ?? d.method;
    const carried = method === d.method
      ? d.params
      : samplerSettingsOf(d.params);
    const params = { ...carried, ...Object.fromEntries(Object.entries(changes.params ?? {}).filter(([, v]) => v !== undefined)) };
    const otherMaskIds = this.otherMaskIdsOf(runId).slice(0, MAX_JOB_MASKS);
    return {
      kind: d.kind, imageId: d.imageId, maskIds: d.maskIds, ...(otherMaskIds.length ? { otherMaskIds } : {}), packId: d.packId, method,
      params: params as JobSubmitRequest['params'], withBaseline: false,
    };
  }

  // ---------------------------------------------------------------- artefacts and thumbnails ---------

  getArtefact(id: string): ArtefactRecord {
    const row = this.db.prepare(`SELECT * FROM artefacts WHERE id = ?`).get(id) as ArtefactRow | undefined;
    if (!row) throw new LibraryError('NOT_FOUND', `No artefact with id ${id}.`);
    return toArtefact(row, this.assetsDir);
  }

  readArtefact(id: string): { artefact: ArtefactRecord; data: Buffer } {
    const artefact = this.getArtefact(id);
    return { artefact, data: fs.readFileSync(artefact.path) };
  }

  /** PNG thumbnail of an image or of a run's result; null when there is none (e.g. a failed run). */
  thumbnail(kind: 'image' | 'run', id: string): Buffer | null {
    if (kind === 'image') {
      const row = this.imageRow(id);
      return row.thumb_file ? fs.readFileSync(this.abs(row.thumb_file)) : null;
    }
    this.runRow(id);
    const file = this.db.prepare(`SELECT file FROM artefacts WHERE run_id = ? AND kind = 'thumbnail' LIMIT 1`).pluck().get(id) as string | undefined;
    return file ? fs.readFileSync(this.abs(file)) : null;
  }

  // ---------------------------------------------------------------- trash ----------------------------

  listTrash(): { projects: ProjectRecord[]; images: ImageRecord[]; runs: RunSummary[] } {
    return {
      projects: (this.db.prepare(`${PROJECT_SELECT} WHERE p.deleted_at IS NOT NULL ORDER BY p.deleted_at DESC`).all() as ProjectRow[]).map(toProject),
      images: (this.db.prepare(`SELECT * FROM images WHERE deleted_at IS NOT NULL ORDER BY deleted_at DESC`).all() as ImageRow[]).map(toImage),
      runs: (this.db.prepare(`${RUN_SELECT} WHERE r.deleted_at IS NOT NULL ORDER BY r.deleted_at DESC`).all() as RunRow[]).map(toRunSummary),
    };
  }

  /** The row half of emptyTrash, in one transaction: which files to remove, what went, what was kept. */
  private emptyTrashRows(): TrashRows {
    return this.db.transaction(() => {
      const active = `SELECT 1 FROM runs a WHERE a.status IN ('queued', 'running')`;
      // What goes: trashed projects, images and runs without runs in progress; with a project go all its
      // images and runs, with an image its masks and runs.
      this.db.exec(`
        CREATE TEMP TABLE IF NOT EXISTS trash_projects (id TEXT PRIMARY KEY);
        CREATE TEMP TABLE IF NOT EXISTS trash_images (id TEXT PRIMARY KEY);
        CREATE TEMP TABLE IF NOT EXISTS trash_runs (id TEXT PRIMARY KEY);
        DELETE FROM trash_projects; DELETE FROM trash_images; DELETE FROM trash_runs;
        INSERT INTO trash_projects SELECT p.id FROM projects p
          WHERE p.deleted_at IS NOT NULL AND NOT EXISTS (${active} AND a.project_id = p.id);
        INSERT INTO trash_images SELECT i.id FROM images i
          WHERE i.project_id IN (SELECT id FROM trash_projects)
             OR (i.deleted_at IS NOT NULL AND NOT EXISTS (${active} AND a.image_id = i.id));
        INSERT INTO trash_runs SELECT r.id FROM runs r
          WHERE r.project_id IN (SELECT id FROM trash_projects) OR r.image_id IN (SELECT id FROM trash_images)
             OR (r.deleted_at IS NOT NULL AND r.status NOT IN ('queued', 'running'));`);
      const files = this.db
        .prepare(
          `SELECT file FROM artefacts WHERE run_id IN (SELECT id FROM trash_runs)
           UNION ALL SELECT file FROM masks WHERE image_id IN (SELECT id FROM trash_images)
           UNION ALL SELECT file FROM images WHERE id IN (SELECT id FROM trash_images)
           UNION ALL SELECT thumb_file FROM images WHERE id IN (SELECT id FROM trash_images) AND thumb_file IS NOT NULL`,
        )
        .pluck()
        .all() as string[];
      // Gone: every row deleted, the images and runs that go with a project (or an image) included, as
      // the user is told "Deleted 2 runs, 2 images and 1 project". Kept: trashed rows left for runs in progress.
      const trashed = (table: string, set: string): { gone: number; kept: number } => ({
        gone: this.db.prepare(`SELECT count(*) FROM ${set}`).pluck().get() as number,
        kept: this.db.prepare(`SELECT count(*) FROM ${table} WHERE deleted_at IS NOT NULL AND id NOT IN (SELECT id FROM ${set})`).pluck().get() as number,
      });
      const [p, i, r] = [trashed('projects', 'trash_projects'), trashed('images', 'trash_images'), trashed('runs', 'trash_runs')];
      // Children first; the cascades remove masks, run_masks, artefacts and tags.
      this.db.exec(`
        DELETE FROM runs WHERE id IN (SELECT id FROM trash_runs);
        DELETE FROM images WHERE id IN (SELECT id FROM trash_images);
        DELETE FROM projects WHERE id IN (SELECT id FROM trash_projects);
        DELETE FROM trash_projects; DELETE FROM trash_images; DELETE FROM trash_runs;`);
      return {
        counts: { runs: r.gone, images: i.gone, projects: p.gone },
        kept: { runs: r.kept, images: i.kept, projects: p.kept },
        files,
      };
    })();
  }

  /**
   * Delete trashed items for good: rows first (one transaction), then exactly their files. Only the
   * files of deleted rows are touched, so a write in flight in another process is never disturbed; a
   * crash between the two steps leaves unreferenced files, which the sweep at open removes.
   *
   * A trashed project, image or run that still has queued or running runs is kept (the same rule as
   * trashing: "still in progress"), so a job never loses its inputs or its run rows; it is counted in
   * `kept` and goes with the next emptying after its runs end.
   */
  emptyTrash(): TrashEmptied {
    let emptied: TrashRows;
    try {
      this.failStrandedRuns();
      emptied = this.emptyTrashRows();
    } catch (err) {
      throw asLibraryError(err, 'empty the trash', dataFolder(this.dataDir));
    }
    const { counts, kept, files } = emptied;
    let filesRemoved = 0;
    const dirs = new Set<string>();
    for (const rel of files) {
      const abs = this.abs(rel);
      try {
        fs.rmSync(abs);
        filesRemoved++;
      } catch {
        /* already gone */
      }
      if (rel.startsWith('runs/')) dirs.add(path.dirname(abs));
    }
    for (const d of dirs) {
      try {
        fs.rmdirSync(d); // only when empty
      } catch {
        /* still holds files */
      }
    }
    return { ...counts, filesRemoved, kept };
  }
}

/** Make an RGBA cut-out mask (object RGB inside, white outside, alpha = mask) from an image's alpha. */
async function cutoutFromAlpha(data: Buffer, width: number, height: number): Promise<{ png: Buffer; area: number } | null> {
  const { data: px } = await sharp(data, { limitInputPixels: MAX_INPUT_PIXELS }).rotate().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  let area = 0;
  let partial = false;
  for (let i = 3; i < px.length; i += 4) {
    if (px[i] > 127) area++;
    if (px[i] < 255) partial = true;
  }
  // An alpha channel that is fully opaque (or empty) carries no object outline.
  if (!partial || area === 0) return null;
  for (let i = 0; i < px.length; i += 4) {
    if (px[i + 3] <= 127) {
      px[i] = 255; px[i + 1] = 255; px[i + 2] = 255; px[i + 3] = 0;
    } else px[i + 3] = 255;
  }
  const png = await sharp(px, { raw: { width, height, channels: 4 } }).png().toBuffer();
  return { png, area };
}

/**
 * `base` + `suffix` within the API's 255-character limit on names (src-shared/api/library.ts), `base`
 * shortened between characters as needed, so "… (2)" can still be renamed and exported by its name.
 */
function withSuffix(base: string, suffix: string): string {
  const chars = Array.from(base); // whole characters: a surrogate pair is never cut in two
  let length = base.length + suffix.length; // in UTF-16 units, as the API's limit counts
  while (length > 255) length -= chars.pop()!.length;
  return chars.join('').trimEnd() + suffix;
}

/** A mask checked and about to be stored: its new id, cleaned name, PNG and area. */
interface PendingMask { id: string; name: string; png: Buffer; area: number }

const maskFile = (m: { id: string }): string => `masks/${m.id}.png`;

/** Check every mask against the image before any is stored (a bad one fails the whole call). */
async function checkedMasks(masks: readonly { name: string; png: Uint8Array }[], image: MaskTarget): Promise<PendingMask[]> {
  const out: PendingMask[] = [];
  for (const m of masks) {
    const given = Buffer.from(m.png.buffer, m.png.byteOffset, m.png.byteLength);
    const name = cleanName(m.name, 'A mask needs a name');
    out.push({ id: randomUUID(), name, ...(await checkMask(given, name, image)) });
  }
  return out;
}


