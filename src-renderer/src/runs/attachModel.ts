/**
 * What a window decides about jobs it did not submit itself but finds in the host's jobs.list when it
 * connects (a reload, a second window, the host back after the link dropped) or opens a photo: which job
 * it follows, what it shows of it at once, and the settings to put back on screen with its photo. Kept
 * pure so it is testable without a DOM; useRun does the following.
 */
import type { JobSubmitRequest, JobSummary } from '../../../src-shared/api/jobs';
import type { AccelParams } from '../../../src-shared/params';
import { DEFAULT_PARAMS } from '../../../src-shared/params';
import { resetParams } from '../params/paramModel';
import { initialProgress, reduceProgress, type ProgressState } from './progressModel';
import { requestKey, trackedJob, type TrackedJob } from './submitModel';

const inFlight = (j: JobSummary) => j.status === 'queued' || j.status === 'running';

/**
 * The job a window should follow from `list` (the host's jobs.list, or the one job of a job.submitted
 * event): the newest one still queued or running of the photo shown (the last Generate pressed on it; an
 * older one is being replaced or waits behind it), or with no photo shown the newest of any photo, whose
 * photo the window then opens. Null when there is none, when the window follows a job of the photo shown
 * already (`followed`: it is left as it is), or when it is one of `live` (this window's own, or a
 * submission whose reply has not named it yet: the same request, whose job.submitted comes first).
 */
export function jobToAttach(list: readonly JobSummary[], shownImageId: string | null, live: readonly TrackedJob[], followed: TrackedJob | null = null): JobSummary | null {
  if (followed && followed.imageId === shownImageId) return null;
  const candidates = list.filter((j) => inFlight(j) && (shownImageId === null || j.request.imageId === shownImageId));
  const newest = candidates.reduce<JobSummary | null>((a, j) => (!a || j.createdAt > a.createdAt ? j : a), null);
  if (!newest) return null;
  const key = requestKey(newest.request);
  const known = live.some((t) => t.jobId === newest.jobId || (t.jobId === null && t.key === key));
  return known ? null : newest;
}

/**
 * Whether a job this window followed ended because it was cancelled in another window (its Cancel, or a
 * newer Generate there replacing it): not by this window (`byUser`), nor by the host shutting down.
 */
export function cancelledElsewhere(job: Pick<JobSummary, 'status' | 'cancelRequested'>, byUser: boolean): boolean {
  return !byUser && job.status === 'cancelled' && job.cancelRequested === true;
}

/** A job found in the host, tracked as if this window had submitted it (its Cancel, its result). */
export function attachedJob(job: JobSummary): TrackedJob {
  return { ...trackedJob(job.request), jobId: job.jobId, started: job.status === 'running' };
}

/**
 * The run strip of a job joined mid-run: from the host's last progress event of it (its stage, its phase
 * of a Compare, how far the bar is), else empty until the next event.
 */
export function attachedProgress(job: JobSummary, variants: number): ProgressState {
  const start = initialProgress(job.jobId, variants);
  return job.progress ? reduceProgress(start, job.progress) : start;
}

/** What the status says of a running job: which part of it goes (Compare: the result, then its baseline). */
export function runningStatus(withBaseline: boolean, variant = 0): string {
  if (variant > 0) return 'Running the baseline (acceleration off) to compare with…';
  return withBaseline ? 'Running with baseline…' : 'Running…';
}

/**
 * The acceleration panel's values a request was built from (the inverse of toOverrides): the method's own
 * values with the request's overrides on them, so the window shows the settings the job runs with and its
 * result does not read as made from other settings.
 */
export function valuesOfRequest(req: Pick<JobSubmitRequest, 'method' | 'params'>): AccelParams {
  return { ...resetParams(DEFAULT_PARAMS, req.method), ...(req.params as Partial<AccelParams>) };
}
