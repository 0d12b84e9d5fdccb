/**
 * Main side of `window.studioShell`: drag an exported file out of the window (into Blender, a file
 * manager…) and reveal it in its folder. Same sender check as the API channel, and only files inside
 * the data dir's exports folder (export-paths.ts) are accepted; anything else is refused and logged.
 */
import path from 'node:path';
import { ipcMain, nativeImage, shell, type NativeImage } from 'electron';
import { IPC_SHELL_DRAG, IPC_SHELL_SHOW } from '../../src-preload/channels';
import { checkExportedFile } from './export-paths';
import { trustedSender } from './ipc';

/** A small solid drag image (macOS refuses startDrag without a non-empty icon). */
function dragIcon(): NativeImage {
  const size = 16;
  const bgra = Buffer.alloc(size * size * 4);
  for (let i = 0; i < size * size; i++) bgra.set([0xd0, 0x90, 0x40, 0xff], i * 4);
  return nativeImage.createFromBitmap(bgra, { width: size, height: size });
}

export function wireShellIpc(dataDir: string, devServerUrl: string | undefined): () => void {
  const exportsDir = path.join(dataDir, 'exports');
  const icon = dragIcon();
  ipcMain.on(IPC_SHELL_DRAG, (e, file: unknown) => {
    if (!trustedSender(e, devServerUrl)) return;
    try {
      e.sender.startDrag({ file: checkExportedFile(exportsDir, file), icon });
    } catch (err) {
      console.warn('[shell] drag refused:', (err as Error).message);
    }
  });
  ipcMain.handle(IPC_SHELL_SHOW, (e, file: unknown) => {
    if (!trustedSender(e, devServerUrl)) return false;
    try {
      shell.showItemInFolder(checkExportedFile(exportsDir, file));
      return true;
    } catch (err) {
      console.warn('[shell] show in folder refused:', (err as Error).message);
      return false;
    }
  });
  return () => {
    ipcMain.removeAllListeners(IPC_SHELL_DRAG);
    ipcMain.removeHandler(IPC_SHELL_SHOW);
  };
}
