/**
 * Cancelling a Compare job between its two halves: the accelerated result is being recorded and the
 * baseline is not queued yet, so the worker holds no part of the job. The cancel must still hold: the
 * baseline never starts, its run is recorded as cancelled, and the finished result is kept. Through the
 * real job service and library, with the real pipeline on the test pack standing in for the worker.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventHub } from '../../src-main/api/index';
import { JobService } from '../../src-main/api/jobs';
import { closePacks, runWorkerJob } from '../../src-main/inference/pipeline-runner';
import type { WorkerJob } from '../../src-main/inference/protocol';
import { SettingsStore } from '../../src-main/inference/settings-store';
import { jobLibrary } from '../../src-main/library';
import type { JobProgressEvent, JobSummary } from '../../src-shared/api/jobs';
import { greyMaskPng, libraryOpener, photoPng, tempDir } from './fixtures';

const MODELS = path.resolve(__dirname, '../../models');
const openLib = libraryOpener(32);
afterAll(closePacks);

describe('a Compare job cancelled between its result and its baseline', () => {
  it('does not start the baseline, records it as cancelled and keeps the result; progress names each half', async () => {
    const dataDir = tempDir();
    const lib = openLib(dataDir);
    const events = new EventHub();
    const started: WorkerJob['method'][] = [];
    const progress: JobProgressEvent[] = [];
    const service: { jobs?: JobService } = {};
    let jobId = '';
    const supervisor = {
      providers: ['cpu'],
      start() {},
      // The worker: the real pipeline.
      async run(job: WorkerJob) {
        started.push(job.method);
        const r = await runWorkerJob(job, { provider: 'cpu', signal: new AbortController().signal, onProgress: (e) => progress.push(service.jobs!.withVariant({ ...e, jobId: job.jobId })) });
        return { type: 'done' as const, jobId: job.jobId, executionProvider: r.executionProvider, reports: r.reports, outputs: r.outputs, warnings: r.warnings };
      },
      // It has nothing of the job between the two halves, as the real supervisor then.
      cancel: () => false,
      close() {},
    };
    // The cancel comes while the result is recorded: the worker is done with it, the baseline not queued.
    const library = jobLibrary(lib, { appVersion: '0.1.0' });
    const record = library.finishRun.bind(library);
    let asked: boolean | null = null;
    library.finishRun = async (...args: Parameters<typeof record>) => {
      await record(...args);
      asked ??= service.jobs!.cancel(jobId);
    };
    const jobs = new JobService({
      dataDir, packRoots: [MODELS], settings: new SettingsStore(dataDir), supervisor: supervisor as never, events,
      library,
    });
    service.jobs = jobs;
    const { image } = await lib.importImage({ name: 'chair.png', data: await photoPng() });
    const mask = await lib.saveMask({ imageId: image.id, name: 'chair', png: await greyMaskPng(64, 48, 300) });
    const finished = new Promise<JobSummary>((resolve) => events.subscribe((name, payload) => {
      if (name === 'job.finished') resolve((payload as { job: JobSummary }).job);
    }));
    jobId = jobs.submit({
      kind: 'object', imageId: image.id, maskIds: [mask.id], packId: 'test-tiny', method: 'fast-sam3d',
      params: { seed: 1, ssSteps: 3, slatSteps: 3 }, withBaseline: true,
    });
    const job = await finished;
    expect(asked).toBe(true);
    expect(job).toMatchObject({ jobId, status: 'cancelled' });
    expect(started).toEqual(['fast-sam3d']);
    const runs = job.runIds.map((id) => lib.getRun(id));
    expect(runs.map((r) => [r.method, r.status])).toEqual(expect.arrayContaining([['fast-sam3d', 'succeeded'], ['off', 'cancelled']]));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((e) => e.variant === 0 && e.variants === 2)).toBe(true);
  });
});
