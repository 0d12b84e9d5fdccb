/**
 * The inference worker as a real forked process running the real pipeline on the committed test-tiny
 * pack: kill it mid-job (the job fails with the signal, the worker restarts, the queued job succeeds),
 * cancel between network calls, cancel a queued job, and a clear failure for a missing input.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobProgressEvent } from '../../src-shared/api/jobs';
import { RunReportSchema } from '../../src-shared/report';
import type { WorkerJob } from '../../src-main/inference/protocol';
import { WorkerSupervisor, type WorkerState } from '../../src-main/inference/supervisor';
import { forkLauncher } from '../../src-main/inference/worker-process';
import { uniqueOutputNames as outputNames } from '../../src-main/export';
import { discPhoto } from './fixtures';
import { ROOT, tempDir } from './helpers';

const PACK = path.join(ROOT, 'models/test-tiny');
let inputs: Awaited<ReturnType<typeof discPhoto>>;
let supervisor: WorkerSupervisor | undefined;

beforeAll(async () => {
  inputs = await discPhoto();
});
afterEach(() => {
  supervisor?.close();
  supervisor = undefined;
});

function job(jobId: string, params: WorkerJob['params'] = {}): WorkerJob {
  return {
    jobId, kind: 'object', imagePath: inputs.imagePath, masks: [{ path: inputs.maskPath, name: 'disc' }], packDir: PACK,
    method: 'fast-sam3d', params, outputDir: tempDir(`out-${jobId}`), executionProvider: 'auto',
  };
}

/** A supervisor on the real worker, recording states and progress. */
function start(onProgress: (e: JobProgressEvent, s: WorkerSupervisor) => void = () => {}) {
  const states: { state: WorkerState; reason?: string }[] = [];
  const s: WorkerSupervisor = new WorkerSupervisor(forkLauncher(path.join(ROOT, 'src-main/inference/worker.ts')), {
    onState: (state, reason) => states.push({ state, reason }),
    onProgress: (e) => onProgress(e, s),
  });
  supervisor = s;
  s.start();
  return { s, states };
}

function expectGlb(dir: string, rel: string): void {
  const bytes = fs.readFileSync(path.join(dir, rel));
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('glTF');
}

describe('inference worker', () => {
  it('fails the running job with the reason when the worker is killed, restarts it, and runs the next job', async () => {
    let killedPid: number | undefined;
    const { s, states } = start((e, sup) => {
      // Kill in the middle of SS sampling: after the condition network ran, long before the job can finish.
      if (e.jobId === 'victim' && e.stage === 'ssSampling' && killedPid === undefined) {
        killedPid = sup.pid;
        sup.killWorker();
      }
    });
    // Many steps keep the job busy well after the kill is sent.
    const victim = s.run(job('victim', { ssSteps: 100, slatSteps: 100 }));
    const nextJob = job('next');
    const next = s.run(nextJob);
    expect(s.queuedJobIds).toContain('next');

    await expect(victim).rejects.toMatchObject({ name: 'WorkerCrashedError', message: expect.stringMatching(/killed by signal SIGKILL while running job victim.*restarted/) });
    const done = await next;
    expect(killedPid).toBeTypeOf('number');
    expect(s.pid).not.toBe(killedPid);
    expect(states.map((x) => x.state)).toEqual(expect.arrayContaining(['starting', 'ready', 'busy', 'restarting']));
    expect(states.find((x) => x.state === 'restarting')?.reason).toContain('SIGKILL');
    expect(done.jobId).toBe('next');
    expect(done.executionProvider).toBe('cpu');
    const report = RunReportSchema.parse(done.reports[0]);
    expect(report.method).toBe('fast-sam3d');
    expect(report.mesh.triangles).toBeGreaterThan(0);
    expect(done.outputs).toEqual([{ object: 0, kind: 'glb', path: 'disc.glb' }]);
    expectGlb(nextJob.outputDir, 'disc.glb');
  });

  it('cancels a running job between network calls and keeps the same worker for the next job', async () => {
    const steps: (number | undefined)[] = [];
    const { s } = start((e, sup) => {
      if (e.jobId !== 'cancel-me') return;
      if (e.stage === 'ssSampling') steps.push(e.step);
      if (steps.length === 2) sup.cancel('cancel-me');
    });
    await new Promise<void>((r) => { const t = setInterval(() => { if (s.workerState === 'ready') { clearInterval(t); r(); } }, 20); });
    const pid = s.pid;
    const cancelled = s.run(job('cancel-me', { ssSteps: 100, slatSteps: 100 }));
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    // It stopped inside SS sampling: far fewer than the 100 steps were evaluated.
    expect(steps.length).toBeLessThan(100);
    const after = await s.run(job('after-cancel'));
    expect(after.reports).toHaveLength(1);
    expect(s.pid).toBe(pid);
  });

  it('cancels a queued job before it starts', async () => {
    const { s } = start();
    const first = s.run(job('first'));
    const queued = s.run(job('queued'));
    expect(s.cancel('queued')).toBe(true);
    await expect(queued).rejects.toMatchObject({ name: 'AbortError', message: expect.stringContaining('before it started') });
    await expect(first).resolves.toMatchObject({ jobId: 'first' });
    expect(s.cancel('queued')).toBe(false);
  });

  it('reports a missing input file clearly without losing the worker', async () => {
    const { s } = start();
    const bad = { ...job('missing'), imagePath: path.join(inputs.dir, 'nope.png') };
    await expect(s.run(bad)).rejects.toThrow(/Image file not found: .*nope\.png/);
    const badPack = { ...job('bad-pack'), packDir: inputs.dir };
    await expect(s.run(badPack)).rejects.toThrow(/manifest/i);
    await expect(s.run(job('fine'))).resolves.toMatchObject({ jobId: 'fine' });
  });

  it('gives every object of a scene its own file when mask names clean to the same file name', async () => {
    const { s } = start();
    const names = ['cup 1', 'cup_1', 'Cup_1', 'scene'];
    const sceneJob: WorkerJob = { ...job('names'), kind: 'scene', masks: names.map((name) => ({ path: inputs.maskPath, name })) };
    const done = await s.run(sceneJob);
    const glbs = done.outputs.map((o) => o.path);
    expect(new Set(glbs.map((p) => p.toLowerCase())).size).toBe(glbs.length);
    expect(done.outputs.map((o) => o.object).sort()).toEqual([0, 1, 2, 3, 'scene']);
    for (const o of done.outputs) expectGlb(sceneJob.outputDir, o.path);
    expect(done.outputs.find((o) => o.object === 'scene')?.path).toBe('scene.glb');
    // The reports keep the names as the user typed them.
    expect(done.reports.map((r) => RunReportSchema.parse(r).name)).toEqual(names);
  });
});

describe('uniqueOutputNames: the worker\'s output names', () => {
  it('keeps free names, numbers the ones whose file names collide (any case) and never takes "scene"', () => {
    expect(outputNames(['mug', 'vase'])).toEqual(['mug', 'vase']);
    expect(outputNames(['cup 1', 'cup_1', 'CUP_1', 'scene', ''])).toEqual(['cup 1', 'cup_1-2', 'CUP_1-3', 'scene-2', 'object']);
    const long = 'x'.repeat(200);
    const [a, b] = outputNames([long, long]);
    expect(a).toBe(long);
    expect(b).toBe(`${'x'.repeat(70)}-2`);
  });
});
