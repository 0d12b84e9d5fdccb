/**
 * Project library (owner: the library module, src-main/library). Projects → images → masks → runs →
 * artefacts, with tags, a trash, thumbnails, and project import/export. Handlers: src-main/api/library.ts.
 */
import { z } from 'zod';
import { AccelOverridesSchema, METHODS } from '../params';
import { AbsolutePath, Base64, forUser, Id } from './common';
import { JobStatusSchema, JobSubmitRequest } from './jobs';

const Name = z
  .string()
  .trim()
  .min(1, forUser('A name cannot be empty: type at least one character.'))
  .max(255, forUser('A name can be at most 255 characters long: shorten it.'));
const Tag = z
  .string()
  .trim()
  .min(1, forUser('A tag cannot be empty: type at least one character.'))
  .max(64, forUser('A tag can be at most 64 characters long: shorten it.'));
const Tags = z.array(Tag).max(64, forUser('An item can have at most 64 tags: remove some first.'));

export const ProjectRecord = z.object({
  id: Id, name: z.string(), createdAt: z.string(), updatedAt: z.string(),
  tags: z.array(z.string()), trashed: z.boolean(),
});
export type ProjectRecord = z.infer<typeof ProjectRecord>;

/** A project card in the grid: counts and the thumbnail of its newest result (or image). */
export const ProjectSummary = ProjectRecord.extend({
  images: z.number().int(), runs: z.number().int(),
  /** Thumbnail to show: `{ kind, id }` for `thumbnails.get`, absent when the project is empty. */
  cover: z.object({ kind: z.enum(['image', 'run']), id: Id }).optional(),
});
export type ProjectSummary = z.infer<typeof ProjectSummary>;

export const ImageRecord = z.object({
  id: Id, projectId: Id, name: z.string(), width: z.number().int(), height: z.number().int(),
  sha256: z.string(), createdAt: z.string(),
  bytes: z.number().int().optional(), trashed: z.boolean().optional(),
});
export type ImageRecord = z.infer<typeof ImageRecord>;

export const MaskRecord = z.object({
  id: Id, imageId: Id, name: z.string(), area: z.number().int(), createdAt: z.string(),
});
export type MaskRecord = z.infer<typeof MaskRecord>;

export const ArtefactKind = z.enum(['glb', 'obj', 'ply', 'thumbnail']);
export type ArtefactKind = z.infer<typeof ArtefactKind>;

export const ArtefactRecord = z.object({
  id: Id, runId: Id, kind: ArtefactKind, sha256: z.string(), bytes: z.number().int(), createdAt: z.string(),
  /** Absolute path of the stored file (main process / host only; the window uses `artefacts.read`). */
  path: z.string(),
});
export type ArtefactRecord = z.infer<typeof ArtefactRecord>;

export const RunSortKey = z.enum(['date', 'speedup', 'quality', 'name']);

export const RunSummary = z.object({
  id: Id, projectId: Id, imageId: Id, maskIds: z.array(Id), name: z.string(),
  kind: z.enum(['object', 'scene']), status: JobStatusSchema,
  packId: z.string(), packName: z.string(), packVersion: z.string(),
  method: z.enum(METHODS), seed: z.number().int(), executionProvider: z.string(), appVersion: z.string(),
  /** A preset method run with acceleration values changed from the preset's (shown as "fast-sam3d, tuned"). */
  tuned: z.boolean(),
  objectMs: z.number().nullable(),
  /** Baseline object time ÷ this run's object time; null without a finished baseline. */
  speedup: z.number().nullable(),
  /** F1 (percent) against the baseline or reference; null when not measured. */
  quality: z.number().nullable(),
  baselineRunId: Id.nullable(),
  /** One char per step (F full, c cached, C carved) for SS and SLaT. */
  schedule: z.object({ ss: z.string(), slat: z.string() }).nullable(),
  error: z.string().nullable(),
  createdAt: z.string(), startedAt: z.string().nullable(), finishedAt: z.string().nullable(),
  tags: z.array(z.string()), trashed: z.boolean(),
  thumbnailId: Id.nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RunDetail = RunSummary.extend({
  /** The exact, fully resolved parameters the run used. */
  params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
  report: z.unknown().nullable(),
  metrics: z.record(z.string(), z.number()).nullable(),
  artefacts: z.array(ArtefactRecord),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const ListRunsRequest = z.object({
  projectId: Id.optional(),
  /** Only runs made from this image (the results strip of the current photo). */
  imageId: Id.optional(),
  /** Case-insensitive substring of the run, image, mask or project name. */
  query: z.string().max(255).optional(),
  tag: Tag.optional(),
  status: JobStatusSchema.optional(),
  sort: RunSortKey.default('date'),
  order: z.enum(['asc', 'desc']).default('desc'),
  trashed: z.boolean().default(false),
  limit: z.number().int().min(1).max(1000).default(200),
  offset: z.number().int().min(0).default(0),
});
export type ListRunsRequest = z.input<typeof ListRunsRequest>;

export const ListProjectsRequest = z.object({
  query: z.string().max(255).optional(),
  tag: Tag.optional(),
  sort: z.enum(['date', 'name']).default('date'),
  trashed: z.boolean().default(false),
});
export type ListProjectsRequest = z.input<typeof ListProjectsRequest>;

export const TrashContents = z.object({
  projects: z.array(ProjectRecord),
  images: z.array(ImageRecord),
  runs: z.array(RunSummary),
});

export const DuplicateRunRequest = z.object({
  runId: Id,
  method: z.enum(METHODS).optional(),
  params: AccelOverridesSchema.default({}),
});

const ImportedImage = z.object({
  image: ImageRecord, masks: z.array(MaskRecord),
  /** The photo was already in the library: `image` is that one, nothing was copied. */
  reused: z.boolean(),
});

const ThumbnailRef = z.object({ kind: z.enum(['image', 'run']), id: Id });

/** An example photo that ships with the app (a SAM 3D folder): its name, mask count, size and a small PNG. */
export const ExampleInfo = z.object({
  id: z.string(), masks: z.number().int(), width: z.number().int(), height: z.number().int(), thumb: Base64,
});
export type ExampleInfo = z.infer<typeof ExampleInfo>;

export const libraryMethods = {
  'projects.list': { req: ListProjectsRequest, res: z.array(ProjectSummary) },
  'projects.create': { req: z.object({ name: Name }), res: ProjectRecord },
  'projects.get': { req: z.object({ projectId: Id }), res: ProjectSummary },
  'projects.rename': { req: z.object({ projectId: Id, name: Name }), res: ProjectRecord },
  'projects.setTags': { req: z.object({ projectId: Id, tags: Tags }), res: ProjectRecord },
  'projects.trash': { req: z.object({ projectId: Id }), res: z.object({ trashed: z.literal(true) }) },
  'projects.restore': { req: z.object({ projectId: Id }), res: ProjectRecord },
  /**
   * Write a project (without its trashed items) as a zip or a folder another library can import. Without
   * `path` it becomes `<data>/exports/projects/<project name>.zip` (`-2`, `-3` … beside an earlier one,
   * never replacing it), which the window offers as a download or shows in its folder. An existing zip at
   * `path` is replaced only with `replace` (a save dialog that asked); otherwise CONFLICT.
   */
  'projects.export': {
    req: z.object({
      projectId: Id, path: AbsolutePath.optional(), format: z.enum(['folder', 'zip']).default('zip'),
      replace: z.boolean().default(false),
    }),
    res: z.object({
      path: z.string(), files: z.number().int(), bytes: z.number().int(),
      /** A file was at `path` and has been replaced (only with `replace`). */
      replaced: z.boolean(),
      /**
       * What of the project the archive does not hold and how to include it ("1 photo and 3 results in the
       * trash were not exported; restore them first…"), "" when it holds everything.
       */
      leftOut: z.string(),
    }),
  },
  /** Import a project zip or folder (as `projects.export` writes it) under new ids, as a new project. */
  'projects.import': { req: z.object({ path: AbsolutePath }), res: ProjectSummary },
  /** The same from the zip's bytes (the window's file picker; the browser host cannot pass a path). */
  'projects.importData': { req: z.object({ name: Name, data: Base64 }), res: ProjectSummary },

  /**
   * A photo into `projectId` or a new project. With `reuse`, a photo already in the library (same bytes,
   * out of the trash; in `projectId` when given) is not copied again: that image comes back with all its
   * saved masks and `reused: true` (opening the same photo twice reopens it).
   */
  'images.import': {
    req: z.object({ projectId: Id.optional(), name: Name, data: Base64, reuse: z.boolean().default(false) }),
    res: ImportedImage,
  },
  /** A folder in the SAM 3D convention (image.png + 0.png, 1.png, … cut-outs) as one image with its masks. */
  'images.importFolder': {
    req: z.object({ projectId: Id.optional(), path: AbsolutePath, reuse: z.boolean().default(false) }),
    res: ImportedImage,
  },
  'images.list': { req: z.object({ projectId: Id }), res: z.array(ImageRecord) },
  'images.read': { req: z.object({ imageId: Id }), res: z.object({ image: ImageRecord, data: Base64, mime: z.string() }) },
  'images.rename': { req: z.object({ imageId: Id, name: Name }), res: ImageRecord },
  'images.trash': { req: z.object({ imageId: Id }), res: z.object({ trashed: z.literal(true) }) },
  'images.restore': { req: z.object({ imageId: Id }), res: ImageRecord },

  'masks.save': {
    req: z.object({ imageId: Id, name: Name, png: Base64 }),
    res: MaskRecord,
  },
  'masks.list': { req: z.object({ imageId: Id }), res: z.array(MaskRecord) },
  /** A saved mask's new name (the window renames a mask it has saved instead of saving it again). */
  'masks.rename': { req: z.object({ maskId: Id, name: Name }), res: MaskRecord },
  'masks.read': { req: z.object({ maskId: Id }), res: z.object({ mask: MaskRecord, png: Base64 }) },

  'runs.list': { req: ListRunsRequest, res: z.array(RunSummary) },
  'runs.get': { req: z.object({ runId: Id }), res: RunDetail },
  'runs.rename': { req: z.object({ runId: Id, name: Name }), res: RunSummary },
  'runs.setTags': { req: z.object({ runId: Id, tags: Tags }), res: RunSummary },
  'runs.trash': { req: z.object({ runId: Id }), res: z.object({ trashed: z.literal(true) }) },
  'runs.restore': { req: z.object({ runId: Id }), res: RunSummary },
  /** The run's exact inputs and parameters, to load back into the editor. */
  'runs.reopen': {
    req: z.object({ runId: Id }),
    res: z.object({
      runId: Id, projectId: Id, imageId: Id, maskIds: z.array(Id), kind: z.enum(['object', 'scene']),
      packId: z.string(), packName: z.string(), packVersion: z.string(), method: z.enum(METHODS),
      params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])), seed: z.number().int(),
    }),
  },
  /**
   * A job request for the same inputs with changed parameters, ready for `jobs.submit`: the run's own
   * mask, and as `otherMaskIds` the masks fit to mask counted beside it (the unticked masks, then the
   * other objects of its job; at most MAX_JOB_MASKS), so a partly hidden object is fitted the same way.
   * Runs recorded before the library kept them (schema 5), or imported from archives without them, have
   * none: add them to refit such a run the same way.
   */
  'runs.duplicate': { req: DuplicateRunRequest, res: z.object({ request: JobSubmitRequest }) },

  'artefacts.read': { req: z.object({ artefactId: Id }), res: z.object({ artefact: ArtefactRecord, data: Base64 }) },
  'thumbnails.get': { req: ThumbnailRef, res: z.object({ png: Base64 }).nullable() },

  /** The example photos bundled with the app (none when the installation has no examples folder). */
  'examples.list': { req: z.object({}), res: z.array(ExampleInfo) },
  /** Open an example into the library: the first time a project named after it, later the same image again. */
  'examples.open': { req: z.object({ id: z.string().min(1).max(255) }), res: ImportedImage },

  'trash.list': { req: z.object({}), res: TrashContents },
  'trash.empty': {
    req: z.object({}),
    res: z.object({
      projects: z.number().int(), images: z.number().int(), runs: z.number().int(), filesRemoved: z.number().int(),
      /** Trashed items left in the trash because a job is still using them (queued or running runs). */
      kept: z.object({ projects: z.number().int(), images: z.number().int(), runs: z.number().int() }),
    }),
  },
} as const;

export type LibraryMethodName = keyof typeof libraryMethods;
