/**
 * What the window decides about a Generate or Compare press, kept pure so it is testable without a DOM:
 * whether the request is already running (never run it twice), which running job it replaces (only the
 * shown photo's, never a previous photo's, which was promised to go on), what to say while it waits in
 * the host's queue, and whether a finished job's request is still what the window shows.
 */
import type { JobSubmitRequest, JobSummary } from '../../../src-shared/api/jobs';

/** A job this window submitted and has not seen finish. */
export interface TrackedJob {
  /** Null until the jobs.submit reply names it. */
  jobId: string | null;
  /** The request as sent. */
  request: JobSubmitRequest;
  key: string;
  imageId: string;
  /** Worker variants the job runs one after the other: 2 for Compare (the result, then its baseline). */
  variants: number;
  withBaseline: boolean;
  method: JobSubmitRequest['method'];
  /** Asked to stop (Esc, or replaced by a newer request on the same photo). */
  cancelling: boolean;
  /** Its first progress event arrived: the worker has it. */
  started: boolean;
}

/** JSON with object keys sorted: two requests with the same content give the same key. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Identity of a request: the same photo, masks, pack, method, values and Compare give the same key. */
export function requestKey(req: JobSubmitRequest): string {
  return stable(req);
}

export function variantsOf(req: Pick<JobSubmitRequest, 'withBaseline' | 'method'>): number {
  return req.withBaseline && req.method !== 'off' ? 2 : 1;
}

export function trackedJob(req: JobSubmitRequest): TrackedJob {
  return {
    jobId: null, request: req, key: requestKey(req), imageId: req.imageId, variants: variantsOf(req), withBaseline: req.withBaseline,
    method: req.method, cancelling: false, started: false,
  };
}

export type SubmitPlan =
  /** The same request is already running (or being submitted): submit nothing; follow that job. */
  | { kind: 'duplicate'; job: TrackedJob }
  /** Submit it, after asking these jobs to stop (the shown photo's job it replaces, settings changed). */
  | { kind: 'submit'; cancel: TrackedJob[] };

/**
 * `live`: this window's jobs not finished yet; `followed`: the one the run strip shows. A job of another
 * photo goes on (the window said so when the photo changed): the new one queues behind it.
 */
export function planSubmit(live: readonly TrackedJob[], followed: TrackedJob | null, req: JobSubmitRequest): SubmitPlan {
  const key = requestKey(req);
  const same = live.find((j) => j.key === key && !j.cancelling);
  if (same) return { kind: 'duplicate', job: same };
  const replaced = followed && !followed.cancelling && followed.imageId === req.imageId ? [followed] : [];
  return { kind: 'submit', cancel: replaced };
}

/**
 * What the status says once a job is submitted and has not started (no progress yet), from jobs.list:
 * null when it runs already (or is unknown), else why it waits. `earlierPhotos`: ids of this window's
 * jobs of other photos; `stopping`: ids of jobs asked to stop, which end at once and are no real wait.
 */
export function queueStatus(list: readonly JobSummary[], jobId: string, earlierPhotos: ReadonlySet<string>, stopping: ReadonlySet<string> = new Set()): string | null {
  const mine = list.find((j) => j.jobId === jobId);
  if (!mine || mine.status !== 'queued') return null;
  const ahead = list.filter((j) => j.jobId !== jobId && (j.status === 'queued' || j.status === 'running')
    && j.createdAt <= mine.createdAt && !stopping.has(j.jobId));
  if (ahead.some((j) => earlierPhotos.has(j.jobId))) {
    return 'Queued behind the previous photo’s run: this one starts when it ends.';
  }
  if (ahead.length > 0) {
    return `Queued behind ${ahead.length === 1 ? 'another run' : `${ahead.length} other runs`} (another window’s, or one started before a reload): this one starts when ${ahead.length === 1 ? 'it ends' : 'they end'}.`;
  }
  return stopping.size > 0 ? null : 'Waiting for the inference worker to start…';
}

/** What the window shows now, as far as a request reads it. */
export interface ScreenState {
  imageId: string | null;
  packId: string | null;
  method: JobSubmitRequest['method'];
  /** toOverrides(method, values): what a request would carry. */
  params: JobSubmitRequest['params'];
  /** The library ids of the ticked masks, in order; undefined for one edited (or never saved) since. */
  maskIds: (string | undefined)[];
}

/** Whether a finished job ran on what the window shows now (the masks ticked, the method, values and pack). */
export function requestMatchesScreen(req: JobSubmitRequest, screen: ScreenState): boolean {
  return req.imageId === screen.imageId && req.packId === screen.packId && req.method === screen.method
    && stable(req.params) === stable(screen.params)
    && req.maskIds.length === screen.maskIds.length && req.maskIds.every((id, i) => screen.maskIds[i] === id);
}

/**
 * Where a job.finished event goes: to this window's job it names (`entry`), kept (`early`) for a
 * submission whose reply has not come yet or, while `listing`, for a jobs.list reply on its way that may
 * still show the job running, and whether "This photo" reads its runs again: any job of the shown photo,
 * another window's or one from before a reload included.
 */
export function routeFinished(live: readonly TrackedJob[], job: JobSummary, shownImageId: string | null, listing = false): { entry: TrackedJob | null; early: boolean; refreshPhoto: boolean } {
  const entry = live.find((j) => j.jobId === job.jobId) ?? null;
  return { entry, early: !entry && (listing || live.some((j) => j.jobId === null)), refreshPhoto: !!entry || job.request.imageId === shownImageId };
}

export const PREVIOUS_PHOTO_DONE = 'The run on the previous photo finished: its result is in the Library (Ctrl+L).';

/**
 * What the window says when a job it no longer follows ends: an earlier photo's job, which went on as
 * promised. Null for one of the photo shown (a job replaced by newer settings: "This photo" lists it if it
 * finished) and for a cancelled one.
 */
export function backgroundNote(entry: TrackedJob, job: JobSummary, shownImageId: string | null): string | null {
  if (entry.imageId === shownImageId) return null;
  if (job.status === 'succeeded') return PREVIOUS_PHOTO_DONE;
  if (job.status === 'failed') return `The run on the previous photo failed: ${job.error ?? 'no reason given'}.`;
  return null;
}
