/**
 * Segmentation packs available to the app, found like 3D packs (src-main/inference/packs.ts): every
 * folder under the pack roots whose manifest declares the segmentation format, plus `seg-*` folders whose
 * manifest is broken, so the user sees why they cannot be used. Listing reads manifests only; files and
 * sessions are checked when a pack is opened.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SegPackInfo } from '../../src-shared/api/segment';
import { packFolders } from '../inference/pack-folders';
import { readSegManifest, SEG_PACK_FORMAT } from './manifest';

/** A `seg-*` folder with a manifest, or any folder whose manifest declares the segmentation format. */
export function isSegPackFolder(dir: string, id: string): boolean {
  const manifest = path.join(dir, 'manifest.json');
  if (id.startsWith('seg-')) return fs.existsSync(manifest);
  try {
    const format = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { format?: unknown }).format;
    return typeof format === 'string' && format.startsWith(SEG_PACK_FORMAT.split('/')[0]);
  } catch {
    return false;
  }
}

export async function scanSegPacks(roots: string[]): Promise<SegPackInfo[]> {
  const out: SegPackInfo[] = [];
  for (const { id, dir } of packFolders(roots)) {
    if (!isSegPackFolder(dir, id)) continue;
    const { manifest, raw, problems } = await readSegManifest(dir);
    const missing = manifest
      ? Object.values(manifest.files).filter((f) => !fs.existsSync(path.join(dir, f.file))).map((f) => `${path.join(dir, f.file)}: missing — copy or re-export the pack`)
      : [];
    out.push({
      id, dir,
      name: manifest?.name ?? raw.name ?? id,
      version: manifest?.version ?? raw.version ?? '?',
      valid: !!manifest && missing.length === 0,
      problems: [...problems, ...missing],
      ...(manifest ? { inputSize: manifest.input.size, license: manifest.license, source: manifest.source } : {}),
    });
  }
  return out;
}
