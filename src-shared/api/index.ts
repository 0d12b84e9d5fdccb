/**
 * The typed API: one definition of every request, response and streamed event. Both transports —
 * Electron IPC (src-preload ↔ src-main/app) and the browser host (WebSocket, src-main/host) — dispatch to
 * the same handlers (src-main/api) and validate every payload against these schemas at the boundary.
 */
import { z } from 'zod';
import { ApiErrorSchema, Id } from './common';
import {
  ExecutionProviderSchema, JobFinishedEvent, JobProgressEvent, JobSubmitRequest, JobSubmittedEvent, JobSummary,
} from './jobs';
import { libraryMethods } from './library';
import { exportMethods } from './exports';
import { segmentMethods } from './segment';
import { SamplerDefaultsSchema } from '../params';

export * from './common';
export * from './jobs';
export * from './library';
export * from './exports';
export * from './segment';

export const PackInfo = z.object({
  id: Id, name: z.string(), version: z.string(), dir: z.string(), kind: z.string(),
  valid: z.boolean(), problems: z.array(z.string()),
  /** The pack's camera field of view (manifest `camera.fovDeg`), for the posed view; absent when the manifest is invalid. */
  cameraFovDeg: z.number().optional(),
  /** The sampler settings the manifest sets (steps and CFG strength per stage); absent when it is invalid. */
  samplerDefaults: SamplerDefaultsSchema.optional(),
});

export const WorkerStatus = z.object({ state: z.enum(['starting', 'ready', 'busy', 'restarting', 'down']), reason: z.string().optional() });
export type WorkerStatus = z.infer<typeof WorkerStatus>;

export const Settings = z.object({
  executionProvider: ExecutionProviderSchema,
  defaultPackId: z.string().optional(),
  autoRerun: z.boolean(),
});
export type Settings = z.infer<typeof Settings>;

export const coreMethods = {
  'app.info': {
    req: z.object({}),
    res: z.object({
      version: z.string(), host: z.enum(['electron', 'browser']), platform: z.string(),
      executionProviders: z.array(z.string()), dataDir: z.string(),
      /** What went wrong at start-up that the user should know (a damaged settings file set aside, …). */
      startupProblems: z.array(z.string()),
      /**
       * The worker's state now: `worker.status` events only say what changes, and a window that opens
       * (or reloads) after the worker started or went down would otherwise not know.
       */
      worker: WorkerStatus,
    }),
  },
  'settings.get': { req: z.object({}), res: Settings },
  'settings.set': { req: Settings.partial(), res: Settings },
  'packs.list': { req: z.object({}), res: z.array(PackInfo) },
  'jobs.submit': { req: JobSubmitRequest, res: z.object({ jobId: Id }) },
  'jobs.cancel': { req: z.object({ jobId: Id }), res: z.object({ cancelled: z.boolean() }) },
  'jobs.list': { req: z.object({}), res: z.array(JobSummary) },
} as const;

export const methods = { ...coreMethods, ...libraryMethods, ...exportMethods, ...segmentMethods } as const;
export type MethodName = keyof typeof methods;
export type Req<M extends MethodName> = z.input<(typeof methods)[M]['req']>;
export type Res<M extends MethodName> = z.output<(typeof methods)[M]['res']>;

export const events = {
  'job.submitted': JobSubmittedEvent,
  'job.progress': JobProgressEvent,
  'job.finished': JobFinishedEvent,
  'worker.status': WorkerStatus,
} as const;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

/** What the renderer sees, whichever transport carries it (window.studio under Electron). */
export interface StudioApi {
  invoke<M extends MethodName>(method: M, request: Req<M>): Promise<Res<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /**
   * URL the window can load an asset file from (GLB, thumbnail, image), given its path relative to the
   * data dir: `studio-asset://data/<path>` under Electron, `/asset/<path>?token=…` in the browser. Only
   * files of the asset store (`assets/…`) and of exports (`exports/…`) are served; anything else is a 404.
   */
  assetUrl(relativePath: string): string;
}

/**
 * Wire format of the browser host's WebSocket (`/api`). Client → host: a request with an id the client
 * chooses. Host → client: the reply carrying the same id, or a pushed event. A message the host cannot
 * parse gets a reply with `id: null` and a BAD_REQUEST error.
 */
export const WsRequest = z.object({ id: z.union([z.string().max(64), z.number().int()]), method: z.string(), payload: z.unknown().optional() });
export type WsRequest = z.infer<typeof WsRequest>;
export type WsReply =
  | { id: string | number | null; ok: true; result: unknown }
  | { id: string | number | null; ok: false; error: z.infer<typeof ApiErrorSchema> };
export type WsEvent = { event: EventName; payload: unknown };

/** Path of the WebSocket API and of asset files on the browser host; the Electron asset scheme. */
export const WS_PATH = '/api';
export const ASSET_HTTP_PREFIX = '/asset/';
export const ASSET_SCHEME = 'studio-asset';
