/**
 * Runs one worker job on the pipeline (src-main/pipeline) and writes its result files into the job's
 * output folder: `<object>.glb` per object (object frame, y-up metres), plus `scene.glb` for scenes.
 * Packs stay open between jobs (ONNX sessions warm), keyed by folder and provider.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JobProgressEvent } from '../../src-shared/api/jobs';
import type { AccelParams } from '../../src-shared/params';
import type { RunReport, SceneReport } from '../../src-shared/report';
import { ExportWriteError, fileBaseName, uniqueOutputNames, writeOutputs, writeSceneOutputs, type WrittenFile } from '../export/index';
import { loadContextMasks, loadImageFile, loadMaskFile, openPack, runObject, runScene, type Pack } from '../pipeline/index';
import type { WorkerJob, WorkerOutput } from './protocol';

export interface RunnerOptions {
  provider: string;
  signal: AbortSignal;
  onProgress: (event: Omit<JobProgressEvent, 'jobId'>) => void;
}

export interface RunnerResult {
  executionProvider: string;
  reports: RunReport[];
  sceneReport?: SceneReport;
  outputs: WorkerOutput[];
  warnings: string[];
}

const openPacks = new Map<string, { pack: Promise<Pack>; stamp: string }>();

/**
 * Name, size, mtime and inode of every entry of the pack folder: changes when the pack is updated,
 * repaired or damaged on disk (a file copied over, truncated, removed), so the open pack is not reused.
 */
function folderStamp(dir: string): string {
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch (err) {
    return `unreadable:${(err as NodeJS.ErrnoException).code ?? ''}`;
  }
  return names.map((n) => {
    try {
      const st = fs.statSync(path.join(dir, n));
      return `${n}:${st.size}:${st.mtimeMs}:${st.ino}`;
    } catch {
      return `${n}:?`;
    }
  }).join('|');
}

/**
 * The open pack for a folder and provider. A pack that failed to open is not cached, and one whose
 * folder changed since it was opened is closed and opened again (validated against the files now there:
 * sessions are created lazily, so an old manifest must never be paired with new files).
 */
function packFor(dir: string, provider: string): Promise<Pack> {
  const key = `${path.resolve(dir)}\0${provider}`;
  const stamp = folderStamp(dir);
  const cached = openPacks.get(key);
  if (cached && cached.stamp === stamp) return cached.pack;
  if (cached) {
    openPacks.delete(key);
    void cached.pack.then((p) => p.close(), () => undefined);
  }
  const pack = openPack(dir, { executionProvider: provider as never });
  const entry = { pack, stamp };
  pack.catch(() => { if (openPacks.get(key) === entry) openPacks.delete(key); });
  openPacks.set(key, entry);
  return pack;
}

export async function closePacks(): Promise<void> {
  const all = [...openPacks.values()];
  openPacks.clear();
  await Promise.allSettled(all.map(async (e) => (await e.pack).close()));
}

function requireFile(p: string, what: string): void {
  if (!fs.existsSync(p)) throw new Error(`${what} not found: ${p}. It may have been moved or deleted from the library folder.`);
}

export async function runWorkerJob(job: WorkerJob, o: RunnerOptions): Promise<RunnerResult> {
  requireFile(job.imagePath, 'Image file');
  for (const m of job.masks) requireFile(m.path, `Mask file "${m.name}"`);
  const pack = await packFor(job.packDir, o.provider);
  const image = await loadImageFile(job.imagePath);
  const masks = await Promise.all(job.masks.map((m) => loadMaskFile(m.path)));
  const names = uniqueOutputNames(job.masks.map((m) => m.name));
  const warnings = [...pack.warnings];
  const otherMasks = await loadContextMasks(job.otherMasks ?? [], warnings);
  const runOpts = {
    method: job.method, params: job.params as Partial<AccelParams>, onProgress: o.onProgress, signal: o.signal,
    ...(otherMasks.length ? { otherMasks } : {}),
  };
  // GLB files only (other formats are written on export); the object is known from the file's base name.
  const byFile = new Map(names.map((n, i) => [`${fileBaseName(n)}.glb`.toLowerCase(), i]));
  const outputsOf = (files: WrittenFile[]): WorkerOutput[] => files
    .filter((f) => f.format === 'glb' || f.format === 'scene-glb')
    .map((f) => {
      const object = f.format === 'scene-glb' ? 'scene' : byFile.get(path.basename(f.path).toLowerCase());
      if (object === undefined) throw new Error(`internal: the output ${f.path} belongs to no object of the job`);
      return { object, kind: 'glb' as const, path: path.relative(job.outputDir, f.path) };
    });

  if (job.kind === 'object') {
    const r = await runObject(pack, { image, mask: masks[0], name: job.masks[0].name }, runOpts);
    const files = await savedInJobFolder(writeOutputs(r, job.outputDir, { formats: ['glb'], baseName: names[0] }), job.outputDir);
    return { executionProvider: pack.executionProvider, reports: [r.report], outputs: outputsOf(files), warnings };
  }
  const r = await runScene(pack, { image, masks: masks.map((mask, i) => ({ mask, name: job.masks[i].name })) }, runOpts);
  const objects = r.objects.map((obj, i) => ({ ...obj, name: names[i] }));
  const files = await savedInJobFolder(writeSceneOutputs(objects, r.objects[0].camera, job.outputDir, { formats: ['glb'] }), job.outputDir);
  return { executionProvider: pack.executionProvider, reports: r.report.objects, sceneReport: r.report, outputs: outputsOf(files), warnings };
}

/** Why a write into the job's folder failed, and what to do, by errno (the rest: the folder cannot be written). */
const JOB_FOLDER_WRITE: Record<string, [string, string]> = {
  ENOSPC: ['the disk holding it is full', 'Free some space on that disk'],
  EDQUOT: ['the disk quota is exhausted', 'Free some space on that disk'],
  EFBIG: ['the file is too large for this file system or for the size limit this process runs under', 'Free some space or raise the limit'],
};

/**
 * The result files, written into the job's folder (`<data dir>/jobs/<job id>/`, made by the job service).
 * The export module words its write errors for a folder the user chose ("… or choose another folder"); this
 * one is the app's own, so a failure says what to do about the data folder that holds it instead.
 */
async function savedInJobFolder<T>(writing: Promise<T>, jobDir: string): Promise<T> {
  try {
    return await writing;
  } catch (e) {
    if (!(e instanceof ExportWriteError)) throw e;
    const dataDir = path.dirname(path.dirname(jobDir));
    const [why, todo] = JOB_FOLDER_WRITE[e.code] ?? [`it cannot be written (${e.code})`, 'Make the data folder writable'];
    throw new ExportWriteError(`Could not save the result in the job's folder ${jobDir} inside the app's data folder ${dataDir}: ${why}. ${todo}, then run this again.`, e.code, e.file);
  }
}
