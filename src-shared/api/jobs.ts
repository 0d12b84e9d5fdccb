/** Jobs: generation runs on the inference worker, their progress and their results. */
import { z } from 'zod';
import { AccelOverridesSchema, METHODS } from '../params';
import { Id } from './common';

export const ExecutionProviderSchema = z.enum(['auto', 'cpu', 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu']);
export type ExecutionProvider = z.infer<typeof ExecutionProviderSchema>;

/** The most masks one job request carries: in the run, and left out of it for fit to mask. */
export const MAX_JOB_MASKS = 64;

export const JobSubmitRequest = z.object({
  kind: z.enum(['object', 'scene']),
  imageId: Id,
  /** One mask for `object`, one or more for `scene`. */
  maskIds: z.array(Id).min(1).max(MAX_JOB_MASKS),
  /**
   * Masks of the same image left out of the run: fit to mask (params.fitToMask) keeps what they may hide,
   * as it does for the run's own masks (mask the thing in front, untick it). Ignored without fit to mask.
   */
  otherMaskIds: z.array(Id).max(MAX_JOB_MASKS).optional(),
  packId: Id,
  method: z.enum(METHODS).default('fast-sam3d'),
  params: AccelOverridesSchema.default({}),
  /** Also run (or reuse from cache) the acceleration-off baseline with the same seed, for Compare. */
  withBaseline: z.boolean().default(false),
});
export type JobSubmitRequest = z.infer<typeof JobSubmitRequest>;

export const StepKindSchema = z.enum(['full', 'cached', 'carved']);

/** Streamed while a job runs. `stage` is one of the pipeline's stage names (report.stages keys). */
export const JobProgressEvent = z.object({
  jobId: Id,
  stage: z.string(),
  /** 0-based step within the stage; absent for stages without steps. */
  step: z.number().int().nonnegative().optional(),
  steps: z.number().int().positive().optional(),
  stepKind: StepKindSchema.optional(),
  /** Voxels evaluated / carved on this step (SLaT). */
  tokens: z.object({ evaluated: z.number().int(), carved: z.number().int() }).optional(),
  /** 0..1 estimate within the variant running. */
  fraction: z.number().min(0).max(1),
  message: z.string().optional(),
  /**
   * Which of the job's worker variants this event belongs to (0-based) and how many it has: a Compare job
   * runs the accelerated result, then its baseline (1 of 2), each from fraction 0.
   */
  variant: z.number().int().nonnegative().optional(),
  variants: z.number().int().positive().optional(),
});
export type JobProgressEvent = z.infer<typeof JobProgressEvent>;

export const JobStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);

export const JobSummary = z.object({
  jobId: Id,
  status: JobStatusSchema,
  request: JobSubmitRequest,
  executionProvider: z.string().optional(),
  error: z.string().optional(),
  /** Library run ids written by this job (one per object; baseline runs too). */
  runIds: z.array(Id).default([]),
  createdAt: z.string(),
  finishedAt: z.string().optional(),
  /**
   * The last progress event of a running job (jobs.list): a window that opens or reloads mid-run starts its
   * run strip where the job is, not empty until the next event (a stage without steps can last seconds).
   */
  progress: JobProgressEvent.optional(),
  /**
   * A cancelled job that jobs.cancel stopped (a window's Cancel, or a newer Generate in a window replacing
   * it), not the host shutting down: a window that followed it without asking says it was cancelled elsewhere.
   */
  cancelRequested: z.boolean().optional(),
});
export type JobSummary = z.infer<typeof JobSummary>;

export const JobFinishedEvent = z.object({ job: JobSummary });
/**
 * A job was submitted (in any window, status queued, or running if the worker took it at once): a window
 * showing its photo that did not submit it follows it, as it would one found in jobs.list.
 */
export const JobSubmittedEvent = z.object({ job: JobSummary });
