/** The main window with the hardened defaults: isolated, sandboxed, no Node, no navigation, no popups. */
import { BrowserWindow, shell } from 'electron';
import path from 'node:path';
import { APP_ORIGIN } from './protocols';

export function createMainWindow(preloadPath: string, devServerUrl: string | undefined): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440, height: 900, minWidth: 1280, minHeight: 720, show: false, title: 'Fast-SAM3D Studio',
    backgroundColor: '#17181b',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false,
      webSecurity: true, allowRunningInsecureContent: false, webviewTag: false, spellcheck: false,
    },
  });
  const allowedOrigin = devServerUrl ? new URL(devServerUrl).origin : APP_ORIGIN;
  // Nothing may navigate the window away from the app; links to the web open in the user's browser.
  win.webContents.on('will-navigate', (e, url) => {
    if (new URL(url).origin !== allowedOrigin) {
      e.preventDefault();
      if (/^https:\/\//.test(url)) void shell.openExternal(url);
    }
  });
  win.webContents.on('will-redirect', (e, url) => { if (new URL(url).origin !== allowedOrigin) e.preventDefault(); });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  win.once('ready-to-show', () => win.show());
  void win.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`);
  return win;
}

export function preloadPathFrom(mainDir: string): string {
  return path.join(mainDir, '../preload/index.cjs');
}
