/**
 * Electron main process: lifecycle, one hardened window, the custom protocols, the IPC transport and
 * the shared services (same handlers as the browser host), with inference in a utilityProcess.
 */
import { app, BrowserWindow, session } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServices, type Services } from '../host/services';
import { utilityLauncher } from './utility-worker';
import { wireIpc } from './ipc';
import { wireShellIpc } from './shell-ipc';
import { APP_ORIGIN, handleProtocols, registerSchemes } from './protocols';
import { createMainWindow, preloadPathFrom } from './window';

const here = path.dirname(fileURLToPath(import.meta.url));
const devServerUrl = process.env.ELECTRON_RENDERER_URL;
// Tests and portable installs point the data dir elsewhere.
if (process.env.FASTSAM3D_DATA_DIR) app.setPath('userData', path.resolve(process.env.FASTSAM3D_DATA_DIR));

registerSchemes();
app.enableSandbox();
if (!app.requestSingleInstanceLock()) app.quit();

let services: Services | undefined;

app.whenReady().then(() => {
  const dataDir = app.getPath('userData');
  // Packaged: models/ is an extraResource beside app.asar; in development it is the repository's.
  const modelsDir = app.isPackaged ? path.join(process.resourcesPath, 'models') : path.join(app.getAppPath(), 'models');
  // In development node_modules holds better-sqlite3 built for Node (tests need it); `npm run setup` puts
  // an Electron-ABI build beside it. Packaged apps get theirs rebuilt by electron-builder.
  const electronSqlite = path.join(app.getAppPath(), '.cache/electron-native/better_sqlite3.node');
  services = createServices({
    host: 'electron', version: app.getVersion(), dataDir, bundledModelsDir: modelsDir,
    launchWorker: utilityLauncher(path.join(here, 'worker.js')),
    ...(!app.isPackaged && fs.existsSync(electronSqlite) ? { sqliteNativeBinding: electronSqlite } : {}),
  });
  handleProtocols(path.join(here, '../renderer'), dataDir);
  wireIpc(services, devServerUrl);
  wireShellIpc(dataDir, devServerUrl);
  // No permission (camera, geolocation, notifications…) is ever granted to the window.
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  createMainWindow(preloadPathFrom(here), devServerUrl);
}).catch((err) => {
  console.error('Fast-SAM3D Studio failed to start:', err);
  app.exit(1);
});

// Defence in depth for any web contents (including ones created later): no webviews, no popups, no
// navigation off the app. The main window adds its own handlers (external https links open in the browser).
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (ev) => ev.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (ev, url) => {
    const origin = new URL(url).origin;
    if (origin !== APP_ORIGIN && (!devServerUrl || origin !== new URL(devServerUrl).origin)) ev.preventDefault();
  });
});

app.on('second-instance', () => {
  // Focus the existing window instead of opening another app with the same library.
  const [w] = BrowserWindow.getAllWindows();
  if (w) { if (w.isMinimized()) w.restore(); w.focus(); }
});
app.on('window-all-closed', () => app.quit());
// Closing waits for the jobs the worker was running to be recorded as cancelled, then the app quits.
let closed = false;
app.on('before-quit', (ev) => {
  if (!services || closed) return;
  ev.preventDefault();
  const s = services;
  services = undefined;
  void s.close().catch((err) => console.error('Fast-SAM3D Studio: closing the library failed:', err)).finally(() => {
    closed = true;
    app.quit();
  });
});
