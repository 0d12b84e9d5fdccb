/**
 * The API dispatcher: the one place where requests from either transport (Electron IPC, the browser
 * host's WebSocket) are validated against the typed API schemas, routed to their handler, and turned
 * into a result or an ApiError reply. A bad request never throws out of `dispatch`.
 */
import { z } from 'zod';
import { isDiskFull } from '../library/errors';
import {
  AbsolutePath, ApiError, ApiErrorSchema, events, isForUser, methods, type EventName, type EventPayload, type MethodName, type Res,
} from '../../src-shared/api/index';

/** Parsed request type of a method (defaults applied), as handlers receive it. */
export type ParsedReq<M extends MethodName> = z.output<(typeof methods)[M]['req']>;
export type Handler<M extends MethodName> = (req: ParsedReq<M>) => Promise<Res<M>> | Res<M>;
/** A map of handlers keyed by method name; each owner exports one for its methods. */
export type HandlerMap<K extends MethodName = MethodName> = { [M in K]: Handler<M> };

type ApiErrorCode = ApiError['code'];

/** Throw from a handler to send a specific error code and message to the caller. */
export class ApiFailure extends Error {
  override name = 'ApiFailure';
  constructor(readonly code: ApiErrorCode, message: string, readonly issues?: ApiError['issues']) {
    super(message);
  }
}

export type DispatchResult = { ok: true; result: unknown } | { ok: false; error: ApiError };

function issuesOf(err: z.ZodError): NonNullable<ApiError['issues']> {
  return err.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

/**
 * The sentence for a request the schema refused: the schema's own messages for the user when every
 * problem has one ("A name cannot be empty: …"), else each field path with zod's message, for a caller
 * that built the request by hand.
 */
function badRequestMessage(method: string, issues: NonNullable<ApiError['issues']>): string {
  if (issues.length > 0 && issues.every((i) => isForUser(i.message))) return [...new Set(issues.map((i) => i.message))].join(' ');
  return `Invalid request for ${method}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
}

const CODES = new Set<string>(ApiErrorSchema.shape.code.options);
/** Error codes of other modules (library, pipeline) that mean the same as an API code. */
const CODE_ALIASES: Record<string, ApiErrorCode> = {
  BAD_INPUT: 'BAD_REQUEST', BAD_ARCHIVE: 'BAD_REQUEST', NEWER_DATABASE: 'UNAVAILABLE', CORRUPT_DATABASE: 'UNAVAILABLE',
  DISK_FULL: 'UNAVAILABLE',
};

/** Maps anything a handler threw to an ApiError a user can act on. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiFailure) return { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) };
  if (err instanceof z.ZodError) return { code: 'BAD_REQUEST', message: 'The request is invalid.', issues: issuesOf(err) };
  const e = err as { name?: unknown; code?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  if (e?.name === 'AbortError') return { code: 'CANCELLED', message };
  if (typeof e?.code === 'string') {
    if (CODES.has(e.code)) return { code: e.code as ApiErrorCode, message };
    if (CODE_ALIASES[e.code]) return { code: CODE_ALIASES[e.code], message };
    const io = ioProblem(err, e.code, message, (err as { path?: unknown }).path);
    if (io) return io;
  }
  return { code: 'INTERNAL', message };
}

/**
 * A file-system or SQLite failure that reached the dispatcher unwrapped, said as what it means for the
 * user and what to do, rather than "INTERNAL: ENOSPC …". SQLite statements and the stores' atomic writes
 * fail whole, so a failed request changed nothing.
 */
function ioProblem(err: unknown, code: string, detail: string, file: unknown): ApiError | null {
  if (isDiskFull(err)) {
    return { code: 'UNAVAILABLE', message: `The disk holding the app's data is full (${detail}). Free some space, then try again; nothing was changed.` };
  }
  if (['EROFS', 'EACCES', 'EPERM', 'SQLITE_READONLY'].includes(code) || code.startsWith('SQLITE_READONLY_')) {
    return { code: 'UNAVAILABLE', message: `The app's data folder cannot be written (${detail}): it is read-only or this user may not write it. Fix its permissions or start the app with a writable data folder; nothing was changed.` };
  }
  if (code === 'ENOENT') {
    const which = typeof file === 'string' ? ` (${file})` : '';
    return { code: 'NOT_FOUND', message: `A file the app needs is missing${which}: it was deleted or moved outside the app. If it was a photo or a result in the library, import the photo again or run it again.` };
  }
  return null;
}

/**
 * The request fields of `method` that name a file or folder on the machine running the app (the schema's
 * AbsolutePath): export targets and folders or zips to read. Read from the schemas, so a new such field is
 * covered without a list to keep.
 */
function pathFieldsOf(method: MethodName): string[] {
  const req = methods[method].req as z.ZodTypeAny;
  if (!(req instanceof z.ZodObject)) return [];
  return Object.entries(req.shape as Record<string, z.ZodTypeAny>).filter(([, field]) => {
    let f: unknown = field;
    while (f instanceof z.ZodOptional || f instanceof z.ZodDefault) f = f.unwrap();
    return f === AbsolutePath;
  }).map(([key]) => key);
}

/** Read from the schemas once, not on every request a window sends. */
const HOST_PATH_FIELDS = new Map((Object.keys(methods) as MethodName[]).map((m) => [m, pathFieldsOf(m)]));

export function hostPathFields(method: MethodName): string[] {
  return HOST_PATH_FIELDS.get(method) ?? [];
}

export class Dispatcher {
  private readonly handlers = new Map<string, (req: unknown) => unknown>();

  /** Register handler maps; a method registered twice is a wiring bug and throws at start-up. */
  register(map: Partial<HandlerMap>): this {
    for (const [name, fn] of Object.entries(map)) {
      if (!(name in methods)) throw new Error(`Handler for unknown API method "${name}"`);
      if (this.handlers.has(name)) throw new Error(`API method "${name}" has two handlers`);
      this.handlers.set(name, fn as (req: unknown) => unknown);
    }
    return this;
  }

  has(method: string): boolean {
    return this.handlers.has(method);
  }

  /**
   * A request from a window (Electron IPC, the browser host's WebSocket): as `dispatch`, but a field that
   * names a path on this machine is refused. The window never sends one (it exports into the library's
   * exports folder and imports files by their bytes), so such a request comes from a page that is not
   * ours or has gone wrong, and must not choose where the app writes or what it reads: the token of a
   * browser host reached over the LAN is not a licence to overwrite the host's files. In-process callers
   * (the CLI, tests) call `dispatch`.
   */
  async dispatchFromWindow(method: unknown, payload: unknown): Promise<DispatchResult> {
    if (typeof method === 'string' && Object.prototype.hasOwnProperty.call(methods, method) && payload && typeof payload === 'object') {
      const fields = hostPathFields(method as MethodName).filter((k) => (payload as Record<string, unknown>)[k] !== undefined);
      if (fields.length) {
        return {
          ok: false,
          error: {
            code: 'BAD_REQUEST',
            message: `${method}: a window cannot choose a file or folder on the machine running the app (${fields.join(', ')}). ` +
              'Exports from the window go to the library\'s exports folder, and files are imported by sending their bytes; ' +
              'for other folders use the fastsam3d command line on that machine.',
            issues: fields.map((k) => ({ path: k, message: 'not accepted from a window' })),
          },
        };
      }
    }
    return this.dispatch(method, payload);
  }

  /** Validate, run and validate the result of one request. Never throws. */
  async dispatch(method: unknown, payload: unknown): Promise<DispatchResult> {
    if (typeof method !== 'string' || !Object.prototype.hasOwnProperty.call(methods, method)) {
      return { ok: false, error: { code: 'BAD_REQUEST', message: `Unknown API method ${JSON.stringify(method)}. Known methods: ${Object.keys(methods).join(', ')}.` } };
    }
    const spec = methods[method as MethodName];
    const parsed = spec.req.safeParse(payload ?? {});
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      return { ok: false, error: { code: 'BAD_REQUEST', message: badRequestMessage(method, issues), issues } };
    }
    const handler = this.handlers.get(method);
    if (!handler) return { ok: false, error: { code: 'UNAVAILABLE', message: `${method} is not available in this build yet.` } };
    try {
      const result = await handler(parsed.data);
      // The reply is checked too, so a handler bug shows up as a clear error rather than a confused window.
      const checked = (spec.res as z.ZodTypeAny).safeParse(result);
      if (!checked.success) {
        return { ok: false, error: { code: 'INTERNAL', message: `Handler of ${method} returned an invalid reply.`, issues: issuesOf(checked.error) } };
      }
      return { ok: true, result: checked.data };
    } catch (err) {
      return { ok: false, error: toApiError(err) };
    }
  }
}

type Listener = (event: EventName, payload: unknown) => void;

/** Streamed events (job progress, worker status) fanned out to every connected client. */
export class EventHub {
  private readonly listeners = new Set<Listener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    // Validate at the source so no transport ever forwards a malformed event.
    const data = events[event].parse(payload);
    for (const l of [...this.listeners]) {
      try { l(event, data); } catch (err) { console.error(`[events] listener for ${event} failed:`, err); }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
