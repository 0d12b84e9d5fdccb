/**
 * Runs one worker job on the pipeline (src-main/pipeline) and writes its result files into the job's
 * output folder. Packs stay open between jobs (sessions warm), keyed by folder and provider.
 */
import fs from 'node:fs';
import type { JobProgressEvent } from '../../src-shared/api/jobs';
import type { RunReport, SceneReport } from '../../src-shared/report';
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

function requireFile(p: string, what: string): void {
  if (!fs.existsSync(p)) throw new Error(`${what} not found: ${p}. It may have been deleted from the library folder.`);
}

export async function runWorkerJob(job: WorkerJob, _options: RunnerOptions): Promise<RunnerResult> {
  requireFile(job.imagePath, 'Image file');
  for (const m of job.masks) requireFile(m.path, `Mask file "${m.name}"`);
  requireFile(`${job.packDir}/manifest.json`, 'Model pack manifest');
  // Integration point: src-main/pipeline/index.ts (openPack / runObject / runScene) is being written.
  throw Object.assign(new Error('The generation pipeline is not part of this build yet.'), { code: 'UNAVAILABLE' });
}
