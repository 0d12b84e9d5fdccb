import { describe, expect, it } from 'vitest';
import type { JobSubmitRequest, JobSummary } from '../../../src-shared/api/jobs';
import { DEFAULT_PARAMS } from '../../../src-shared/params';
import { toOverrides } from '../params/paramModel';
import { attachedJob, attachedProgress, cancelledElsewhere, jobToAttach, runningStatus, valuesOfRequest } from './attachModel';
import { requestKey, trackedJob } from './submitModel';

const req = (over: Partial<JobSubmitRequest> = {}): JobSubmitRequest => ({
  kind: 'object', imageId: 'mug', maskIds: ['m0'], packId: 'mini', method: 'fast-sam3d', params: { seed: 42, ssSteps: 100 }, withBaseline: false, ...over,
});
const job = (jobId: string, status: JobSummary['status'], createdAt: string, r = req(), extra: Partial<JobSummary> = {}): JobSummary =>
  ({ jobId, status, request: r, runIds: [], createdAt, ...extra });

describe('a job found in the host when the window connects or opens a photo', () => {
  it('is the newest one still queued or running of the photo shown', () => {
    const list = [
      job('old', 'running', '2025-01-01T00:00:01Z'),
      job('new', 'queued', '2025-01-01T00:00:02Z'),
      job('done', 'succeeded', '2025-01-01T00:00:03Z'),
      job('vase', 'running', '2025-01-01T00:00:04Z', req({ imageId: 'vase' })),
    ];
    expect(jobToAttach(list, 'mug', [])?.jobId).toBe('new');
    expect(jobToAttach(list, 'vase', [])?.jobId).toBe('vase');
    expect(jobToAttach(list, 'chair', [])).toBeNull();
    expect(jobToAttach([job('done', 'succeeded', '1'), job('gone', 'cancelled', '2')], 'mug', [])).toBeNull();
  });

  it('with no photo shown, is the newest of any photo (the window opens its photo)', () => {
    const list = [job('mug', 'running', '2025-01-01T00:00:01Z'), job('vase', 'queued', '2025-01-01T00:00:02Z', req({ imageId: 'vase' }))];
    expect(jobToAttach(list, null, [])?.jobId).toBe('vase');
  });

  it('is never one the window follows already, nor a submission whose reply has not named it yet', () => {
    const list = [job('j1', 'running', '1')];
    expect(jobToAttach(list, 'mug', [{ ...trackedJob(req()), jobId: 'j1' }])).toBeNull();
    expect(jobToAttach(list, 'mug', [trackedJob(req())])).toBeNull();
    // Another request of the same photo being submitted is not this job.
    expect(jobToAttach(list, 'mug', [trackedJob(req({ params: { seed: 7 } }))])?.jobId).toBe('j1');
  });

  it('is none while the window follows a job of the photo shown already (the list, or another window’s new job)', () => {
    const other = job('j2', 'queued', '2', req({ params: { seed: 7 } }));
    const mine = { ...trackedJob(req()), jobId: 'j1' };
    expect(jobToAttach([other], 'mug', [mine], mine)).toBeNull();
    // Following a job of another photo (it goes on in the background): the photo shown gets its own.
    const vase = { ...trackedJob(req({ imageId: 'vase' })), jobId: 'j0' };
    expect(jobToAttach([other], 'mug', [vase], vase)?.jobId).toBe('j2');
  });

  it('is not this window’s own submission when job.submitted comes before the jobs.submit reply', () => {
    // The host announces the job within jobs.submit: the window still knows it by its request only.
    const pending = trackedJob(req());
    const announced = job('j1', 'queued', '1');
    expect(jobToAttach([announced], 'mug', [pending], pending)).toBeNull();
    // The same, were the window not following it any more (it moved to another photo and back).
    expect(jobToAttach([announced], 'mug', [pending], null)).toBeNull();
    // Once the reply named it, by its id.
    expect(jobToAttach([announced], 'mug', [{ ...pending, jobId: 'j1' }], null)).toBeNull();
    // Another window's submission on the photo shown is followed.
    expect(jobToAttach([job('j2', 'queued', '2', req({ params: { seed: 7 } }))], 'mug', [], null)?.jobId).toBe('j2');
  });

  it('is tracked as if submitted here: its request, its id, started once the worker has it', () => {
    const running = attachedJob(job('j1', 'running', '1', req({ withBaseline: true })));
    expect(running).toMatchObject({ jobId: 'j1', imageId: 'mug', key: requestKey(req({ withBaseline: true })), variants: 2, started: true, cancelling: false });
    expect(attachedJob(job('j2', 'queued', '1')).started).toBe(false);
  });

  it('shows its progress from the host’s last event: the stage, the Compare phase, how far the bar is', () => {
    const mid = job('j1', 'running', '1', req({ withBaseline: true }), {
      progress: { jobId: 'j1', stage: 'slatSampling', step: 49, steps: 100, stepKind: 'full', fraction: 0.6, variant: 1, variants: 2 },
    });
    const p = attachedProgress(mid, 2);
    expect(p).toMatchObject({ jobId: 'j1', current: 'slatSampling', variant: 1, variants: 2, overall: 0.8 });
    expect(p.stages.find((s) => s.name === 'ssSampling')?.done).toBe(true);   // stages before it are done
    expect(p.stages.find((s) => s.name === 'slatSampling')?.steps[49]).toBe('full');
    expect(attachedProgress(job('j2', 'queued', '1'), 1)).toMatchObject({ jobId: 'j2', overall: 0, current: null });
  });

  it('ended cancelled in another window only when jobs.cancel stopped it and this window did not ask', () => {
    expect(cancelledElsewhere({ status: 'cancelled', cancelRequested: true }, false)).toBe(true);
    expect(cancelledElsewhere({ status: 'cancelled', cancelRequested: true }, true)).toBe(false);   // this window's Cancel
    expect(cancelledElsewhere({ status: 'cancelled' }, false)).toBe(false);   // the host shutting down
    expect(cancelledElsewhere({ status: 'failed', cancelRequested: true }, false)).toBe(false);
  });

  it('says which part of it runs', () => {
    expect(runningStatus(false)).toBe('Running…');
    expect(runningStatus(true)).toBe('Running with baseline…');
    expect(runningStatus(true, 1)).toBe('Running the baseline (acceleration off) to compare with…');
  });
});

describe('the settings put back with a job’s photo', () => {
  it('are the values its request was built from, so the request reads as what is on screen', () => {
    for (const method of ['fast-sam3d', 'off', 'balanced', 'taylorseer'] as const) {
      const values = { ...valuesOfRequest({ method, params: {} }), seed: 9, ssSteps: 100, slatSteps: 100 };
      const params = toOverrides(method, values);
      expect(toOverrides(method, valuesOfRequest({ method, params })), method).toEqual(params);
    }
    expect(valuesOfRequest({ method: 'fast-sam3d', params: { seed: 3, ssSteps: 100 } })).toMatchObject({ seed: 3, ssSteps: 100 });
    expect(valuesOfRequest({ method: 'off', params: { seed: 3 } }).ssCache).toBe(false);
    expect(Object.keys(valuesOfRequest({ method: 'off', params: {} })).sort()).toEqual(Object.keys(DEFAULT_PARAMS).sort());
  });
});
