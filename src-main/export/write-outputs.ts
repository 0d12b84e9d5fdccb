/**
 * One call for the CLI, the worker and export.run: write an object result (or a scene) in the requested
 * formats into a folder. File names: `<base>.glb|.obj(+.mtl)|.ply`, scenes add `scene.glb`.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { CameraInfo, Layout, Mesh } from '../pipeline/types';
import { ExportWriteError } from './atomic-write';
import { writeGlb } from './glb';
import { writeObj } from './obj';
import { writePly } from './ply';
import { writeSceneGlb } from './scene';
import { simplifyMesh } from './simplify';

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

/** A safe file base name from a mask or object name. */
export function fileBaseName(name: string): string {
  const cleaned = name
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .replace(/^[._]+/, '')
    .slice(0, 80);
  return cleaned || 'object';
}

async function ensureDir(dir: string): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ExportWriteError(
      `Cannot create the output folder ${dir} (${err.code ?? err.message}). Choose a folder you can write to.`,
      err.code ?? 'EIO',
      dir,
    );
  }
}

function extrasOf(result: ObjectOutput, opts: OutputOptions): Record<string, unknown> | undefined {
  if (opts.extras) return opts.extras;
  const report = result.report as { method?: unknown; params?: unknown; pack?: unknown } | undefined;
  return report ? { fastsam3d: { pack: report.pack, method: report.method, params: report.params } } : undefined;
}

export async function writeOutputs(result: ObjectOutput, dir: string, opts: OutputOptions): Promise<WrittenFile[]> {
  if (opts.formats.length === 0) throw new Error('choose at least one format (glb, obj, ply)');
  await ensureDir(dir);
  const mesh = opts.targetTriangles ? await simplifyMesh(result.mesh, opts.targetTriangles) : result.mesh;
  const base = path.join(dir, fileBaseName(opts.baseName ?? 'object'));
  const meshOpts = {
    name: opts.baseName ?? 'object',
    layout: opts.posed ? result.layout : null,
    extras: extrasOf(result, opts),
  };
  const files: WrittenFile[] = [];
  for (const format of [...new Set(opts.formats)]) {
    if (format === 'glb')
      files.push({ path: `${base}.glb`, format, bytes: await writeGlb(`${base}.glb`, mesh, meshOpts) });
    else if (format === 'ply')
      files.push({ path: `${base}.ply`, format, bytes: await writePly(`${base}.ply`, mesh, meshOpts) });
    else {
      const r = await writeObj(`${base}.obj`, mesh, meshOpts);
      files.push(
        { path: `${base}.obj`, format, bytes: r.objBytes },
        { path: r.mtlPath, format: 'mtl', bytes: r.mtlBytes },
      );
    }
  }
  return files;
}

/**
 * A scene: `scene.glb` (all objects placed, with the photo camera) plus each object in the requested
 * formats under its mask name.
 */
export async function writeSceneOutputs(
  objects: (ObjectOutput & { name: string })[],
  camera: CameraInfo,
  dir: string,
  opts: OutputOptions,
): Promise<WrittenFile[]> {
  await ensureDir(dir);
  const simplified = await Promise.all(
    objects.map(async (o) => ({
      ...o,
      mesh: opts.targetTriangles ? await simplifyMesh(o.mesh, opts.targetTriangles) : o.mesh,
    })),
  );
  const scenePath = path.join(dir, 'scene.glb');
  const files: WrittenFile[] = [
    {
      path: scenePath,
      format: 'scene-glb',
      bytes: await writeSceneGlb(scenePath, simplified, camera, objects[0] ? extrasOf(objects[0], opts) : undefined),
    },
  ];
  for (const o of simplified) {
    files.push(...(await writeOutputs(o, dir, { ...opts, targetTriangles: undefined, baseName: o.name })));
  }
  return files;
}
