/**
 * Model packs available to the app: every folder with a manifest.json under the pack roots (the app's
 * bundled models/ and the data dir's models/). A pack whose manifest does not validate is still listed,
 * with its problems, so the user sees why it cannot be used.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SamplerDefaults } from '../../src-shared/params';
import { ManifestSchema, ROLES } from '../pipeline/pack/manifest-schema';
import { contractProblems, manifestReadProblem } from '../pipeline/pack/validate';
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
  const invalid = (problem: string): PackEntry => ({ id, name: id, version: '?', dir, kind: '?', valid: false, problems: [problem] });
  let text: string;
  try {
    text = fs.readFileSync(manifestPath, 'utf8');
  } catch (err) {
    return invalid(manifestReadProblem(dir, 'manifest.json', err as NodeJS.ErrnoException));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return invalid(`manifest.json is not valid JSON: ${(err as Error).message} — the file is damaged; copy or re-export the pack`);
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
  // What can be checked without reading the ONNX files (the sha256 is checked when a job opens the pack,
  // and by `fastsam3d pack validate`): the manifest's I/O against the contract, and every file present,
  // a regular file and not empty (a cut-short copy).
  const problems: string[] = contractProblems(parsed.data);
  for (const role of ROLES) {
    const file = parsed.data.files[role].path;
    let st: fs.Stats;
    try {
      st = fs.statSync(path.join(dir, file));
    } catch {
      problems.push(`${role}: file ${file} is missing — the pack is incomplete; copy or re-export it`);
      continue;
    }
    if (!st.isFile()) problems.push(`${role}: ${file} is not a file`);
    else if (st.size === 0) problems.push(`${role}: ${file} is empty (0 bytes) — the copy was cut short; copy or re-export the pack`);
  }
  return {
    ...base, valid: problems.length === 0, problems,
    cameraFovDeg: parsed.data.camera.fovDeg, samplerDefaults: packSamplerDefaults(parsed.data),
  };
}
