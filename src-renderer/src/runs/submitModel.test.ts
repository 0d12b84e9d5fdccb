import { describe, expect, it } from 'vitest';
import type { JobSubmitRequest, JobSummary } from '../../../src-shared/api/jobs';
import {
  backgroundNote, planSubmit, PREVIOUS_PHOTO_DONE, queueStatus, requestKey, requestMatchesScreen, routeFinished, trackedJob,
} from './submitModel';

const req = (over: Partial<JobSubmitRequest> = {}): JobSubmitRequest => ({
  kind: 'object', imageId: 'table', maskIds: ['m0'], packId: 'mini', method: 'fast-sam3d', params: { seed: 42, ssCacheStride: 3 }, withBaseline: false, ...over,
});
const started = (r: JobSubmitRequest, jobId: string) => ({ ...trackedJob(r), jobId });
const summary = (jobId: string, status: JobSummary['status'], createdAt: string, r = req()): JobSummary => ({ jobId, status, request: r, runIds: [], createdAt });

describe('a Generate press', () => {
  it('never submits a request that is already running or being submitted: it follows that job', () => {
    const running = started(req(), 'j1');
    // Same content, other key order in the values: still the same request.
    const again = req({ params: { ssCacheStride: 3, seed: 42 } });
    expect(requestKey(again)).toBe(requestKey(req()));
    expect(planSubmit([running], running, again)).toEqual({ kind: 'duplicate', job: running });
    const submitting = trackedJob(req());   // no job id yet: the double-click case
    expect(planSubmit([submitting], submitting, req())).toEqual({ kind: 'duplicate', job: submitting });
    // A job asked to stop is no reason not to run the request again.
    expect(planSubmit([{ ...running, cancelling: true }], null, req()).kind).toBe('submit');
  });

  it('replaces the shown photo’s job when the settings changed, and leaves an earlier photo’s job running', () => {
    const table = started(req(), 'j1');
    expect(planSubmit([table], table, req({ params: { seed: 7 } }))).toEqual({ kind: 'submit', cancel: [table] });
    expect(planSubmit([table], table, req({ withBaseline: true }))).toEqual({ kind: 'submit', cancel: [table] });
    // The window said the previous photo's run goes on: a job on the next photo queues behind it.
    expect(planSubmit([table], table, req({ imageId: 'vase' }))).toEqual({ kind: 'submit', cancel: [] });
    const vase = started(req({ imageId: 'vase' }), 'j2');
    expect(planSubmit([table, vase], vase, req({ imageId: 'vase', params: { seed: 1 } }))).toEqual({ kind: 'submit', cancel: [vase] });
  });
});

describe('a submitted job that has not started', () => {
  it('says what it waits for, from jobs.list', () => {
    const list = [summary('mine', 'queued', '2025-01-01T00:00:02Z'), summary('other', 'running', '2025-01-01T00:00:01Z')];
    expect(queueStatus(list, 'mine', new Set())).toMatch(/^Queued behind another run \(another window’s, or one started before a reload\)/);
    expect(queueStatus(list, 'mine', new Set(['other']))).toBe('Queued behind the previous photo’s run: this one starts when it ends.');
    expect(queueStatus([...list, summary('third', 'queued', '2025-01-01T00:00:01.5Z')], 'mine', new Set())).toMatch(/^Queued behind 2 other runs/);
    // Running already, or a job queued after it: nothing to say about a queue.
    expect(queueStatus([summary('mine', 'running', '2025-01-01T00:00:02Z')], 'mine', new Set())).toBeNull();
    expect(queueStatus([summary('mine', 'queued', '1'), summary('later', 'queued', '2')], 'mine', new Set())).toBe('Waiting for the inference worker to start…');
    // Behind only the job it replaces, which is stopping: no real wait.
    expect(queueStatus(list, 'mine', new Set(), new Set(['other']))).toBeNull();
    expect(queueStatus(list, 'unknown', new Set())).toBeNull();
  });
});

describe('a finished job', () => {
  it('refreshes "This photo" for any job of the shown photo, this window’s or not', () => {
    const mine = started(req(), 'j1');
    const other = summary('x', 'succeeded', '1', req());
    expect(routeFinished([mine], other, 'table')).toEqual({ entry: null, early: false, refreshPhoto: true });
    expect(routeFinished([mine], other, 'vase').refreshPhoto).toBe(false);
    expect(routeFinished([mine], summary('j1', 'succeeded', '1'), 'vase')).toEqual({ entry: mine, early: false, refreshPhoto: true });
    // Ahead of a jobs.submit reply: kept until the job id is known.
    expect(routeFinished([trackedJob(req())], other, 'vase').early).toBe(true);
    // While a jobs.list reply is on its way: it may still list the job as running, to be followed.
    expect(routeFinished([mine], other, 'vase', true).early).toBe(true);
  });

  it('of an earlier photo is reported when it finishes or fails, not when the shown photo’s replaced job ends', () => {
    const table = started(req(), 'j1');
    expect(backgroundNote(table, summary('j1', 'succeeded', '1'), 'vase')).toBe(PREVIOUS_PHOTO_DONE);
    expect(backgroundNote(table, { ...summary('j1', 'failed', '1'), error: 'out of memory' }, 'vase')).toBe('The run on the previous photo failed: out of memory.');
    expect(backgroundNote(table, summary('j1', 'cancelled', '1'), 'vase')).toBeNull();
    expect(backgroundNote(table, summary('j1', 'succeeded', '1'), 'table')).toBeNull();
  });

  it('is said to be from earlier settings when the masks or values on screen changed since', () => {
    const screen = { imageId: 'scene', packId: 'mini', method: 'fast-sam3d' as const, params: { ssCacheStride: 3, seed: 42 }, maskIds: ['m0', 'm1', 'm2'] };
    const r = req({ kind: 'scene', imageId: 'scene', maskIds: ['m0', 'm1', 'm2'] });
    expect(requestMatchesScreen(r, screen)).toBe(true);
    expect(requestMatchesScreen(r, { ...screen, maskIds: ['m0'] })).toBe(false);           // masks unticked during the run
    expect(requestMatchesScreen(r, { ...screen, maskIds: ['m0', undefined, 'm2'] })).toBe(false);   // one edited since
    expect(requestMatchesScreen(r, { ...screen, params: { seed: 7 } })).toBe(false);
    expect(requestMatchesScreen(r, { ...screen, method: 'max' })).toBe(false);
    expect(requestMatchesScreen(r, { ...screen, packId: 'test-tiny' })).toBe(false);
  });
});
