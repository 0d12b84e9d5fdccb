/**
 * The Electron transport of the typed API: one ipcMain handler that checks the sender (only our own
 * window's main frame, loaded from our own origin) and hands the request to the shared dispatcher (as a
 * window's request: no paths on this machine);
 * events are pushed to every window.
 */
import { BrowserWindow, ipcMain, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { IPC_EVENT, IPC_INVOKE, type IpcEnvelope } from '../../src-preload/channels';
import type { Services } from '../host/services';
import { isAppUrl } from './origins';

/**
 * Only the main frame of our own window, showing a page of the app. Never throws: a frame that is gone
 * or has no URL yet (a send during a reload) is simply untrusted. The origin check is isAppUrl's
 * (origins.ts): Node's URL gives `studio://app` the origin "null", which refused every packaged request.
 */
export function trustedSender(e: IpcMainInvokeEvent | IpcMainEvent, devServerUrl: string | undefined): boolean {
  try {
    const frame = e.senderFrame;
    if (!frame || frame !== e.sender.mainFrame) return false;
    return isAppUrl(frame.url, devServerUrl);
  } catch {
    return false;
  }
}

export function wireIpc(services: Services, devServerUrl: string | undefined): () => void {
  ipcMain.handle(IPC_INVOKE, async (e, method: unknown, request: unknown): Promise<IpcEnvelope> => {
    if (!trustedSender(e, devServerUrl)) {
      return { ok: false, error: { code: 'BAD_REQUEST', message: 'Request from an untrusted frame was refused.' } };
    }
    return services.dispatcher.dispatchFromWindow(method, request);
  });
  const unsubscribe = services.events.subscribe((event, payload) => {
    for (const w of BrowserWindow.getAllWindows()) {
      if (!w.isDestroyed()) w.webContents.send(IPC_EVENT, event, payload);
    }
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_INVOKE);
  };
}
