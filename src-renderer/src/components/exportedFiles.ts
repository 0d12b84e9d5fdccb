/**
 * What the window can do with a file the host exported (a mesh, a project archive): under Electron drag
 * it out or show it in its folder through the optional `window.studioShell` preload bridge; in the
 * browser host download it (the host may be another machine, and it serves the data dir's exports).
 */
import type { StudioApi } from '../../../src-shared/api';

/** Preload calls the window uses when present (Electron only); the main process accepts only files inside the exports folder. */
export interface StudioShell {
  startDrag(path: string): void;
  showItemInFolder(path: string): void;
}

export const studioShell = (): StudioShell | undefined => (globalThis as unknown as { studioShell?: StudioShell }).studioShell;

/** `file` relative to `dataDir` with forward slashes, or null when it lies elsewhere. */
export function insideDataDir(file: string, dataDir: string | null): string | null {
  if (!dataDir) return null;
  const norm = (p: string) => p.replace(/\\/g, '/');
  const root = norm(dataDir).replace(/\/+$/, '') + '/';
  const f = norm(file);
  return f.startsWith(root) ? f.slice(root.length) : null;
}

/** The last segment of a host path (either separator: the host may run on Windows). */
export const baseName = (file: string): string => file.split(/[\\/]/).pop() ?? file;

/** URL the browser can download `file` from, or null when the host does not serve it (outside the data dir). */
export function downloadUrl(api: StudioApi, file: string, dataDir: string | null): string | null {
  const rel = insideDataDir(file, dataDir);
  return rel === null ? null : api.assetUrl(rel);
}
