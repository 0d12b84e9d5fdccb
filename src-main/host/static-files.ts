/** Serving files from a root folder without ever leaving it (no `..`, no absolute paths, no symlink escape). */
import fs from 'node:fs';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.png': 'image/png', '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.svg': 'image/svg+xml', '.ico': 'image/x-icon',
  '.glb': 'model/gltf-binary', '.gltf': 'model/gltf+json', '.obj': 'text/plain; charset=utf-8', '.ply': 'application/octet-stream',
  '.hdr': 'application/octet-stream', '.wasm': 'application/wasm', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8',
};

export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The real path of `relative` inside `root`, or null when it is missing, not a file, or resolves
 * (through `..` or a symlink) outside the root.
 */
export function resolveInside(root: string, relative: string): string | null {
  let decoded: string;
  try { decoded = decodeURIComponent(relative); } catch { return null; }
  if (decoded.includes('\0') || path.isAbsolute(decoded) || decoded.split(/[\\/]/).includes('..')) return null;
  let realRoot: string;
  let real: string;
  try {
    realRoot = fs.realpathSync(root);
    real = fs.realpathSync(path.join(realRoot, decoded));
  } catch { return null; }
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return null;
  try { return fs.statSync(real).isFile() ? real : null; } catch { return null; }
}

/**
 * The folders of the data dir the window may load files from: the asset store (GLBs, thumbnails,
 * images) and the exports (so the browser host can offer exported files as downloads).
 */
export const SERVED_DATA_DIRS = ['assets', 'exports'] as const;

/**
 * `relative` (a path under the data dir, as the window's assetUrl builds it) resolved like resolveInside,
 * but only inside SERVED_DATA_DIRS: the database, settings and job folders are not served to the window.
 */
export function resolveAsset(dataDir: string, relative: string): string | null {
  const dir = SERVED_DATA_DIRS.find((d) => relative.startsWith(`${d}/`));
  if (!dir) return null;
  return resolveInside(path.join(dataDir, dir), relative.slice(dir.length + 1));
}

/** An open descriptor and the size of `file` when it is (still) a regular file; null when it is gone. */
export function openRegularFile(file: string): { fd: number; size: number } | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isFile()) return { fd, size: st.size };
  } catch {
    /* closed below */
  }
  fs.closeSync(fd);
  return null;
}
