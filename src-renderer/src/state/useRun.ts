/**
 * One job at a time from the window: submit, live progress, cancel, and on success the run's report
 * and mesh (and the baseline's, for Compare) fetched from the library.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobSubmitRequest, JobSummary, RunDetail, StudioApi } from '../../../src-shared/api';
import type { RunReport } from '../../../src-shared/report';
import { errorMessage } from '../api/errors';
import { parseReport } from '../runs/compareModel';
import { completeProgress, initialProgress, reduceProgress, type ProgressState } from '../runs/progressModel';
import type { LayoutLike } from '../viewer/pose';

export interface RunView {
  runId: string;
  name: string;
  report: RunReport;
  glbId: string | null;
  layout: LayoutLike;
  metrics: Record<string, number> | null;
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
  return { runId: d.id, name: d.name, report: parsed.report, glbId: glb?.id ?? null, layout: parsed.report.layout, metrics: d.metrics };
}

/** A job's runs, split into the results (one per object) and the baselines they link to. */
export async function loadResult(api: StudioApi, runIds: string[]): Promise<ResultView> {
  const details = await Promise.all(runIds.map((runId) => api.invoke('runs.get', { runId })));
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
      const bv = runViewOf(bd);
      if ('error' in bv) notes.push(`Baseline of ${d.name} not shown: ${bv.error}`);
      else baseline = bv;
    }
    objects.push({ run: rv, baseline });
  }
  if (objects.length === 0) throw new Error(notes.join(' '));
  return { objects, note: notes.length ? notes.join(' ') : null };
}

/**
 * `shownImageId`: the photo in the editor now. A job that finishes after the user moved on to another
 * photo is kept in the library but not shown: its mesh would sit on the wrong photo, under its name.
 */
export function useRun(api: StudioApi, shownImageId: string | null) {
  const [jobId, setJobId] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<ProgressState | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<ResultView | null>(null);
  const [finishedCount, setFinishedCount] = useState(0);
  const current = useRef<string | null>(null);
  // job.finished can overtake the jobs.submit reply: keep early arrivals until the id is known.
  const early = useRef(new Map<string, JobSummary>());
  /** Jobs this window asked to cancel: any other cancellation (the host shutting down) is not the user's. */
  const cancelAsked = useRef(new Set<string>());
  const shownImage = useRef(shownImageId);
  shownImage.current = shownImageId;

  const finish = useCallback(async (job: JobSummary) => {
    current.current = null;
    setRunning(false);
    setFinishedCount((n) => n + 1);
    if (job.request.imageId !== shownImage.current) {
      // Its progress strip belonged to the earlier photo too.
      setProgress(null);
      setStatus(job.status === 'succeeded' ? 'The run on the previous photo finished: its result is in the Library (Ctrl+L).'
        : job.status === 'cancelled' ? null : `The run on the previous photo failed: ${job.error ?? 'no reason given'}.`);
      return;
    }
    if (job.status === 'succeeded') {
      setProgress((p) => (p ? completeProgress(p) : p));
      setStatus('Loading result…');
      try {
        const r = await loadResult(api, job.runIds);
        const sched = r.objects[0].run.report.schedules;
        const slatTokens = sched.slat.tokensEvaluated !== undefined
          ? { evaluated: sched.slat.tokensEvaluated, carved: sched.slat.tokensCarved ?? 0 } : undefined;
        setProgress((p) => (p ? completeProgress(p, { ss: sched.ss.pattern, slat: sched.slat.pattern, slatTokens }) : p));
        setResult(r);
        const first = r.objects[0].run.report;
        const n = r.objects.length;
        const meanMs = r.objects.reduce((a, o) => a + o.run.report.objectMs, 0) / n;
        setStatus(`Done: ${n} object${n > 1 ? 's' : ''}, ${(meanMs / 1000).toFixed(2)} s${n > 1 ? ' per object' : ''} on ${first.executionProvider}`);
      } catch (e) {
        setError(errorMessage(e, 'Loading the result'));
        setStatus(null);
      }
    } else if (job.status === 'cancelled' && cancelAsked.current.delete(job.jobId)) {
      setStatus('Cancelled.');
    } else if (job.status === 'cancelled') {
      setStatus(null);
      setError(`The run stopped before it finished: ${job.error ?? 'the app host cancelled it'} Generate again when the host is running.`);
    } else {
      setStatus(null);
      setError(`Generation failed: ${job.error ?? 'no reason given'}. Check the mask covers the object and the pack is valid, then Generate again.`);
    }
  }, [api]);

  useEffect(() => {
    const offP = api.on('job.progress', (ev) => {
      if (ev.jobId !== current.current) return;
      setProgress((p) => reduceProgress(p ?? initialProgress(ev.jobId), ev));
    });
    const offF = api.on('job.finished', ({ job }) => {
      if (job.jobId === current.current) void finish(job);
      else early.current.set(job.jobId, job);
    });
    return () => { offP(); offF(); };
  }, [api, finish]);

  const submit = useCallback(async (req: JobSubmitRequest) => {
    setError(null);
    if (current.current) {
      // A new submission replaces the running job (auto re-run): cancel it first.
      const old = current.current;
      current.current = null;
      cancelAsked.current.add(old);
      await api.invoke('jobs.cancel', { jobId: old }).catch(() => undefined);
    }
    setRunning(true);
    setStatus(req.withBaseline ? 'Submitting (with the off baseline)…' : 'Submitting…');
    try {
      const { jobId: id } = await api.invoke('jobs.submit', req);
      current.current = id;
      setJobId(id);
      setProgress(initialProgress(id));
      setStatus(req.withBaseline ? 'Running with baseline…' : 'Running…');
      const done = early.current.get(id);
      if (done) { early.current.delete(id); void finish(done); }
    } catch (e) {
      setRunning(false);
      setStatus(null);
      setError(errorMessage(e, 'Generate'));
    }
  }, [api, finish]);

  const cancel = useCallback(async () => {
    const id = current.current;
    if (!id) return;
    setStatus('Cancelling…');
    cancelAsked.current.add(id);
    try {
      await api.invoke('jobs.cancel', { jobId: id });
    } catch (e) {
      setError(errorMessage(e, 'Cancel'));
    }
  }, [api]);

  /**
   * The window lost its link to the host while a job ran: its events will not come, so stop waiting for
   * them (Generate works again once the host is back) and say what became of the run.
   */
  const abandon = useCallback(() => {
    if (!current.current) return;
    current.current = null;
    setRunning(false);
    setStatus(null);
    setError('The connection to the app host was lost while the run was going. If the host is still running, the run finishes there and its result appears in the Library (Ctrl+L); otherwise Generate again once it is back.');
  }, []);

  /**
   * Another photo (or a library result) replaces what is shown: the last result, its error and, unless a
   * job still runs, its progress strip, which spoke of that result.
   */
  const clearShown = useCallback(() => {
    setResult(null);
    setError(null);
    if (!current.current) setProgress(null);
  }, []);

  return { jobId, running, progress, status, error, setError, result, setResult, submit, cancel, abandon, finishedCount, setStatus, clearShown };
}
