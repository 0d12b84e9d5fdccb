/** IPC channel names and the reply envelope shared by the preload and the main process. */
export const IPC_INVOKE = 'studio:invoke';
export const IPC_EVENT = 'studio:event';

export type IpcEnvelope =
  | { ok: true; result: unknown }
  | { ok: false; error: { code: string; message: string; issues?: { path: string; message: string }[] } };
