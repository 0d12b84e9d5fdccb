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
