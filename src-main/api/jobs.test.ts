/**
 * jobs.list hands a window that joins a job mid-run (a reload, a second window) where the job is: its
 * last progress event while it runs, with the variant of a Compare it belongs to, and nothing once it has
 * ended. Through the real job service and library; the worker is a stand-in that reports one step and
 * waits, so the list is read while the job runs.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventHub } from './index';
import { JobService } from './jobs';
import type { WorkerJob } from '../inference/protocol';
import { SettingsStore } from '../inference/settings-store';
import { JobCancelledError } from '../inference/supervisor';
import { jobLibrary } from '../library';
import type { JobSummary } from '../../src-shared/api/jobs';
import { greyMaskPng, libraryOpener, photoPng, tempDir } from '../../test/library/fixtures';

const MODELS = path.resolve(__dirname, '../../models');
const openLib = libraryOpener(32);

describe('jobs.list', () => {
  it('carries the last progress event of a running job, and none once it has ended', async () => {
    const dataDir = tempDir();
    const lib = openLib(dataDir);
    const events = new EventHub();
    const service: { jobs?: JobService } = {};
    let stop: (e: Error) => void = () => undefined;
    let reported: () => void = () => undefined;
    const midRun = new Promise<void>((r) => { reported = r; });
    const supervisor = {
      providers: ['cpu'],
      start() {},
      // The worker takes the job, reports a step of SS sampling, and runs on until cancelled.
      run(job: WorkerJob) {
        service.jobs!.markStarted(job.jobId);
        service.jobs!.withVariant({ jobId: job.jobId, stage: 'ssSampling', step: 3, steps: 100, stepKind: 'cached', fraction: 0.2 });
        reported();
        return new Promise((_, reject) => { stop = reject; });
      },
      cancel: (jobId: string) => { stop(new JobCancelledError(`Job ${jobId} was cancelled.`)); return true; },
      close() {},
    };
    const jobs = new JobService({
      dataDir, packRoots: [MODELS], settings: new SettingsStore(dataDir), supervisor: supervisor as never, events, library: jobLibrary(lib, { appVersion: '0.1.0' }),
    });
    service.jobs = jobs;
    const list = () => jobs.handlers()['jobs.list']({}) as JobSummary[];
    const { image } = await lib.importImage({ name: 'mug.png', data: await photoPng() });
    const mask = await lib.saveMask({ imageId: image.id, name: 'mug', png: await greyMaskPng(64, 48, 300) });
    const finished = new Promise<JobSummary>((resolve) => events.subscribe((name, payload) => {
      if (name === 'job.finished') resolve((payload as { job: JobSummary }).job);
    }));
    const jobId = jobs.submit({
      kind: 'object', imageId: image.id, maskIds: [mask.id], packId: 'test-tiny', method: 'fast-sam3d', params: { seed: 1 }, withBaseline: true,
    });
    await midRun;

    expect(list()[0]).toMatchObject({
      jobId, status: 'running',
      progress: { jobId, stage: 'ssSampling', step: 3, steps: 100, stepKind: 'cached', fraction: 0.2, variant: 0, variants: 2 },
    });

    expect(jobs.cancel(jobId)).toBe(true);
    const job = await finished;
    expect(job.status).toBe('cancelled');
    expect(job.progress).toBeUndefined();
    expect(list()[0]).toMatchObject({ jobId, status: 'cancelled' });
    expect(list()[0].progress).toBeUndefined();
    await jobs.settle();
  });
});
