/** The main window with the hardened defaults: isolated, sandboxed, no Node, no navigation, no popups. */
import { app, BrowserWindow, dialog, screen, shell } from 'electron';
import path from 'node:path';
import { APP_ORIGIN, externalUrlToOpen, isAppUrl } from './origins';

/** Plain https links leave for the user's browser; anything else (file:, custom schemes…) goes nowhere. */
function openInBrowser(url: string): void {
  const link = externalUrlToOpen(url);
  if (link) shell.openExternal(link).catch((err) => console.warn('[window] could not open the link in the browser:', (err as Error).message));
}

/**
 * 1440×900 where the screen has room, else its work area: a 1920×1080 laptop at 150 % scaling leaves
 * about 1280×672 above the taskbar. The layout works down to 800×600 (e2e/layout.spec.ts checks smaller).
 */
export function windowSize(workArea: { width: number; height: number }): { width: number; height: number; minWidth: number; minHeight: number } {
  return {
    width: Math.min(1440, workArea.width), height: Math.min(900, workArea.height),
    minWidth: Math.min(800, workArea.width), minHeight: Math.min(600, workArea.height),
  };
}

export function createMainWindow(preloadPath: string, devServerUrl: string | undefined): BrowserWindow {
  const win = new BrowserWindow({
    ...windowSize(screen.getPrimaryDisplay().workAreaSize), show: false, title: 'Fast-SAM3D Studio',
    backgroundColor: '#17181b',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false,
      navigateOnDragDrop: false, spellcheck: false,
    },
  });
  // Nothing may navigate the window away from the app; links to the web open in the user's browser.
  win.webContents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url, devServerUrl)) {
      e.preventDefault();
      openInBrowser(url);
    }
  });
  win.webContents.on('will-redirect', (e, url) => { if (!isAppUrl(url, devServerUrl)) e.preventDefault(); });
  win.webContents.setWindowOpenHandler(({ url }) => {
    openInBrowser(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  win.once('ready-to-show', () => win.show());
  // A renderer that crashed or was killed leaves a blank window: say so and offer to reload it.
  win.webContents.on('render-process-gone', (_e, details) => {
    if (details.reason === 'clean-exit' || win.isDestroyed()) return;
    console.error(`[window] the window's renderer stopped (${details.reason}, exit code ${details.exitCode}).`);
    void dialog.showMessageBox(win, {
      type: 'error', buttons: ['Reload', 'Quit'], defaultId: 0, cancelId: 1,
      message: 'The Fast-SAM3D Studio window stopped working.',
      detail: `Its renderer process ended (${details.reason}). Jobs keep running in the background; reload the window to see them.`,
    }).then(({ response }) => {
      if (win.isDestroyed()) return;
      if (response === 0) win.webContents.reload();
      else app.quit();
    });
  });
  // The window stays hidden until its page is ready: if it cannot load, the app would run invisibly.
  win.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`).catch((err: Error) => {
    // ERR_ABORTED: the load was replaced by another navigation (a reload), not a failure.
    if (win.isDestroyed() || /ERR_ABORTED/.test(err.message)) return;
    console.error('[window] could not load the window:', err.message);
    dialog.showErrorBox('Fast-SAM3D Studio could not open its window',
      `${err.message}\n\n${devServerUrl ? `Is the dev server at ${devServerUrl} running?` : 'The app files may be incomplete: reinstall the app, or run `npm run build` in a checkout.'}`);
    win.destroy();
  });
  return win;
}

export function preloadPathFrom(mainDir: string): string {
  return path.join(mainDir, '../preload/index.cjs');
}
