/**
 * The job service behind jobs.submit / jobs.cancel / jobs.list: turns a request about library ids into
 * a worker job about files, queues it on the worker supervisor and announces it (`job.submitted`, so that
 * other windows on its photo follow it), streams its progress as `job.progress` events, records the
 * finished run in the library, and announces `job.finished`.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { JobProgressEvent, JobSubmitRequest, JobSummary } from '../../src-shared/api/jobs';
import { samplerSettingsOf, type AccelParams } from '../../src-shared/params';
import { RunReportSchema, type RunReport } from '../../src-shared/report';
import type { EventHub, HandlerMap } from './index';
import { ApiFailure } from './index';
import { scanPacks } from '../inference/packs';
import { PipelineInputError } from '../pipeline/errors';
import { resolveRunParams } from '../pipeline/params-resolve';
import type { WorkerJob, WorkerOutput } from '../inference/protocol';
import type { SettingsStore } from '../inference/settings-store';
import { JobCancelledError, type WorkerSupervisor } from '../inference/supervisor';
import { makeDirsSync } from '../files/make-dirs';

/** What the job service needs from the library (an adapter over src-main/library implements it). */
export interface JobLibrary {
  /**
   * Files of the request's image and masks; throws a NOT_FOUND-coded error for unknown ids and a
   * CONFLICT-coded one for an image or project in the trash (restore it first). With fit to mask,
   * `otherMasks`: the files of `otherMaskIds`, the image's masks the run leaves out (the thing in front).
   */
  resolveInputs(req: JobSubmitRequest): { imagePath: string; masks: { path: string; name: string }[]; otherMasks?: { path: string; name: string }[] };
  /**
   * A queued run row per object; returns its id. `baselineRunId`: the Compare baseline's run of the same
   * object in this job, which the accelerated run is measured against.
   */
  beginRun(req: JobSubmitRequest, info: {
    jobId: string; objectIndex: number; objectName: string; baseline: boolean; packDir: string; baselineRunId?: string;
  }): string;
  /** May be async: the job is announced finished only after its runs are recorded. */
  finishRun(runId: string, result: { report: RunReport; executionProvider: string; files: WorkerOutput[]; outputDir: string }): void | Promise<void>;
  failRun(runId: string, reason: string, status: 'failed' | 'cancelled', executionProvider?: string): void;
  /** The worker started the variant this run belongs to (queued → running). Never throws. */
  startRun?(runId: string): void;
  /** Remove job folders no queued or running run refers to, except these jobs'. Never throws. */
  sweepJobFolders?(activeJobIds?: Iterable<string>): string[];
}

export interface JobServiceOptions {
  dataDir: string;
  packRoots: string[];
  settings: SettingsStore;
  supervisor: WorkerSupervisor;
  events: EventHub;
  /** Absent until the library is wired; jobs.submit then answers UNAVAILABLE. */
  library?: JobLibrary;
}

interface JobEntry {
  summary: JobSummary;
  runIds: string[];
  /** Run ids of the variant the worker has (main run, then the baseline): what markStarted starts. */
  currentRunIds: string[];
  /** The variant the worker has (0: the result, 1: Compare's baseline) of `variants`, for progress events. */
  variant: number;
  variants: number;
  /**
   * jobs.cancel was called. Between two variants (the result being recorded, the baseline not yet
   * queued) the supervisor holds no part of the job to cancel: this keeps the baseline from starting.
   */
  cancelRequested: boolean;
  /** The supervisor holds a variant of the job (queued or running); false between two variants. */
  inWorker: boolean;
  /** Its last progress event, which jobs.list hands a window that joins the job mid-run. */
  lastProgress?: JobProgressEvent;
}

/**
 * Overrides for the Compare baseline: acceleration fully off whatever the caller sent. Only the seed and
 * the sampler settings carry over (so both runs sample the same noise on the same schedule); module
 * switches and acceleration parameters are dropped, since with method 'off' they would switch modules
 * back on and the baseline would no longer be the reference.
 */
export function baselineParams(params: Partial<AccelParams>): Partial<AccelParams> {
  return samplerSettingsOf(params);
}

/** Jobs kept in memory for jobs.list (the library keeps the permanent record). */
const HISTORY_LIMIT = 200;

export class JobService {
  private readonly jobs = new Map<string, JobEntry>();
  /** Jobs whose runs are not all recorded yet (settle waits for them). */
  private readonly active = new Set<Promise<void>>();

  constructor(private readonly o: JobServiceOptions) {
    o.supervisor.start();
  }

  handlers(): HandlerMap<'jobs.submit' | 'jobs.cancel' | 'jobs.list'> {
    return {
      'jobs.submit': (req) => ({ jobId: this.submit(req) }),
      'jobs.cancel': ({ jobId }) => ({ cancelled: this.cancel(jobId) }),
      'jobs.list': () => [...this.jobs.values()].map((j) => this.summaryOf(j)).reverse(),
    };
  }

  /** A job as jobs.list and job.submitted tell it: with its runs, and its last progress while it runs. */
  private summaryOf(j: JobEntry): JobSummary {
    return {
      ...j.summary, runIds: [...j.runIds],
      ...(j.summary.status === 'running' && j.lastProgress ? { progress: j.lastProgress } : {}),
    };
  }

  submit(req: JobSubmitRequest): string {
    const lib = this.o.library;
    if (!lib) throw new ApiFailure('UNAVAILABLE', 'The project library is not available, so jobs cannot be submitted.');
    if (req.kind === 'object' && req.maskIds.length !== 1) {
      throw new ApiFailure('BAD_REQUEST', `An object job takes exactly one mask (got ${req.maskIds.length}); use kind "scene" for several.`, [{ path: 'maskIds', message: 'exactly one mask for kind "object"' }]);
    }
    // A scene of one mask twice would reconstruct one object twice ("object 0 (2)") as if it were two.
    const twice = req.maskIds.find((id, i) => req.maskIds.indexOf(id) !== i);
    if (twice) {
      throw new ApiFailure('BAD_REQUEST', `Mask ${twice} is listed twice; a scene takes each object's mask once.`, [{ path: 'maskIds', message: 'each mask once' }]);
    }
    const pack = scanPacks(this.o.packRoots).find((p) => p.id === req.packId);
    if (!pack) throw new ApiFailure('NOT_FOUND', `No model pack "${req.packId}". Installed: ${scanPacks(this.o.packRoots).map((p) => p.id).join(', ') || 'none'}.`);
    if (!pack.valid) throw new ApiFailure('BAD_REQUEST', `Model pack "${req.packId}" is not usable: ${pack.problems.join('; ')}`);
    // The pipeline's own check of the combination (τ low ≤ τ high, warm-up with k ≥ 2), here so a bad
    // set is refused at submit instead of leaving a failed run behind.
    try {
      resolveRunParams(req.method, req.params);
    } catch (err) {
      if (err instanceof PipelineInputError) throw new ApiFailure('BAD_REQUEST', `Parameters not accepted: ${err.message}`);
      throw err;
    }
    const inputs = lib.resolveInputs(req);

    const jobId = randomUUID();
    const outputDir = path.join(this.o.dataDir, 'jobs', jobId);
    makeDirsSync(outputDir);
    const summary: JobSummary = { jobId, status: 'queued', request: req, runIds: [], createdAt: new Date().toISOString() };
    const entry: JobEntry = { summary, runIds: [], currentRunIds: [], variant: 0, variants: 1, cancelRequested: false, inWorker: false };
    this.jobs.set(jobId, entry);
    this.trimHistory();

    const variants: { method: WorkerJob['method']; params: WorkerJob['params']; baseline: boolean }[] = [
      { method: req.method, params: req.params as WorkerJob['params'], baseline: false },
    ];
    if (req.withBaseline && req.method !== 'off') variants.push({ method: 'off', params: baselineParams(req.params) as WorkerJob['params'], baseline: true });
    // The baseline's rows first, so that each accelerated run is linked to this job's own baseline from
    // the start: the accelerated variant runs and finishes first, and the library would otherwise pair it
    // with an older baseline of the same inputs (another Compare's), and keep that pairing.
    const begin = (v: (typeof variants)[number], baselineRunIds: string[] = []) => inputs.masks.map((m, i) =>
      lib.beginRun(req, { jobId, objectIndex: i, objectName: m.name, baseline: v.baseline, packDir: pack.dir, baselineRunId: baselineRunIds[i] }));
    entry.variants = variants.length;
    const baselineVariant = variants.find((v) => v.baseline);
    const baselineRunIds = baselineVariant ? begin(baselineVariant) : [];
    const workerJobs: { job: WorkerJob; runIds: string[] }[] = variants.map((v, vi) => {
      const job: WorkerJob = {
        jobId, kind: req.kind, imagePath: inputs.imagePath, masks: inputs.masks,
        ...(inputs.otherMasks?.length ? { otherMasks: inputs.otherMasks } : {}), packDir: pack.dir,
        method: v.method, params: v.params,
        outputDir: vi === 0 ? outputDir : path.join(outputDir, 'baseline'),
        executionProvider: this.o.settings.get().executionProvider,
      };
      makeDirsSync(job.outputDir);
      const runIds = v.baseline ? baselineRunIds : begin(v, baselineRunIds);
      entry.runIds.push(...runIds);
      return { job, runIds };
    });
    // Before any other event of the job, and before the jobs.submit reply: the window that submitted it
    // knows it by its request until then.
    this.o.events.emit('job.submitted', { job: this.summaryOf(entry) });
    const execution = this.execute(entry, workerJobs);
    this.active.add(execution);
    void execution.finally(() => this.active.delete(execution));
    return jobId;
  }

  /** Resolves once every submitted job has finished and its runs are recorded (shutdown waits for it). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.active]);
  }

  /** False for a job that has already ended (cancelling is idempotent); NOT_FOUND for one never submitted here. */
  cancel(jobId: string): boolean {
    const entry = this.jobs.get(jobId);
    if (!entry) throw new ApiFailure('NOT_FOUND', `No job with id ${jobId} in this session (jobs.list lists them).`);
    if (!['queued', 'running'].includes(entry.summary.status)) return false;
    entry.cancelRequested = true;
    // Between two variants the supervisor has nothing of the job: execute() stops it before the next.
    return entry.inWorker ? this.o.supervisor.cancel(jobId) : true;
  }

  /**
   * A worker progress event with the variant it belongs to (Compare: the result, then the baseline), kept
   * as the job's last for jobs.list.
   */
  withVariant(e: JobProgressEvent): JobProgressEvent {
    const entry = this.jobs.get(e.jobId);
    if (!entry) return e;
    entry.lastProgress = { ...e, variant: entry.variant, variants: entry.variants };
    return entry.lastProgress;
  }

  private async execute(entry: JobEntry, workerJobs: { job: WorkerJob; runIds: string[] }[]): Promise<void> {
    const lib = this.o.library!;
    const s = entry.summary;
    for (let w = 0; w < workerJobs.length; w++) {
      const { job, runIds } = workerJobs[w];
      entry.currentRunIds = runIds;
      entry.variant = w;
      try {
        if (entry.cancelRequested) throw new JobCancelledError(`Job ${s.jobId} was cancelled before its ${w > 0 ? 'baseline' : 'run'} started.`);
        entry.inWorker = true;
        const done = await this.o.supervisor.run(job).finally(() => { entry.inWorker = false; });
        s.executionProvider = done.executionProvider;
        const reports = done.reports.map((r) => RunReportSchema.parse(r));
        // The worker's own warnings (a provider that fell back to the CPU, a pack that opened with a
        // note) belong to every run of the job: the run record is where the user looks for them.
        for (const r of reports) r.warnings.push(...done.warnings.filter((w) => !r.warnings.includes(w)));
        for (const [i, runId] of runIds.entries()) {
          await lib.finishRun(runId, {
            report: reports[i], executionProvider: done.executionProvider, outputDir: job.outputDir,
            files: done.outputs.filter((f) => f.object === i || (job.kind === 'scene' && f.object === 'scene')),
          });
        }
      } catch (err) {
        const e = err as Error & { executionProvider?: string };
        const cancelled = e.name === 'AbortError';
        if (e.executionProvider) s.executionProvider = e.executionProvider;
        // This variant and every later one fail with the same reason; nothing else is lost.
        for (const later of workerJobs.slice(w)) {
          for (const runId of later.runIds) {
            try { lib.failRun(runId, e.message, cancelled ? 'cancelled' : 'failed', e.executionProvider); } catch (recErr) { console.error('[jobs] could not record failed run:', recErr); }
          }
        }
        this.finish(entry, cancelled ? 'cancelled' : 'failed', e.message);
        return;
      }
    }
    this.finish(entry, 'succeeded');
  }

  private finish(entry: JobEntry, status: JobSummary['status'], error?: string): void {
    const s = entry.summary;
    s.status = status;
    s.finishedAt = new Date().toISOString();
    if (error) s.error = error;
    if (status === 'cancelled' && entry.cancelRequested) s.cancelRequested = true;
    s.runIds = [...entry.runIds];
    this.removeJobFolder(s.jobId);
    this.o.events.emit('job.finished', { job: { ...s } });
  }

  /**
   * Every run of the job is recorded (its files copied into the library's asset store), so the worker's
   * output folder has served its purpose; folders that crashed jobs left are swept here too.
   */
  private removeJobFolder(jobId: string): void {
    try {
      fs.rmSync(path.join(this.o.dataDir, 'jobs', jobId), { recursive: true, force: true });
    } catch (err) {
      console.error(`[jobs] could not remove the folder of job ${jobId}:`, err);
    }
    const active = [...this.jobs.values()].filter((j) => ['queued', 'running'].includes(j.summary.status)).map((j) => j.summary.jobId);
    this.o.library?.sweepJobFolders?.(active);
  }

  /** Marks a job running (and the runs of the variant the worker took) when the supervisor hands it over. */
  markStarted(jobId: string): void {
    const e = this.jobs.get(jobId);
    if (!e) return;
    if (e.summary.status === 'queued') e.summary.status = 'running';
    for (const runId of e.currentRunIds) this.o.library?.startRun?.(runId);
  }

  private trimHistory(): void {
    for (const [id, e] of this.jobs) {
      if (this.jobs.size <= HISTORY_LIMIT) break;
      if (!['queued', 'running'].includes(e.summary.status)) this.jobs.delete(id);
    }
  }
}
