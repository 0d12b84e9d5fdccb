/**
 * Messages between the main side (Electron main or the browser host) and the inference worker process.
 * Both directions are validated: the worker may be a different build than the main side during
 * development, and a crashed or confused worker must never corrupt the main side's state.
 */
import { z } from 'zod';
import { ExecutionProviderSchema, JobProgressEvent } from '../../src-shared/api/jobs';
import { METHODS } from '../../src-shared/params';

export const WorkerJobSchema = z.object({
  jobId: z.string().min(1),
  kind: z.enum(['object', 'scene']),
  imagePath: z.string().min(1),
  masks: z.array(z.object({ path: z.string().min(1), name: z.string() })).min(1),
  /** Masks of the image outside the run, for fit to mask (the pipeline's RunOptions.otherMasks). */
  otherMasks: z.array(z.object({ path: z.string().min(1), name: z.string() })).optional(),
  packDir: z.string().min(1),
  method: z.enum(METHODS),
  /** Acceleration overrides as submitted (the pipeline resolves presets and pack defaults). */
  params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
  /** Folder the worker writes its result files into (created by the main side). */
  outputDir: z.string().min(1),
  executionProvider: ExecutionProviderSchema,
});
export type WorkerJob = z.infer<typeof WorkerJobSchema>;

export const ToWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), job: WorkerJobSchema }),
  z.object({ type: z.literal('cancel'), jobId: z.string() }),
  z.object({ type: z.literal('shutdown') }),
]);
export type ToWorker = z.infer<typeof ToWorkerSchema>;

/** One file the worker wrote, relative names inside outputDir. */
export const WorkerOutputSchema = z.object({
  /** Index of the object in the job's masks, or 'scene' for the composed scene (names may repeat). */
  object: z.union([z.number().int().nonnegative(), z.literal('scene')]),
  kind: z.enum(['glb', 'obj', 'ply', 'report']),
  path: z.string(),
});
export type WorkerOutput = z.infer<typeof WorkerOutputSchema>;

export const FromWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), pid: z.number().int(), providers: z.array(z.string()) }),
  z.object({ type: z.literal('progress'), event: JobProgressEvent }),
  z.object({
    type: z.literal('done'), jobId: z.string(), executionProvider: z.string(),
    /** RunReport per object (validated again by the job service with the report schema). */
    reports: z.array(z.unknown()), sceneReport: z.unknown().optional(),
    outputs: z.array(WorkerOutputSchema), warnings: z.array(z.string()),
  }),
  z.object({
    type: z.literal('failed'), jobId: z.string(), cancelled: z.boolean(), message: z.string(),
    executionProvider: z.string().optional(),
  }),
]);
export type FromWorker = z.infer<typeof FromWorkerSchema>;
