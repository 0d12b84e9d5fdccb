/**
 * Electron main process: lifecycle, one hardened window, the custom protocols, the IPC transport and
 * the shared services (same handlers as the browser host), with inference in a utilityProcess.
 */
import { app, BrowserWindow, dialog, session } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDirsSync } from '../files/make-dirs';
import { createServices, type Services } from '../host/services';
import { electronNativeBinding } from '../library/database';
import { utilityLauncher } from './utility-worker';
import { wireIpc } from './ipc';
import { wireShellIpc } from './shell-ipc';
import { handleProtocols, registerSchemes } from './protocols';
import { isAppUrl } from './origins';
import { quitQuestion, startupErrorMessage } from './startup';
import { createMainWindow, preloadPathFrom } from './window';

const here = path.dirname(fileURLToPath(import.meta.url));
// electron-vite's dev server, in development only: an installed app never loads another origin, whatever
// the environment says (the window's IPC trusts the page it loads).
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
/** How long quitting waits for the worker's jobs to be recorded as cancelled before it exits anyway. */
const CLOSE_TIMEOUT_MS = 15_000;

// Tests and portable installs point the data dir elsewhere. setPath throws for a folder that does not
// exist, and a throw here (before 'ready') would be a crash with no window: create it, and keep any
// failure to show the user once dialogs can be shown.
let earlyProblem: { err: unknown; dataDir: string } | undefined;
if (process.env.FASTSAM3D_DATA_DIR) {
  const dir = path.resolve(process.env.FASTSAM3D_DATA_DIR);
  try {
    makeDirsSync(dir);
    app.setPath('userData', dir);
  } catch (err) {
    earlyProblem = { err, dataDir: dir };
  }
}

registerSchemes();
app.enableSandbox();

let services: Services | undefined;
let mainWindow: BrowserWindow | undefined;

// app.quit() only asks to quit; start-up must not go on in a second instance (it would open the same
// library and a second window). The running instance gets 'second-instance' and comes to the front.
if (!app.requestSingleInstanceLock()) app.quit();
else start();

/** Tell the user why the app cannot start (there is no console to read in a desktop app), then exit. */
function failStart(err: unknown, dataDir: string): void {
  console.error('Fast-SAM3D Studio failed to start:', err);
  const { title, message } = startupErrorMessage(err, dataDir);
  dialog.showErrorBox(title, message);
  const s = services;
  services = undefined;
  if (!s) { app.exit(1); return; }
  const timer = setTimeout(() => app.exit(1), CLOSE_TIMEOUT_MS);
  void s.close().catch(() => undefined).finally(() => { clearTimeout(timer); app.exit(1); });
}

function start(): void {
  app.whenReady().then(() => {
    const dataDir = earlyProblem?.dataDir ?? app.getPath('userData');
    if (earlyProblem) { failStart(earlyProblem.err, dataDir); return; }
    try {
      // Packaged: models/ is an extraResource beside app.asar; in development it is the repository's.
      const modelsDir = app.isPackaged ? path.join(process.resourcesPath, 'models') : path.join(app.getAppPath(), 'models');
      // In development node_modules holds better-sqlite3 built for Node (tests need it); `npm run setup` puts
      // an Electron-ABI build beside it. Packaged apps get theirs rebuilt by electron-builder.
      const electronSqlite = app.isPackaged ? undefined : electronNativeBinding(app.getAppPath());
      services = createServices({
        host: 'electron', version: app.getVersion(), dataDir, bundledModelsDir: modelsDir,
        // Packaged: resources/examples ships as the extraResource `examples` (electron-builder.json).
        examplesDir: app.isPackaged ? path.join(process.resourcesPath, 'examples') : path.join(app.getAppPath(), 'resources', 'examples'),
        launchWorker: utilityLauncher(path.join(here, 'worker.js'), path.join(app.getPath('logs'), 'inference-worker.log')),
        ...(electronSqlite ? { sqliteNativeBinding: electronSqlite } : {}),
      });
      handleProtocols(path.join(here, '../renderer'), dataDir);
      wireIpc(services, devServerUrl);
      wireShellIpc(dataDir, devServerUrl);
      // No permission (camera, geolocation, notifications, HID/serial/USB devices…) is ever granted or
      // reported as granted to the window.
      session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
      session.defaultSession.setPermissionCheckHandler(() => false);
      session.defaultSession.setDevicePermissionHandler(() => false);
      mainWindow = createMainWindow(preloadPathFrom(here), devServerUrl);
      confirmCloseWhileJobsRun(mainWindow);
    } catch (err) {
      failStart(err, dataDir);
    }
  }).catch((err: unknown) => failStart(err, earlyProblem?.dataDir ?? ''));

  // Defence in depth for any web contents (including ones created later): no webviews, no popups, no
  // navigation off the app. The main window adds its own handlers (external https links open in the browser).
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (ev) => ev.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (ev, url) => { if (!isAppUrl(url, devServerUrl)) ev.preventDefault(); });
  });

  app.on('second-instance', () => {
    // Focus the existing window instead of opening another app with the same library (it may still be
    // hidden while loading, or minimised).
    const w = mainWindow && !mainWindow.isDestroyed() ? mainWindow : BrowserWindow.getAllWindows()[0];
    if (!w) return;
    if (w.isMinimized()) w.restore();
    if (!w.isVisible()) w.show();
    w.focus();
  });
  app.on('window-all-closed', () => app.quit());

  // Closing waits for the jobs the worker was running to be recorded as cancelled, then the app quits;
  // a close that hangs (a stuck disk) must not leave a windowless process behind.
  let closed = false;
  app.on('before-quit', (ev) => {
    if (!services || closed) return;
    ev.preventDefault();
    // A quit from the menu (Cmd+Q) or a dialog closes the window first, so its question about running
    // jobs is asked; closing it quits again through 'window-all-closed'.
    if (mainWindow && !mainWindow.isDestroyed()) { mainWindow.close(); return; }
    const s = services;
    services = undefined;
    const timer = setTimeout(() => {
      console.error(`Fast-SAM3D Studio: closing the library took over ${CLOSE_TIMEOUT_MS / 1000} s; quitting anyway.`);
      app.exit(0);
    }, CLOSE_TIMEOUT_MS);
    void s.close().catch((err) => console.error('Fast-SAM3D Studio: closing the library failed:', err)).finally(() => {
      clearTimeout(timer);
      closed = true;
      app.quit();
    });
  });
}

/** Closing the window while jobs run or wait asks first: quitting cancels them. */
function confirmCloseWhileJobsRun(win: BrowserWindow): void {
  let confirmed = false;
  let asking = false;
  win.on('close', (ev) => {
    if (confirmed || !services) return;
    ev.preventDefault();
    if (asking) return;
    asking = true;
    void (async () => {
      const listed = await services?.dispatcher.dispatch('jobs.list', {});
      const question = listed?.ok ? quitQuestion(listed.result as { status: string }[]) : null;
      const quit = !question || win.isDestroyed() || (await dialog.showMessageBox(win, {
        type: 'question', buttons: ['Quit and cancel', 'Keep running'], defaultId: 1, cancelId: 1,
        message: question.title, detail: question.message,
      })).response === 0;
      asking = false;
      if (quit && !win.isDestroyed()) { confirmed = true; win.close(); }
    })().catch((err: unknown) => {
      console.error('Fast-SAM3D Studio: could not check the running jobs:', err);
      asking = false;
      if (!win.isDestroyed()) { confirmed = true; win.close(); }
    });
  });
}
