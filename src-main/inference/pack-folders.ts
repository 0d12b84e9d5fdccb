/**
 * The folders under the pack roots (bundled models/ first, then the data dir's models/) that hold a
 * manifest.json — one walk shared by the 3D packs (packs.ts) and the segmentation packs
 * (segment/discover.ts). An id found in an earlier root hides the same id in later roots.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface PackFolder { id: string; dir: string; manifestPath: string }

export function packFolders(roots: string[]): PackFolder[] {
  const out: PackFolder[] = [];
  const seen = new Set<string>();
  for (const root of roots) {
    let names: string[];
    try { names = fs.readdirSync(root).sort(); } catch { continue; }
    for (const id of names) {
      const dir = path.join(root, id);
      const manifestPath = path.join(dir, 'manifest.json');
      if (seen.has(id) || !fs.existsSync(manifestPath)) continue;
      seen.add(id);
      out.push({ id, dir, manifestPath });
    }
  }
  return out;
}
