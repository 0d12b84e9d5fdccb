/**
 * A run's record through its life as the job service drives it: queued → running (startRun) →
 * succeeded / failed / cancelled, with an honest execution provider; and the sweep of job folders
 * (`<dataDir>/jobs/<jobId>/`) that crashed jobs leave behind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNKNOWN_PROVIDER, jobLibrary } from '../../src-main/library';
import type { JobSubmitRequest } from '../../src-shared/api/jobs';
import { cubeGlb, fakeReport, imageWithMask, queued, runInput, libraryOpener, tempDir } from './fixtures';

const openLib = libraryOpener(32);

describe('startRun', () => {
  it('moves a queued run to running with startedAt, once: a second call changes nothing', async () => {
    const lib = openLib();
    const { image, mask } = await imageWithMask(lib);
    const run = lib.beginRun(queued(image.id, mask.id));
    expect(run).toMatchObject({ status: 'queued', startedAt: null });
    expect(lib.listRuns({ status: 'queued' }).map((r) => r.id)).toEqual([run.id]);

    const started = lib.startRun(run.id);
    expect(started.status).toBe('running');
    expect(started.startedAt).not.toBeNull();
    expect(Date.parse(started.startedAt!)).toBeGreaterThanOrEqual(Date.parse(run.createdAt));
    expect(lib.listRuns({ status: 'running' }).map((r) => r.id)).toEqual([run.id]);
    await new Promise((r) => setTimeout(r, 5));
    expect(lib.startRun(run.id)).toEqual(started); // idempotent: same startedAt

    const done = await lib.finishRun(run.id, { report: fakeReport(100), artefacts: [] });
    expect(done).toMatchObject({ status: 'succeeded', startedAt: started.startedAt });
    expect(() => lib.startRun(run.id)).toThrow(/is already succeeded; it cannot start again/);
    expect(() => lib.startRun('nope')).toThrow(/No run with id nope/);
  });

  it('refuses to start a failed or cancelled run (CONFLICT) and the adapter reports it without throwing', async () => {
    const lib = openLib();
    const { image, mask } = await imageWithMask(lib);
    const errors: unknown[] = [];
    const jobs = jobLibrary(lib, { appVersion: '0.1.0', onRecordError: (_id, err) => errors.push(err) });
    const run = lib.beginRun(queued(image.id, mask.id));
    lib.failRun(run.id, 'Cancelled by the user', { cancelled: true });
    expect(() => lib.startRun(run.id)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(() => jobs.startRun(run.id)).not.toThrow();
    expect(errors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
    expect(lib.getRun(run.id)).toMatchObject({ status: 'cancelled', startedAt: null });
  });

  it('through the job adapter: queued at submit, running when the worker starts, succeeded with the provider it used', async () => {
    const lib = openLib();
    const { image, mask } = await imageWithMask(lib);
    const jobs = jobLibrary(lib, { appVersion: '0.1.0' });
    const req: JobSubmitRequest = { kind: 'object', imageId: image.id, maskIds: [mask.id], packId: 'p', method: 'fast-sam3d', params: {}, withBaseline: false };
    const runId = jobs.beginRun(req, { jobId: 'j', objectIndex: 0, objectName: 'chair', baseline: false, packDir: tempDir() });
    expect(lib.getRun(runId)).toMatchObject({ status: 'queued', executionProvider: 'pending', startedAt: null });
    jobs.startRun(runId);
    jobs.startRun(runId);
    expect(lib.getRun(runId).status).toBe('running');
    const out = tempDir();
    fs.writeFileSync(path.join(out, 'chair.glb'), await cubeGlb());
    await jobs.finishRun(runId, { report: fakeReport(10) as never, executionProvider: 'cuda', files: [{ object: 0, kind: 'glb', path: 'chair.glb' }], outputDir: out });
    expect(lib.getRun(runId)).toMatchObject({ status: 'succeeded', executionProvider: 'cuda' });
  });
});

describe('tuned runs', () => {
  it('marks a preset method run whose acceleration values differ from the preset, not its seed or sampler settings', async () => {
    const lib = openLib();
    const { image, mask } = await imageWithMask(lib);
    const jobs = jobLibrary(lib, { appVersion: '0.1.0' });
    const submit = (method: JobSubmitRequest['method'], params: JobSubmitRequest['params'], baseline = false) => lib.getRun(jobs.beginRun(
      { kind: 'object', imageId: image.id, maskIds: [mask.id], packId: 'p', method, params, withBaseline: baseline },
      { jobId: 'j', objectIndex: 0, objectName: 'chair', baseline, packDir: tempDir() },
    ));
    expect(submit('fast-sam3d', {}).tuned).toBe(false);
    expect(submit('fast-sam3d', { seed: 7, ssSamples: 3, ssSteps: 12 }).tuned).toBe(false);
    expect(submit('fast-sam3d', { ssCacheStride: 4 }).tuned).toBe(true);
    expect(submit('max', { ssCache: false }).tuned).toBe(true);
    // A Compare baseline of a tuned run is plain off; a baseline method has no preset to differ from.
    expect(submit('fast-sam3d', { ssCacheStride: 4 }, true)).toMatchObject({ method: 'off', tuned: false });
    expect(submit('uniform-skip', { ssCacheStride: 4 }).tuned).toBe(false);
  });
});

describe('execution provider of runs that did not succeed', () => {
  it('failRun stores the provider the worker reported, or "unknown" instead of "pending"', async () => {
    const lib = openLib();
    const { image, mask } = await imageWithMask(lib);
    const jobs = jobLibrary(lib, { appVersion: '0.1.0' });
    const a = lib.beginRun(queued(image.id, mask.id));
    expect(lib.failRun(a.id, 'CUDA out of memory', { executionProvider: 'cuda' })).toMatchObject({ status: 'failed', executionProvider: 'cuda' });
    const b = lib.beginRun(queued(image.id, mask.id));
    expect(lib.failRun(b.id, 'Cancelled by the user', { cancelled: true })).toMatchObject({ status: 'cancelled', executionProvider: UNKNOWN_PROVIDER });
    // A provider given at begin (not pending) is kept when the failure names none.
    const c = lib.beginRun(runInput(image.id, [mask.id]));
    expect(lib.failRun(c.id, 'worker crashed')).toMatchObject({ executionProvider: 'cpu' });
    // Through the adapter, with and without the provider of the worker's error.
    const d = lib.beginRun(queued(image.id, mask.id));
    jobs.failRun(d.id, 'Worker crashed', 'failed', 'directml');
    expect(lib.getRun(d.id)).toMatchObject({ status: 'failed', executionProvider: 'directml', error: 'Worker crashed' });
    const e = lib.beginRun(queued(image.id, mask.id));
    jobs.failRun(e.id, 'Cancelled', 'cancelled');
    expect(lib.getRun(e.id)).toMatchObject({ status: 'cancelled', executionProvider: 'unknown' });
  });

  it('a success whose report names no provider is "unknown", not "pending"', async () => {
    const lib = openLib();
    const { image, mask } = await imageWithMask(lib);
    const run = lib.beginRun(queued(image.id, mask.id));
    const { executionProvider: _ep, ...report } = fakeReport(50);
    expect(await lib.finishRun(run.id, { report, artefacts: [] })).toMatchObject({ status: 'succeeded', executionProvider: 'unknown' });
  });

  it('runs interrupted by a crash, and old records left "pending", read "unknown" after the next open', async () => {
    const dir = tempDir();
    const lib = openLib(dir);
    const { image, mask } = await imageWithMask(lib);
    const interrupted = lib.beginRun(queued(image.id, mask.id));
    const old = lib.beginRun(queued(image.id, mask.id));
    lib.db.prepare(`UPDATE runs SET status = 'failed', error = 'old build' WHERE id = ?`).run(old.id); // as an older build recorded it
    const cpu = lib.beginRun(runInput(image.id, [mask.id]));
    lib.close();
    fs.rmSync(path.join(dir, 'library.lock'), { force: true }); // the crashed process is gone

    const again = openLib(dir);
    expect(again.getRun(interrupted.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Interrupted/), executionProvider: 'unknown' });
    expect(again.getRun(old.id)).toMatchObject({ status: 'failed', executionProvider: 'unknown' });
    expect(again.getRun(cpu.id)).toMatchObject({ status: 'failed', executionProvider: 'cpu' });
  });
});

describe('a Compare baseline that does not finish', () => {
  it('leaves its accelerated run measured against the newest finished baseline of the same inputs', async () => {
    const lib = openLib();
    const { image, mask } = await imageWithMask(lib);
    const older = lib.beginRun(runInput(image.id, [mask.id], 'off'));
    await lib.finishRun(older.id, { report: fakeReport(3000, 'off'), artefacts: [{ kind: 'glb', data: await cubeGlb() }] });
    // A Compare job: its baseline row first, the accelerated run linked to it, run and finished first.
    const own = lib.beginRun({ ...runInput(image.id, [mask.id], 'off'), status: 'queued' });
    const fast = lib.beginRun({ ...runInput(image.id, [mask.id], 'fast-sam3d'), status: 'queued', baselineRunId: own.id });
    await lib.finishRun(fast.id, { report: fakeReport(1000), artefacts: [{ kind: 'glb', data: await cubeGlb() }] });
    expect(lib.getRun(fast.id)).toMatchObject({ baselineRunId: own.id, speedup: null });
    lib.failRun(own.id, 'Cancelled.', { cancelled: true });
    expect(lib.getRun(fast.id)).toMatchObject({ baselineRunId: older.id, speedup: 3 });
  });
});

describe('job folders', () => {
  function jobFolder(dataDir: string, jobId: string): string {
    const dir = path.join(dataDir, 'jobs', jobId);
    fs.mkdirSync(path.join(dir, 'baseline'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'obj.glb'), 'glb');
    fs.writeFileSync(path.join(dir, 'baseline', 'obj.glb'), 'glb');
    return dir;
  }

  it('sweepJobFolders removes folders of jobs with no queued or running run, keeps the others and those named in keep', async () => {
    const dataDir = tempDir();
    const lib = openLib(dataDir);
    const { image, mask } = await imageWithMask(lib);
    const queuedRun = lib.beginRun(queued(image.id, mask.id, 'job-queued'));
    lib.beginRun({ ...runInput(image.id, [mask.id]), jobId: 'job-running' });
    const finished = lib.beginRun({ ...runInput(image.id, [mask.id]), jobId: 'job-done' });
    await lib.finishRun(finished.id, { report: fakeReport(10), artefacts: [] });
    // A job with a finished variant and a baseline still queued keeps its folder.
    const half = lib.beginRun({ ...runInput(image.id, [mask.id]), jobId: 'job-half' });
    await lib.finishRun(half.id, { report: fakeReport(10), artefacts: [] });
    lib.beginRun({ ...queued(image.id, mask.id, 'job-half') });

    for (const id of ['job-queued', 'job-running', 'job-done', 'job-half', 'job-unknown', 'job-submitting']) jobFolder(dataDir, id);
    fs.writeFileSync(path.join(dataDir, 'jobs', 'notes.txt'), 'not a job folder');

    const swept = lib.sweepJobFolders({ keep: ['job-submitting'] });
    expect(swept.removed.sort()).toEqual(['job-done', 'job-unknown']);
    expect(swept.kept.sort()).toEqual(['job-half', 'job-queued', 'job-running', 'job-submitting']);
    expect(swept.failed).toEqual([]);
    expect(fs.readdirSync(path.join(dataDir, 'jobs')).sort()).toEqual(['job-half', 'job-queued', 'job-running', 'job-submitting', 'notes.txt']);

    // Once its run ends, the next sweep takes the folder; a fresh folder can be protected by age.
    lib.failRun(queuedRun.id, 'Cancelled', { cancelled: true });
    expect(lib.sweepJobFolders({ keep: ['job-submitting'], minAgeMs: 60_000 }).removed).toEqual([]);
    const jobs = jobLibrary(lib, { appVersion: '0.1.0' });
    expect(jobs.sweepJobFolders(['job-submitting'])).toEqual(['job-queued']);
    expect(jobs.sweepJobFolders()).toEqual(['job-submitting']);
    expect(lib.sweepJobFolders()).toMatchObject({ removed: [] });
    expect(lib.verify()).toEqual([]);
  });

  it('a library without a jobs folder sweeps nothing', () => {
    const lib = openLib();
    expect(lib.sweepJobFolders()).toEqual({ removed: [], kept: [], failed: [] });
  });

  it('at open after a crash, the folders of interrupted jobs are removed with the runs marked failed', async () => {
    const dataDir = tempDir();
    const lib = openLib(dataDir);
    const { image, mask } = await imageWithMask(lib);
    lib.beginRun({ ...runInput(image.id, [mask.id]), jobId: 'crashed' });
    const crashed = jobFolder(dataDir, 'crashed');
    expect(lib.sweepJobFolders().removed).toEqual([]); // still running in this process
    lib.close();
    fs.rmSync(path.join(dataDir, 'library.lock'), { force: true });

    // Another live process holding the lock: it owns recovery, nothing is swept.
    fs.writeFileSync(path.join(dataDir, 'library.lock'), String(process.ppid));
    const viewer = openLib(dataDir);
    expect(fs.existsSync(crashed)).toBe(true);
    viewer.close();
    fs.rmSync(path.join(dataDir, 'library.lock'), { force: true });

    const again = openLib(dataDir);
    expect(fs.existsSync(crashed)).toBe(false);
    expect(fs.readdirSync(path.join(dataDir, 'jobs'))).toEqual([]);
    expect(again.listRuns({ status: 'failed' })).toHaveLength(1);
  });
});
