/** IPC channel names and the reply envelope shared by the preload and the main process. */
export const IPC_INVOKE = 'studio:invoke';
export const IPC_EVENT = 'studio:event';
/** window.studioShell: start an OS drag of an exported file (send) / reveal it in the file manager (invoke). */
export const IPC_SHELL_DRAG = 'studio:shell-drag';
export const IPC_SHELL_SHOW = 'studio:shell-show';

export type IpcEnvelope =
  | { ok: true; result: unknown }
  | { ok: false; error: { code: string; message: string; issues?: { path: string; message: string }[] } };
