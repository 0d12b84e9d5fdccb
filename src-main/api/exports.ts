/**
 * Handler of export.run (src-shared/api/exports.ts): re-export a finished run's stored result in the
 * requested formats — canonical or posed, optionally simplified — into a folder. The run's GLB artefacts
 * are read back (object GLBs carry their mask name as node name; the scene GLB carries the photo camera)
 * and its report supplies each object's layout. The foundation wires this map into the dispatcher.
 */
import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ExportedFile } from '../../src-shared/api/exports';
import {
  commitFiles,
  ExportInputError,
  ExportWriteError,
  fileBaseName,
  outputFolderError,
  readGlb,
  renderOutputs,
  sceneGlbBytes,
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
      const read: ReadGlb[] = [];
      for (const a of glbs) read.push(await readGlb(new Uint8Array(await fsp.readFile(a.path))));
      const scene = read.find((r) => r.camera !== null && r.meshNodes > 0 && read.length > 1);
      const objects = read.filter((r) => r !== scene);
      // File names that cannot collide (two objects named alike would otherwise overwrite each other).
      const names = uniqueOutputNames(objects.map((o, i) => o.name || `object ${i}`));
      // Files say whose they are and which variant: "<project>-<object>[-posed][-<N>tri]", so a download
      // is not one more "object_0.glb" and a simplified export does not replace the full one beside it.
      const projectName = lib.getProject(run.projectId).name;
      const variant = [req.posed ? 'posed' : '', req.targetTriangles !== undefined ? `${req.targetTriangles}tri` : ''];
      const fileBase = (object: string) => [object === projectName ? '' : projectName, object, ...variant].filter(Boolean).join('-');
      try {
        // Every file is rendered in memory first and committed together: all of them or none.
        const pending: (PendingOutput & { object: string })[] = [];
        const placed: { name: string; mesh: ReadGlb['mesh']; layout: Layout }[] = [];
        for (const [i, obj] of objects.entries()) {
          // The stored GLBs come in the order of the report's objects; the names may differ (made
          // unique when written), so the order decides, and the name only when the counts differ.
          const rep =
            reports.length === objects.length ? reports[i] : (reports.find((r) => r.name === obj.name) ?? reports[i]);
          // A run recorded before meshes came back at the object's size (no aggregation.meshAtObjectScale)
          // stored its mesh 1/S the size with S in the layout scale: exported as a run of today would be.
          const stored = runShape(obj.mesh, rep);
          const current = canonicalShape(stored.mesh, isLayout(rep?.layout) ? rep.layout : null, stored.factor);
          const layout = current.layout;
          if (req.posed && !isLayout(layout))
            throw new ApiFailure(
              'CONFLICT',
              `Run "${run.name}" has no layout for "${obj.name}", so it cannot be exported posed; export it in its object frame instead.`,
            );
          const mesh = req.targetTriangles !== undefined ? await simplifyMesh(current.mesh, req.targetTriangles) : current.mesh;
          const files = await renderOutputs({ mesh, layout: isLayout(layout) ? layout : IDENTITY, report: rep }, dir, {
            formats: req.formats,
            posed: req.posed,
            baseName: fileBase(names[i]),
          });
          pending.push(...files.map((f) => ({ ...f, object: names[i] })));
          if (isLayout(layout)) placed.push({ name: names[i], mesh, layout });
        }
        // A scene run's scene.glb: copied as stored, or rebuilt from the simplified objects.
        if (scene && req.formats.includes('glb')) {
          const data =
            req.targetTriangles !== undefined && scene.camera && placed.length === objects.length
              ? await sceneGlbBytes(placed, scene.camera, scene.extras)
              : new Uint8Array(await fsp.readFile(glbs[read.indexOf(scene)].path));
          pending.push({ path: path.join(dir, `${fileBaseName(fileBase('scene'))}.glb`), format: 'scene-glb', data, object: 'scene' });
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
