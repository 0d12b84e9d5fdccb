/**
 * Handler of export.run (src-shared/api/exports.ts): re-export a finished run's stored result in the
 * requested formats — canonical or posed, optionally simplified — into a folder. The run's GLB artefacts
 * are read back (the scene GLB of a scene job carries every object of the job and the photo camera) and
 * its report supplies each object's layout. Files and objects are named after what the library calls them
 * now (the masks' and the run's current names), not the names stored at generation time. The foundation
 * wires this map into the dispatcher.
 */
import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ExportedFile } from '../../src-shared/api/exports';
import type { RunDetail } from '../../src-shared/api/library';
import {
  commitFiles,
  ExportInputError,
  ExportWriteError,
  fileBaseName,
  glbMeshNodeNames,
  joinedFileBaseName,
  outputFolderError,
  readGlb,
  renderOutputs,
  rewriteSceneGlb,
  simplifyMesh,
  uniqueOutputNames,
  type PendingOutput,
  type ReadGlb,
} from '../export';
import type { Library } from '../library';
import { runShape } from '../library/quality';
import { canonicalShape } from '../pipeline/metrics';
import { NoSurfaceError } from '../pipeline/surface';
import type { Layout } from '../pipeline/types';
import { ApiFailure, type HandlerMap } from './index';
import { makeDirsSync } from '../files/make-dirs';

interface ReportLike {
  name?: string;
  layout?: Layout;
  objects?: ReportLike[];
}

function isLayout(l: unknown): l is Layout {
  const x = l as Layout | undefined;
  return (
    !!x &&
    Array.isArray(x.rotation) &&
    x.rotation.length === 9 &&
    Array.isArray(x.translation) &&
    typeof x.scale === 'number'
  );
}

/** Errors of the writers → API errors the window can show as they are. */
function toFailure(err: unknown): unknown {
  if (err instanceof ExportWriteError) {
    const unavailable = err.code === 'ENOSPC' || err.code === 'EDQUOT';
    return new ApiFailure(unavailable ? 'UNAVAILABLE' : 'BAD_REQUEST', err.message);
  }
  if (err instanceof NoSurfaceError || err instanceof ExportInputError) return new ApiFailure('CONFLICT', err.message);
  return err;
}

function exported(f: PendingOutput & { object: string }, bytes: number, replaced: boolean): ExportedFile {
  return {
    path: f.path,
    bytes,
    format: f.format === 'mtl' ? 'obj' : f.format === 'scene-glb' ? 'glb' : f.format,
    role: f.format === 'mtl' ? 'material' : f.format === 'scene-glb' ? 'scene' : 'object',
    object: f.object,
    replaced,
  };
}

const IDENTITY: Layout = {
  rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1],
  quaternion: [1, 0, 0, 0],
  translation: [0, 0, 0],
  scale: 1,
};

/**
 * What tells this run's files from those of another run of the same object: the run's label when the user
 * has named it ("final / keep ✓"), else its method ("fast-sam3d", "balanced", …), the unaccelerated
 * reference run as "baseline-off". Labels the app gives ("cup · fast-sam3d", "cup · off (baseline)") count
 * as unnamed: the mask is in the file name already.
 */
function runFileTag(run: { name: string; method: string }): string {
  const given = / · (\S+)(?: \(baseline\))?$/u.exec(run.name);
  if (!given || given[1] !== run.method) return run.name;
  return run.method === 'off' ? 'baseline-off' : run.method;
}

/** The current name of a mask, or null when it cannot be read (then the stored name stands). */
function maskName(lib: Library, maskId: string | undefined): string | null {
  if (!maskId) return null;
  try {
    return lib.getMask(maskId).name;
  } catch {
    return null;
  }
}

/**
 * The stored scene's node names → the current names of their masks. A scene job records one run per
 * object, each holding its own object GLB and the job's scene GLB (the same bytes): the runs of the image
 * holding that scene are the job's, and each one's object GLB names its node in the scene.
 */
async function sceneNodeNames(lib: Library, run: RunDetail, sceneSha: string, own: Map<string, string>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of lib.runIdsWithGlb(run.imageId, sceneSha)) {
    if (id === run.id) continue;
    const summary = lib.getRun(id);
    if (summary.maskIds.length !== 1) continue;
    const objectGlb = summary.artefacts.find((a) => a.kind === 'glb' && a.sha256 !== sceneSha);
    const name = maskName(lib, summary.maskIds[0]);
    if (!objectGlb || name === null) continue;
    const stored = glbMeshNodeNames(new Uint8Array(await fsp.readFile(objectGlb.path).catch(() => Buffer.alloc(0))))[0];
    if (stored !== undefined && !names.has(stored)) names.set(stored, name);
  }
  for (const [stored, name] of own) names.set(stored, name);
  return names;
}

export function exportHandlers(lib: Library): HandlerMap<'export.run'> {
  return {
    'export.run': async (req) => {
      const run = lib.getRun(req.runId);
      if (run.status !== 'succeeded')
        throw new ApiFailure(
          'CONFLICT',
          `Run "${run.name}" has not finished successfully (status: ${run.status}); only finished runs can be exported.`,
        );
      const glbs = run.artefacts.filter((a) => a.kind === 'glb');
      if (glbs.length === 0) throw new ApiFailure('CONFLICT', `Run "${run.name}" has no stored result to export.`);
      const report = (run.report ?? {}) as ReportLike;
      const reports: ReportLike[] = Array.isArray(report.objects) ? report.objects : [report];
      const dir = path.resolve(req.dir ?? path.join(lib.dataDir, 'exports', req.runId));
      try {
        makeDirsSync(dir);
      } catch (e) {
        throw new ApiFailure('BAD_REQUEST', outputFolderError(e, dir, 'export folder').message);
      }
      // Read once: the scene GLB's bytes are written again below.
      const stored = await Promise.all(glbs.map(async (a) => new Uint8Array(await fsp.readFile(a.path))));
      const read: ReadGlb[] = [];
      for (const bytes of stored) read.push(await readGlb(bytes));
      const scene = read.find((r) => r.camera !== null && r.meshNodes > 0 && read.length > 1);
      const objects = read.filter((r) => r !== scene);
      // Each object by its mask's name now (renamed masks included), one mask per object in order; the
      // name stored in its GLB when the masks do not say which is which.
      const current = objects.map(
        (o, i) => (objects.length === run.maskIds.length ? maskName(lib, run.maskIds[i]) : null) ?? (o.name || `object ${i}`),
      );
      // File names that cannot collide (two objects named alike would otherwise overwrite each other).
      const names = uniqueOutputNames(current);
      // Files say whose they are, which run and which variant: "<project>-<object>-<run>[-posed][-<N>tri]"
      // (see runFileTag), so a download is not one more "object_0.glb", a result and its baseline do not
      // share a name, and a simplified export does not replace the full one beside it.
      const projectName = lib.getProjectRecord(run.projectId).name;
      const tag = runFileTag(run);
      const variant = [req.posed ? 'posed' : '', req.targetTriangles !== undefined ? `${req.targetTriangles}tri` : ''];
      const sameName = (a: string, b: string) => fileBaseName(a, '').toLowerCase() === fileBaseName(b, '').toLowerCase();
      const fileBase = (object: string) => joinedFileBaseName([sameName(object, projectName) ? '' : projectName, object, tag], variant);
      try {
        // Every file is rendered in memory first and committed together: all of them or none.
        const pending: (PendingOutput & { object: string })[] = [];
        for (const [i, obj] of objects.entries()) {
          // The stored GLBs come in the order of the report's objects; the names may differ (made
          // unique when written), so the order decides, and the name only when the counts differ.
          const rep =
            reports.length === objects.length ? reports[i] : (reports.find((r) => r.name === obj.name) ?? reports[i]);
          // A run recorded before meshes came back at the object's size (no aggregation.meshAtObjectScale)
          // stored its mesh 1/S the size with S in the layout scale: exported as a run of today would be.
          const stored = runShape(obj.mesh, rep);
          const shape = canonicalShape(stored.mesh, isLayout(rep?.layout) ? rep.layout : null, stored.factor);
          const layout = shape.layout;
          if (req.posed && !isLayout(layout))
            throw new ApiFailure(
              'CONFLICT',
              `Run "${run.name}" has no layout for "${names[i]}", so it cannot be exported posed; export it in its object frame instead.`,
            );
          const mesh = req.targetTriangles !== undefined ? await simplifyMesh(shape.mesh, req.targetTriangles) : shape.mesh;
          const files = await renderOutputs({ mesh, layout: isLayout(layout) ? layout : IDENTITY, report: rep }, dir, {
            formats: req.formats,
            posed: req.posed,
            baseName: fileBase(names[i]),
          });
          pending.push(...files.map((f) => ({ ...f, object: names[i] })));
        }
        // A scene job's scene.glb holds every object of the job (this run's object is one of them): written
        // again with its objects under their current names, each mesh simplified when asked, every node's
        // placement and the photo camera as stored.
        if (scene && req.formats.includes('glb')) {
          const at = read.indexOf(scene);
          const own = new Map(objects.map((o, i) => [o.name, names[i]]));
          const rename = await sceneNodeNames(lib, run, glbs[at].sha256, own);
          const data = await rewriteSceneGlb(stored[at], {
            targetTriangles: req.targetTriangles,
            rename: (node) => rename.get(node) ?? node,
          });
          const sceneBase = joinedFileBaseName([projectName, 'scene', tag], variant);
          pending.push({ path: path.join(dir, `${sceneBase}.glb`), format: 'scene-glb', data, object: 'scene' });
        }
        const replaced = pending.map((f) => existsSync(f.path));
        const bytes = await commitFiles(pending);
        return { dir, files: pending.map((f, i) => exported(f, bytes[i], replaced[i])) };
      } catch (e) {
        throw toFailure(e);
      }
    },
  };
}
