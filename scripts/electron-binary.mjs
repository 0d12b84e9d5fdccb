// Where the Electron binary is, if it was installed. Its download is skipped on machines that reach only
// the npm registry, so every caller must handle `null`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function electronBinary() {
  const pkg = path.join(root, 'node_modules/electron');
  let rel;
  try { rel = fs.readFileSync(path.join(pkg, 'path.txt'), 'utf8').trim(); } catch { return null; }
  const bin = path.join(pkg, 'dist', rel);
  return fs.existsSync(bin) ? bin : null;
}
