/**
 * Model packs available to the app: every folder with a manifest.json under the pack roots (the app's
 * bundled models/ and the data dir's models/). A pack whose manifest does not validate is still listed,
 * with its problems, so the user sees why it cannot be used.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SamplerDefaults } from '../../src-shared/params';
import { ManifestSchema } from '../pipeline/pack/manifest-schema';
import { packSamplerDefaults } from '../pipeline/params-resolve';
import { isSegPackFolder } from '../segment/discover';
import { packFolders } from './pack-folders';

export interface PackEntry {
  id: string;
  name: string;
  version: string;
  dir: string;
  kind: string;
  valid: boolean;
  problems: string[];
  /** Manifest `camera.fovDeg` (validated manifests only). */
  cameraFovDeg?: number;
  /** The sampler settings the manifest sets (validated manifests only): what "pack" means in the UI. */
  samplerDefaults?: SamplerDefaults;
}

/** 3D packs only: segmentation packs (docs/segmentation-pack.md) live in the same folders and are
 * listed by segment/discover.ts, not here as invalid 3D packs. */
export function scanPacks(roots: string[]): PackEntry[] {
  return packFolders(roots)
    .filter((f) => !isSegPackFolder(f.dir, f.id))
    .map((f) => readPack(f.id, f.dir, f.manifestPath));
}

function readPack(id: string, dir: string, manifestPath: string): PackEntry {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch (err) {
    return { id, name: id, version: '?', dir, kind: '?', valid: false, problems: [`manifest.json is not valid JSON: ${(err as Error).message}`] };
  }
  const parsed = ManifestSchema.safeParse(raw);
  const r = raw as { name?: unknown; version?: unknown; source?: { kind?: unknown } };
  const base = {
    id, dir,
    name: typeof r?.name === 'string' ? r.name : id,
    version: typeof r?.version === 'string' ? r.version : '?',
    kind: typeof r?.source?.kind === 'string' ? r.source.kind : '?',
  };
  if (!parsed.success) {
    return { ...base, valid: false, problems: parsed.error.issues.map((i) => `manifest.json ${i.path.join('.') || '(root)'}: ${i.message}`) };
  }
  const problems: string[] = [];
  const files = (parsed.data as { files?: Record<string, { path?: string }> }).files ?? {};
  for (const [role, f] of Object.entries(files)) {
    if (f?.path && !fs.existsSync(path.join(dir, f.path))) problems.push(`${role}: file ${f.path} is missing`);
  }
  return {
    ...base, valid: problems.length === 0, problems,
    cameraFovDeg: parsed.data.camera.fovDeg, samplerDefaults: packSamplerDefaults(parsed.data),
  };
}
