/**
 * The library as the job service sees it (JobLibrary in src-main/api/jobs.ts): resolve ids to files,
 * one run row per object (and per baseline object), and the record of each finished or failed run.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JobSubmitRequest } from '../../src-shared/api/jobs';
import { DEFAULT_PARAMS, PRESETS, resolveParams, type AccelParams, type Method } from '../../src-shared/params';
import type { JobLibrary } from '../api/jobs';
import { LibraryError } from './errors';
import type { ArtefactKind } from '../../src-shared/api/library';
import type { Library } from './library';

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

export function jobLibrary(lib: Library, options: { appVersion: string; onRecordError?: (runId: string, err: unknown) => void }): JobLibrary {
  return {
    resolveInputs(req: JobSubmitRequest) {
      const image = lib.getImage(req.imageId);
      const seen = new Map<string, number>();
      const masks = req.maskIds.map((id) => {
        const mask = lib.getMask(id);
        if (mask.imageId !== image.id) {
          throw new LibraryError('BAD_INPUT', `Mask "${mask.name}" belongs to another image than "${image.name}".`);
        }
        // Output files are matched to objects by name, so names within one job must differ.
        const n = (seen.get(mask.name) ?? 0) + 1;
        seen.set(mask.name, n);
        return { path: lib.maskPath(id), name: n === 1 ? mask.name : `${mask.name} (${n})` };
      });
      return { imagePath: lib.imagePath(image.id), masks };
    },

    beginRun(req, info) {
      const method: Method = info.baseline ? 'off' : req.method;
      const overrides = info.baseline ? { seed: req.params.seed, ssSteps: req.params.ssSteps, slatSteps: req.params.slatSteps, ssCfgStrength: req.params.ssCfgStrength, slatCfgStrength: req.params.slatCfgStrength } : req.params;
      const clean = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<AccelParams>;
      const pack = packIdentity(info.packDir);
      return lib.beginRun({
        imageId: req.imageId, maskIds: [req.maskIds[info.objectIndex]], kind: 'object', jobId: info.jobId,
        packId: req.packId, packName: pack.name, packVersion: pack.version, method,
        params: { ...paramsFor(method, clean) }, executionProvider: 'pending', appVersion: options.appVersion,
        name: `${info.objectName} · ${method}${info.baseline ? ' (baseline)' : ''}`, status: 'queued',
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

    failRun(runId, reason, status) {
      lib.failRun(runId, reason, { cancelled: status === 'cancelled' });
    },
  };
}
