/**
 * The only bridge between the sandboxed window and the main process. Exposes `window.studio` (the
 * typed StudioApi) and `window.studioShell` (drag an exported file out, show it in its folder; the main
 * process accepts only files inside the data dir's exports folder) and nothing else: no ipcRenderer, no Node. Built as CommonJS and fully bundled,
 * because a sandboxed preload can only `require('electron')`.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT, IPC_INVOKE, IPC_SHELL_DRAG, IPC_SHELL_SHOW, type IpcEnvelope } from './channels';

/** Error replies cross contextBridge as plain data; only the message of a thrown Error would survive. */
function invokeRaw(method: string, request: unknown): Promise<IpcEnvelope> {
  return ipcRenderer.invoke(IPC_INVOKE, method, request) as Promise<IpcEnvelope>;
}

const api = {
  invokeRaw,
  async invoke(method: string, request: unknown): Promise<unknown> {
    const r = await invokeRaw(method, request);
    if (r.ok) return r.result;
    throw new Error(`[${r.error.code}] ${r.error.message}`);
  },
  on(event: string, listener: (payload: unknown) => void): () => void {
    const wrapped = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name !== event) return;
      // All events share one channel: a listener that throws must not keep the ones after it (another
      // view waiting for the same job.finished) from hearing the event.
      try {
        listener(payload);
      } catch (err) {
        console.error(`[studio] a listener of ${event} failed:`, err);
      }
    };
    ipcRenderer.on(IPC_EVENT, wrapped);
    return () => { ipcRenderer.removeListener(IPC_EVENT, wrapped); };
  },
  assetUrl(relativePath: string): string {
    return `studio-asset://data/${relativePath.split('/').map(encodeURIComponent).join('/')}`;
  },
};

contextBridge.exposeInMainWorld('studio', api);

const studioShell = {
  /** Called from a dragstart handler; the main process starts the native drag (e.g. into Blender). */
  startDrag(path: string): void {
    ipcRenderer.send(IPC_SHELL_DRAG, String(path));
  },
  showItemInFolder(path: string): void {
    // Refusals are logged by the main process; the window has nothing to show for them.
    void ipcRenderer.invoke(IPC_SHELL_SHOW, String(path)).catch(() => undefined);
  },
};
contextBridge.exposeInMainWorld('studioShell', studioShell);
