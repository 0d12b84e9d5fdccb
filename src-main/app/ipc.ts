/**
 * The Electron transport of the typed API: one ipcMain handler that checks the sender (only our own
 * window's main frame, loaded from our own origin) and hands the request to the shared dispatcher;
 * events are pushed to every window.
 */
import { BrowserWindow, ipcMain, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { IPC_EVENT, IPC_INVOKE, type IpcEnvelope } from '../../src-preload/channels';
import type { Services } from '../host/services';
import { APP_ORIGIN } from './protocols';

export function trustedSender(e: IpcMainInvokeEvent | IpcMainEvent, devServerUrl: string | undefined): boolean {
  const frame = e.senderFrame;
  if (!frame || frame !== e.sender.mainFrame) return false;
  const origin = new URL(frame.url).origin;
  return origin === APP_ORIGIN || (devServerUrl !== undefined && origin === new URL(devServerUrl).origin);
}

export function wireIpc(services: Services, devServerUrl: string | undefined): () => void {
  ipcMain.handle(IPC_INVOKE, async (e, method: unknown, request: unknown): Promise<IpcEnvelope> => {
    if (!trustedSender(e, devServerUrl)) {
      return { ok: false, error: { code: 'BAD_REQUEST', message: 'Request from an untrusted frame was refused.' } };
    }
    return services.dispatcher.dispatch(method, request);
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
