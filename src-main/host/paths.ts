/** Default folders shared by the Electron app and the browser host, so both open the same library. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const APP_DIR_NAME = 'Fast-SAM3D Studio';

/** Electron's `app.getPath('userData')` for this app, computed without Electron. */
export function defaultDataDir(): string {
  if (process.env.FASTSAM3D_DATA_DIR) return path.resolve(process.env.FASTSAM3D_DATA_DIR);
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_DIR_NAME);
}

/** The project root seen from a module in out/main/ (built) or src-main/<dir>/ (source): both two levels down. */
export function projectRootFrom(moduleDir: string): string {
  return path.resolve(moduleDir, '..', '..');
}

export function readAppVersion(root: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
