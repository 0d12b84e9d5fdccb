/**
 * The library as the job service sees it (JobLibrary in src-main/api/jobs.ts): resolve ids to files,
 * one run row per object (and per baseline object), and the record of each finished or failed run.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JobSubmitRequest } from '../../src-shared/api/jobs';
import { DEFAULT_PARAMS, PRESETS, resolveParams, samplerSettingsOf, type AccelParams, type Method } from '../../src-shared/params';
import type { JobLibrary } from '../api/jobs';
import type { ArtefactKind } from '../../src-shared/api/library';
import { PENDING_PROVIDER, type Library } from './library';
import { fitContextMaskIds } from './records';

const RESULT_KINDS = new Set<string>(['glb', 'obj', 'ply']);

/** The parameters a run of `method` with these overrides uses (sampler values come later from the report). */
function paramsFor(method: Method, overrides: Partial<AccelParams>): AccelParams {
  return method in PRESETS ? resolveParams(method as keyof typeof PRESETS, overrides) : { ...DEFAULT_PARAMS, ...overrides };
}

function packIdentity(packDir: string): { name: string; version: string } {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(packDir, 'manifest.json'), 'utf8')) as { name?: unknown; version?: unknown };
    return { name: typeof m.name === 'string' ? m.name : path.basename(packDir), version: typeof m.version === 'string' ? m.version : '' };
  } catch {
    return { name: path.basename(packDir), version: '' };
  }
}

/**
 * The JobLibrary plus what the job service may call beyond that interface (src-main/api/jobs.ts):
 * - `startRun(runId)` when the worker starts the variant the run belongs to (queued → running);
 * - `failRun(runId, reason, status, executionProvider?)` with the provider the worker reported, if any;
 * - `sweepJobFolders(activeJobIds)` after a job's folder is removed, for folders crashed jobs left.
 */
export interface LibraryJobAdapter extends JobLibrary {
  /**
   * Mark a queued run running (status and startedAt). Idempotent; a run that already ended, was
   * deleted or cannot be written is reported to onRecordError and otherwise ignored: never throws.
   */
  startRun(runId: string): void;
  failRun(runId: string, reason: string, status: 'failed' | 'cancelled', executionProvider?: string): void;
  /**
   * Remove `<dataDir>/jobs/<jobId>/` folders of jobs that have no queued or running run and are not in
   * `activeJobIds` (jobs the service still holds); returns the job ids removed. Never throws.
   */
  sweepJobFolders(activeJobIds?: Iterable<string>): string[];
}

export function jobLibrary(lib: Library, options: { appVersion: string; onRecordError?: (runId: string, err: unknown) => void }): LibraryJobAdapter {
  return {
    resolveInputs(req: JobSubmitRequest) {
      // NOT_FOUND for unknown ids, CONFLICT for a trashed image or project ("restore it first"),
      // BAD_INPUT for a mask of another image.
      const inputs = lib.jobInputs(req.imageId, req.maskIds);
      const seen = new Map<string, number>();
      const masks = inputs.masks.map(({ mask, path: maskPath }) => {
        // Two masks of one name in a scene: the runs (named after them) stay distinguishable. Output files
        // are matched to objects by index and named uniquely by the worker (export uniqueOutputNames).
        const n = (seen.get(mask.name) ?? 0) + 1;
        seen.set(mask.name, n);
        return { path: maskPath, name: n === 1 ? mask.name : `${mask.name} (${n})` };
      });
      // Fit to mask also keeps what the masks left out of the run may hide (the thing in front); they are
      // checked like the run's own (they exist and belong to the image).
      const others = fitContextMaskIds(req.params, req.maskIds, req.otherMaskIds);
      if (others.length === 0) return { imagePath: inputs.imagePath, masks };
      const otherMasks = lib.jobInputs(req.imageId, others).masks.map(({ mask, path: maskPath }) => ({ path: maskPath, name: mask.name }));
      return { imagePath: inputs.imagePath, masks, otherMasks };
    },

    beginRun(req, info) {
      const method: Method = info.baseline ? 'off' : req.method;
      const overrides = info.baseline ? samplerSettingsOf(req.params) : req.params;
      const clean = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<AccelParams>;
      const pack = packIdentity(info.packDir);
      return lib.beginRun({
        imageId: req.imageId, maskIds: [req.maskIds[info.objectIndex]], kind: 'object', jobId: info.jobId,
        packId: req.packId, packName: pack.name, packVersion: pack.version, method,
        params: { ...paramsFor(method, clean) }, executionProvider: PENDING_PROVIDER, appVersion: options.appVersion,
        name: `${info.objectName} · ${method}${info.baseline ? ' (baseline)' : ''}`, status: 'queued', baselineRunId: info.baselineRunId,
        // What fit to mask counts beside this object: the job's other masks (the thing in front: first, so a
        // duplicate, at most MAX_JOB_MASKS of them, keeps it), then its other objects, so that a duplicate
        // of this one run fits it the same way (beginRun keeps them only with fit to mask).
        otherMaskIds: [...(req.otherMaskIds ?? []), ...req.maskIds.filter((_, i) => i !== info.objectIndex)],
      }).id;
    },

    finishRun(runId, result) {
      // The object's own files first, so the thumbnail is drawn from its GLB rather than the scene's.
      const files = [...result.files].filter((f) => RESULT_KINDS.has(f.kind)).sort((a, b) => Number(a.object === 'scene') - Number(b.object === 'scene'));
      const artefacts = files.map((f) => ({ kind: f.kind as ArtefactKind, path: path.isAbsolute(f.path) ? f.path : path.join(result.outputDir, f.path) }));
      const report = { ...result.report, executionProvider: result.executionProvider };
      // A result that cannot be saved (disk full) fails the job with the library's message; the job
      // service then records this run as failed.
      return lib.finishRun(runId, { report, artefacts }).then(
        () => undefined,
        (err: unknown) => {
          options.onRecordError?.(runId, err);
          throw err;
        },
      );
    },

    startRun(runId) {
      try {
        lib.startRun(runId);
      } catch (err) {
        options.onRecordError?.(runId, err);
      }
    },

    failRun(runId, reason, status, executionProvider) {
      lib.failRun(runId, reason, { cancelled: status === 'cancelled', ...(executionProvider ? { executionProvider } : {}) });
    },

    sweepJobFolders(activeJobIds) {
      return lib.sweepJobFolders({ keep: activeJobIds }).removed;
    },
  };
}
