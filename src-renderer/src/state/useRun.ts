/**
 * The window's jobs: submit (never the same request twice), live progress of the one it follows, cancel,
 * and on success the run's report and mesh (and the baseline's, for Compare) fetched from the library.
 * Jobs outlive the window: on connecting (a reload, a second window, the host back), on opening a photo and
 * when another window submits one for the photo shown (job.submitted), it joins the job the host is
 * running for that photo (runs/attachModel).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobSubmitRequest, JobSummary, RunDetail, StudioApi } from '../../../src-shared/api';
import type { RunReport } from '../../../src-shared/report';
import { errorMessage } from '../api/errors';
import { parseReport } from '../runs/compareModel';
import { completeProgress, initialProgress, reduceProgress, type ProgressState } from '../runs/progressModel';
import { backgroundNote, planSubmit, PREVIOUS_PHOTO_DONE, queueStatus, routeFinished, trackedJob, type TrackedJob } from '../runs/submitModel';
import { attachedJob, attachedProgress, cancelledElsewhere, jobToAttach, runningStatus } from '../runs/attachModel';
import type { LayoutLike } from '../viewer/pose';

export interface RunView {
  runId: string;
  name: string;
  report: RunReport;
  glbId: string | null;
  layout: LayoutLike;
  metrics: Record<string, number> | null;
  /** The pack it ran with, by its id in packs.list. */
  packId?: string;
}

export interface ObjectResult {
  run: RunView;
  baseline: RunView | null;
}

/** A finished job: one object, or every object of a scene, each with its baseline when Compare ran. */
export interface ResultView {
  objects: ObjectResult[];
  note: string | null;
}

export function runViewOf(d: RunDetail): RunView | { error: string } {
  const parsed = parseReport(d.report);
  if ('error' in parsed) return parsed;
  const glb = d.artefacts.find((a) => a.kind === 'glb');
  return { runId: d.id, name: d.name, report: parsed.report, glbId: glb?.id ?? null, layout: parsed.report.layout, metrics: d.metrics, packId: d.packId };
}

/** A job's runs, split into the results (one per object) and the baselines they link to. */
export async function loadResult(api: StudioApi, runIds: string[]): Promise<ResultView> {
  const details = await Promise.all(runIds.map((runId) => api.invoke('runs.get', { runId })));
  return resultOf(api, details);
}

/**
 * What a Compare job that ended early (cancelled or failed during its baseline) still holds: its
 * accelerated runs, recorded before the baseline started, without the baseline. Null when no run of it
 * finished.
 */
export async function keptResult(api: StudioApi, runIds: string[]): Promise<ResultView | null> {
  const details = await Promise.all(runIds.map((runId) => api.invoke('runs.get', { runId })));
  const finished = details.filter((d) => d.status === 'succeeded');
  return finished.length ? resultOf(api, finished) : null;
}

async function resultOf(api: StudioApi, details: RunDetail[]): Promise<ResultView> {
  const byId = new Map(details.map((d) => [d.id, d] as const));
  const baselineIds = new Set(details.map((d) => d.baselineRunId).filter((x): x is string => !!x));
  const main = details.filter((d) => !baselineIds.has(d.id) || details.every((x) => baselineIds.has(x.id)));
  if (main.length === 0) throw new Error('The job finished without a run record. Check the host log, then retry.');
  const notes: string[] = [];
  const objects: ObjectResult[] = [];
  for (const d of main) {
    const rv = runViewOf(d);
    if ('error' in rv) { notes.push(`${d.name}: ${rv.error}`); continue; }
    let baseline: RunView | null = null;
    if (d.baselineRunId && d.baselineRunId !== d.id) {
      const bd = byId.get(d.baselineRunId) ?? (await api.invoke('runs.get', { runId: d.baselineRunId }));
      // A baseline that did not finish (cancelled, failed) has no report to compare with: the run alone.
      const bv = bd.status === 'succeeded' ? runViewOf(bd) : null;
      if (bv && 'error' in bv) notes.push(`Baseline of ${d.name} not shown: ${bv.error}`);
      else baseline = bv;
    }
    objects.push({ run: rv, baseline });
  }
  if (objects.length === 0) throw new Error(notes.join(' '));
  return { objects, note: notes.length ? notes.join(' ') : null };
}

export interface RunOptions {
  /**
   * Whether a finished job's request is what the window shows now (the ticked masks, method, values and
   * pack): when not, the status says the result is from the settings Generate was pressed with.
   */
  matchesScreen?: (req: JobSubmitRequest) => boolean;
  /**
   * Whether the window is linked to the host (always under Electron). Losing the link drops the jobs
   * followed (their events stop); getting it (back) joins the running job of the photo shown.
   */
  online?: boolean;
  /**
   * With no photo shown, a job the host is running or has queued (one started before a reload, or in
   * another window): the window opens its photo, and once shown, follows it.
   */
  onJobWithoutPhoto?: (job: JobSummary) => void;
}

const STALE_RESULT = 'This result is from the settings when Generate was pressed: the masks or values have changed since.';

/**
 * The jobs of the window: the one the run strip follows (the last submitted) and those of earlier photos,
 * which go on in the host's queue and whose results go to the library.
 *
 * `shownImageId`: the photo in the editor now. A job that finishes after the user moved on to another
 * photo is kept in the library but not shown: its mesh would sit on the wrong photo, under its name.
 */
export function useRun(api: StudioApi, shownImageId: string | null, options: RunOptions = {}) {
  const [jobId, setJobId] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  /** The photo of the followed job: Generate is busy only while that photo is the one shown. */
  const [followedImage, setFollowedImage] = useState<string | null>(null);
  const [progress, setProgressState] = useState<ProgressState | null>(null);
  const progressRef = useRef<ProgressState | null>(null);
  const setProgress = useCallback((p: ProgressState | null) => { progressRef.current = p; setProgressState(p); }, []);
  const [ownStatus, setStatus] = useState<string | null>(null);
  /** What became of an earlier photo's job, said before the followed job's own status. */
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<ResultView | null>(null);
  const [finishedCount, setFinishedCount] = useState(0);
  /** This window's jobs not finished yet; `followed` is the one the run strip shows. */
  const live = useRef<TrackedJob[]>([]);
  const followed = useRef<TrackedJob | null>(null);
  // job.finished can overtake the jobs.submit reply: keep early arrivals until the id is known.
  const early = useRef(new Map<string, JobSummary>());
  /** Jobs this window asked to cancel: any other cancellation (the host shutting down) is not the user's. */
  const cancelAsked = useRef(new Set<string>());
  const shownImage = useRef(shownImageId);
  shownImage.current = shownImageId;
  const matchesScreen = useRef(options.matchesScreen);
  matchesScreen.current = options.matchesScreen;
  const onJobWithoutPhoto = useRef(options.onJobWithoutPhoto);
  onJobWithoutPhoto.current = options.onJobWithoutPhoto;
  const online = options.online ?? true;
  /** listAndJoin (below), for finish: a job cancelled in another window may have been replaced there. */
  const rejoin = useRef<() => void>(() => undefined);
  /** jobs.list calls in flight for attaching: a job.finished meanwhile may be of the job they will name. */
  const listing = useRef(0);

  const unfollow = useCallback(() => {
    followed.current = null;
    setRunning(false);
    setFollowedImage(null);
  }, []);

  /** Shows a finished result: its steps in the strip, and the status, unless another job is followed by now. */
  const show = useCallback((entry: TrackedJob, jobIdDone: string, r: ResultView, said: string) => {
    const sched = r.objects[0].run.report.schedules;
    const slatTokens = sched.slat.tokensEvaluated !== undefined
      ? { evaluated: sched.slat.tokensEvaluated, carved: sched.slat.tokensCarved ?? 0 } : undefined;
    const p = progressRef.current;
    if (p && p.jobId === jobIdDone) setProgress(completeProgress(p, { ss: sched.ss.pattern, slat: sched.slat.pattern, slatTokens }));
    setResult(r);
    if (followed.current) return;   // a newer job runs: its status stays
    const stale = matchesScreen.current && !matchesScreen.current(entry.request);
    setStatus(stale ? `${said.replace(/\.$/, '')}. ${STALE_RESULT}` : said);
  }, [setProgress]);

  const finish = useCallback(async (entry: TrackedJob, job: JobSummary) => {
    live.current = live.current.filter((j) => j !== entry);
    const byUser = job.status === 'cancelled' && cancelAsked.current.delete(job.jobId);
    setFinishedCount((n) => n + 1);
    if (entry !== followed.current) {
      // A job the strip no longer follows: an earlier photo's, which went on as the window promised (a
      // job replaced on this photo was cancelled, or finished first: "This photo" lists it).
      const said = backgroundNote(entry, job, shownImage.current);
      if (said) setNote(said);
      return;
    }
    unfollow();
    if (job.request.imageId !== shownImage.current) {
      // Its progress strip belonged to the earlier photo too.
      setProgress(null);
      setStatus(job.status === 'succeeded' ? PREVIOUS_PHOTO_DONE
        : job.status === 'cancelled' ? null : `The run on the previous photo failed: ${job.error ?? 'no reason given'}.`);
      return;
    }
    if (job.status === 'succeeded') {
      const p = progressRef.current;
      if (p && p.jobId === job.jobId) setProgress(completeProgress(p));
      setStatus('Loading result…');
      try {
        const r = await loadResult(api, job.runIds);
        const first = r.objects[0].run.report;
        const n = r.objects.length;
        const meanMs = r.objects.reduce((a, o) => a + o.run.report.objectMs, 0) / n;
        show(entry, job.jobId, r, `Done: ${n} object${n > 1 ? 's' : ''}, ${(meanMs / 1000).toFixed(2)} s${n > 1 ? ' per object' : ''} on ${first.executionProvider}`);
      } catch (e) {
        setError(errorMessage(e, 'Loading the result'));
        setStatus(null);
      }
      return;
    }
    // A Compare stopped during its baseline: the accelerated result was recorded before it started.
    const kept = entry.variants > 1 && job.runIds.length > 0 ? await keptResult(api, job.runIds).catch(() => null) : null;
    // Another window's Cancel (or its newer Generate replacing the job) is a cancel too, not a failure.
    const elsewhere = cancelledElsewhere(job, byUser);
    if (kept) {
      if (!byUser && !elsewhere) setError(`The baseline (acceleration off) did not finish: ${job.error ?? 'no reason given'}. Compare again for the comparison.`);
      show(entry, job.jobId, kept, byUser ? `Baseline cancelled; the ${entry.method} result is kept.`
        : elsewhere ? `Baseline cancelled in another window; the ${entry.method} result is kept.`
          : `The ${entry.method} result is kept, without its baseline.`);
    } else if (byUser) {
      setStatus('Cancelled.');
    } else if (elsewhere) {
      setStatus('Cancelled in another window.');
      // Perhaps replaced there by a newer Generate on this photo (its job.submitted came while this window
      // still followed the old one, so it was not joined then): follow that one now.
      rejoin.current();
    } else if (job.status === 'cancelled') {
      setStatus(null);
      setError(`The run stopped before it finished: ${job.error ?? 'the app host cancelled it'} Generate again when the host is running.`);
    } else {
      setStatus(null);
      setError(`Generation failed: ${job.error ?? 'no reason given'}. Check the mask covers the object and the pack is valid, then Generate again.`);
    }
  }, [api, setProgress, show, unfollow]);

  useEffect(() => {
    const offP = api.on('job.progress', (ev) => {
      const f = followed.current;
      if (!f || ev.jobId !== f.jobId) return;
      const prev = progressRef.current?.jobId === ev.jobId ? progressRef.current : initialProgress(ev.jobId, f.variants);
      const next = reduceProgress(prev, ev);
      setProgress(next);
      if (!f.started) {
        // The worker has it: no longer queued.
        f.started = true;
        if (!f.cancelling) setStatus(runningStatus(f.withBaseline));
      } else if (next.variant !== prev.variant && !f.cancelling) {
        setStatus(runningStatus(f.withBaseline, next.variant));
      }
    });
    const offF = api.on('job.finished', ({ job }) => {
      const route = routeFinished(live.current, job, shownImage.current, listing.current > 0);
      if (route.entry) { void finish(route.entry, job); return; }   // finish counts it
      // Perhaps this window's, ahead of its jobs.submit reply, or one a jobs.list reply on its way names.
      if (route.early) early.current.set(job.jobId, job);
      // Another window's (or a job from before a reload) on this photo: "This photo" lists its runs.
      if (route.refreshPhoto) setFinishedCount((n) => n + 1);
    });
    return () => { offP(); offF(); };
  }, [api, finish, setProgress]);

  /** Says why a submitted job has not started: another job ahead of it in the host's queue. */
  const describeQueue = useCallback(async (entry: TrackedJob) => {
    const list = await api.invoke('jobs.list', {}).catch(() => null);
    if (followed.current !== entry || entry.started || entry.cancelling || !entry.jobId) return;
    const others = live.current.filter((j) => j !== entry && j.jobId);
    const said = list && queueStatus(list, entry.jobId,
      new Set(others.filter((j) => j.imageId !== entry.imageId).map((j) => j.jobId!)),
      new Set(others.filter((j) => j.cancelling).map((j) => j.jobId!)));
    setStatus(said || runningStatus(entry.withBaseline));
  }, [api]);

  /** Early job.finished events are kept only while a submit or a jobs.list reply may still name their job. */
  const forgetEarly = useCallback(() => {
    if (listing.current === 0 && !live.current.some((j) => j.jobId === null)) early.current.clear();
  }, []);

  /**
   * Follows a job the host runs for the photo shown that this window did not submit (or no longer knows
   * of, after a reload): its progress from where it is, its Cancel, its result when it ends.
   */
  const attach = useCallback((job: JobSummary) => {
    const entry = attachedJob(job);
    live.current = [...live.current, entry];
    followed.current = entry;
    setRunning(true);
    setFollowedImage(entry.imageId);
    setJobId(job.jobId);
    const p = attachedProgress(job, entry.variants);
    setProgress(p);
    setError(null);
    setNote(null);
    setStatus(entry.started ? runningStatus(entry.withBaseline, p.variant) : null);
    const done = early.current.get(job.jobId);
    if (done) void finish(entry, done);
    else if (!entry.started) void describeQueue(entry);
  }, [describeQueue, finish, setProgress]);

  /**
   * Joins the job of `list` (jobs.list, or a job.submitted event's) that runs/attachModel picks, if any:
   * with no photo shown its photo opens first, and the window joins it once shown.
   */
  const join = useCallback((list: readonly JobSummary[]) => {
    const job = jobToAttach(list, shownImage.current, live.current, followed.current);
    if (!job) return;
    if (shownImage.current === null) onJobWithoutPhoto.current?.(job);
    else attach(job);
  }, [attach]);

  /** Asks the host for its jobs and joins the one of the photo shown; `isStale` drops a reply come too late. */
  const listAndJoin = useCallback((isStale: () => boolean = () => false) => {
    // A job of the photo shown is followed already: the reply would only be set aside (jobToAttach).
    const f = followed.current;
    if (f && f.imageId === shownImage.current) return;
    listing.current++;
    void api.invoke('jobs.list', {}).then((list) => {
      if (!isStale()) join(list);
    }, () => undefined).finally(() => {
      listing.current--;
      forgetEarly();
    });
  }, [api, forgetEarly, join]);
  rejoin.current = listAndJoin;

  // On connecting (the window opened or reloaded, the host is back) and on each photo shown: the job the
  // host runs for it. A job this window follows for the photo shown already is left as it is.
  useEffect(() => {
    if (!online) return;
    let stale = false;
    listAndJoin(() => stale);
    return () => { stale = true; };
  }, [listAndJoin, online, shownImageId]);

  // A job submitted since, in another window: joined as one jobs.list names. This window's own submission
  // is announced before its jobs.submit reply, while it is in `live` with no id yet: the same request.
  useEffect(() => api.on('job.submitted', ({ job }) => join([job])), [api, join]);

  const askCancel = useCallback(async (entry: TrackedJob) => {
    entry.cancelling = true;
    if (!entry.jobId) return;   // asked again once jobs.submit names it
    cancelAsked.current.add(entry.jobId);
    await api.invoke('jobs.cancel', { jobId: entry.jobId });
  }, [api]);

  /**
   * Submits a request, unless the same one is already running: then the strip follows that one. A
   * running job of the same photo with other settings is replaced (cancelled); one of an earlier photo
   * goes on, and the new one queues behind it. Returns whether a job was submitted.
   */
  const submit = useCallback(async (req: JobSubmitRequest): Promise<boolean> => {
    setError(null);
    const plan = planSubmit(live.current, followed.current, req);
    if (plan.kind === 'duplicate') {
      const same = plan.job;
      if (same !== followed.current) {
        followed.current = same;
        setRunning(true);
        setFollowedImage(same.imageId);
        setJobId(same.jobId);
        setProgress(initialProgress(same.jobId, same.variants));
        setStatus('These settings are already running: showing that run.');
      }
      return false;
    }
    for (const old of plan.cancel) await askCancel(old).catch(() => undefined);
    const entry = trackedJob(req);
    live.current = [...live.current, entry];
    followed.current = entry;
    setRunning(true);
    setFollowedImage(req.imageId);
    setNote(null);
    setStatus(req.withBaseline ? 'Submitting (with the off baseline)…' : 'Submitting…');
    try {
      const { jobId: id } = await api.invoke('jobs.submit', req);
      entry.jobId = id;
      if (entry.cancelling) void askCancel(entry).catch(() => undefined);
      if (followed.current === entry) {
        setJobId(id);
        setProgress(initialProgress(id, entry.variants));
      }
      const done = early.current.get(id);
      forgetEarly();
      if (done) void finish(entry, done);
      else if (followed.current === entry && !entry.cancelling) void describeQueue(entry);
      return true;
    } catch (e) {
      live.current = live.current.filter((j) => j !== entry);
      forgetEarly();
      if (followed.current === entry) {
        unfollow();
        setStatus(null);
        setError(errorMessage(e, 'Generate'));
      }
      return false;
    }
  }, [api, askCancel, describeQueue, finish, forgetEarly, setProgress, unfollow]);

  const cancel = useCallback(async () => {
    const f = followed.current;
    if (!f) return;
    setStatus('Cancelling…');
    try {
      await askCancel(f);
    } catch (e) {
      setError(errorMessage(e, 'Cancel'));
    }
  }, [askCancel]);

  /**
   * The window lost its link to the host while a job ran: its events will not come, so stop waiting for
   * them (Generate works again once the host is back) and say what became of the run.
   */
  const abandon = useCallback(() => {
    const had = followed.current;
    live.current = [];
    early.current.clear();
    if (!had) return;
    unfollow();
    setStatus(null);
    setError('The connection to the app host was lost while the run was going. If the host is still running, the run goes on there and this window follows it again once the connection is back (its result goes to the Library, Ctrl+L, either way); if the host stopped, Generate again once it is back.');
  }, [unfollow]);
  useEffect(() => {
    if (!online) abandon();
  }, [online, abandon]);

  /**
   * Another photo (or a library result) replaces what is shown: the last result, its error and, unless a
   * job still runs, its progress strip, which spoke of that result.
   */
  const clearShown = useCallback(() => {
    setResult(null);
    setError(null);
    setNote(null);
    if (!followed.current) setProgress(null);
  }, [setProgress]);

  const status = [note, ownStatus].filter(Boolean).join(' ') || null;
  /** A job of the photo shown is being submitted or runs: Generate and Compare wait for it. */
  const busy = running && followedImage === shownImageId;
  return { jobId, running, busy, progress, status, error, setError, result, setResult, submit, cancel, finishedCount, setStatus, clearShown };
}
