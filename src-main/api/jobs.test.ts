/**
 * jobs.list hands a window that joins a job mid-run (a reload, a second window) where the job is: its
 * last progress event while it runs, with the variant of a Compare it belongs to, and nothing once it has
 * ended; job.submitted tells every window of a new job the same way, first of its events, so that a window
 * on its photo follows it. Through the real job service and library; the worker is a stand-in that reports
 * one step and waits, so the list is read while the job runs.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventHub } from './index';
import { JobService } from './jobs';
import type { WorkerJob } from '../inference/protocol';
import { SettingsStore } from '../inference/settings-store';
import { JobCancelledError } from '../inference/supervisor';
import { jobLibrary } from '../library';
import type { JobSubmitRequest, JobSummary } from '../../src-shared/api/jobs';
import { greyMaskPng, libraryOpener, photoPng, tempDir } from '../../test/library/fixtures';

const MODELS = path.resolve(__dirname, '../../models');
const openLib = libraryOpener(32);

/** The job service on a library with the mug and its mask, and a worker that reports one step and runs on until cancelled. */
async function setUp() {
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
  const request: JobSubmitRequest = {
    kind: 'object', imageId: image.id, maskIds: [mask.id], packId: 'test-tiny', method: 'fast-sam3d', params: { seed: 1 }, withBaseline: true,
  };
  return { jobs, events, list, finished, midRun, request };
}

describe('jobs.list', () => {
  it('carries the last progress event of a running job, and none once it has ended', async () => {
    const { jobs, list, finished, midRun, request } = await setUp();
    const jobId = jobs.submit(request);
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

describe('job.submitted', () => {
  it('announces a job to every window before its jobs.submit reply and before its other events, as jobs.list tells it', async () => {
    const { jobs, events, finished, request } = await setUp();
    const seen: { name: string; payload: unknown }[] = [];
    events.subscribe((name, payload) => seen.push({ name, payload }));
    const jobId = jobs.submit(request);
    // Emitted within jobs.submit (its reply goes out after it), first of the job's events.
    expect(seen.map((e) => e.name)).toEqual(['job.submitted']);
    const announced = (seen[0].payload as { job: JobSummary }).job;
    expect(announced).toMatchObject({ jobId, status: 'queued', request });
    expect(announced.runIds).toHaveLength(2);   // the result and its baseline
    expect(announced.cancelRequested).toBeUndefined();

    // Cancelled through jobs.cancel (another window's Cancel): its end says so, unlike a host shutdown.
    expect(jobs.cancel(jobId)).toBe(true);
    expect(await finished).toMatchObject({ jobId, status: 'cancelled', cancelRequested: true });
    await jobs.settle();
  });
});
