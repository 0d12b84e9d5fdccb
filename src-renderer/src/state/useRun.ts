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

export interface ResultView {
  primary: RunView;
  baseline: RunView | null;
  /** Other objects of a scene job. */
  others: RunView[];
  note: string | null;
}

export function runViewOf(d: RunDetail): RunView | { error: string } {
  const parsed = parseReport(d.report);
  if ('error' in parsed) return parsed;
  const glb = d.artefacts.find((a) => a.kind === 'glb');
  return { runId: d.id, name: d.name, report: parsed.report, glbId: glb?.id ?? null, layout: parsed.report.layout, metrics: d.metrics };
}

/** Which of a job's runs is the accelerated result and which is its baseline. */
export async function loadResult(api: StudioApi, runIds: string[]): Promise<ResultView> {
  const details = await Promise.all(runIds.map((runId) => api.invoke('runs.get', { runId })));
  const baselineIds = new Set(details.map((d) => d.baselineRunId).filter((x): x is string => !!x));
  const main = details.filter((d) => !baselineIds.has(d.id));
  const first = main[0] ?? details[0];
  if (!first) throw new Error('The job finished without a run record. Check the host log, then retry.');
  const pv = runViewOf(first);
  if ('error' in pv) throw new Error(pv.error);
  let baseline: RunView | null = null;
  let note: string | null = null;
  const baseDetail = first.baselineRunId
    ? details.find((d) => d.id === first.baselineRunId) ?? (await api.invoke('runs.get', { runId: first.baselineRunId }))
    : null;
  if (baseDetail) {
    const bv = runViewOf(baseDetail);
    if ('error' in bv) note = `Baseline not shown: ${bv.error}`;
    else baseline = bv;
  }
  const others = main.slice(1).map(runViewOf).filter((v): v is RunView => !('error' in v));
  return { primary: pv, baseline, others, note };
}

export function useRun(api: StudioApi) {
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

  const finish = useCallback(async (job: JobSummary) => {
    current.current = null;
    setRunning(false);
    setFinishedCount((n) => n + 1);
    if (job.status === 'succeeded') {
      setProgress((p) => (p ? completeProgress(p) : p));
      setStatus('Loading result…');
      try {
        const r = await loadResult(api, job.runIds);
        const sched = r.primary.report.schedules;
        setProgress((p) => (p ? completeProgress(p, { ss: sched.ss.pattern, slat: sched.slat.pattern }) : p));
        setResult(r);
        setStatus(`Done in ${(r.primary.report.objectMs / 1000).toFixed(2)} s on ${r.primary.report.executionProvider}`);
      } catch (e) {
        setError(errorMessage(e, 'Loading the result'));
        setStatus(null);
      }
    } else if (job.status === 'cancelled') {
      setStatus('Cancelled.');
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
    try {
      await api.invoke('jobs.cancel', { jobId: id });
    } catch (e) {
      setError(errorMessage(e, 'Cancel'));
    }
  }, [api]);

  return { jobId, running, progress, status, error, setError, result, setResult, submit, cancel, finishedCount, setStatus };
}
