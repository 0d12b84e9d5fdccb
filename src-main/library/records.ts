/** Row shapes of the library tables and their mapping to the API records (src-shared/api/library.ts). */
import path from 'node:path';
import { PARAM_SPECS, PRESETS, SAMPLER_KEYS, hasPresetValues, type Method, type ParamSpec } from '../../src-shared/params';
import type { ArtefactKind, ArtefactRecord, ImageRecord, MaskRecord, ProjectRecord, RunSummary } from '../../src-shared/api/library';

/** The stored file's extension of each artefact kind (the asset protocol serves files by extension). */
export const ARTEFACT_EXT: Record<ArtefactKind, string> = { glb: 'glb', obj: 'obj', ply: 'ply', thumbnail: 'png' };

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * The sampler settings that change a run's output besides the seed and the pack-default steps and CFG
 * (shape samples, fit to mask, colour from photo): every such row of PARAM_SPECS, so a new one keys runs too.
 */
const OUTPUT_SETTINGS = (PARAM_SPECS as readonly ParamSpec[]).filter((s) => s.module === 'sampler' && !s.packDefault && s.key !== 'seed');

/**
 * `runs.input_key`: the runs that can serve as each other's baseline — same pack, image, masks and seed,
 * and the same output-changing sampler settings (shape samples, fit to mask with the masks it counted
 * beside the run, colour from photo: a run with them against a baseline without would count the setting as
 * acceleration error; at their defaults they add nothing), and the same steps and CFG strengths where
 * `params` has them. A run begins with only the ones the user set and finishes with all of them resolved
 * from its report: finishRun keys it again then, so two finished runs pair only when their steps and CFG
 * match (SS steps 12 against a baseline of 25 would count the steps as acceleration). A run finished
 * without resolved values (a report without params, runs recorded before reports carried them) keeps a
 * key without them and pairs only with runs like it. Migration 6 holds a frozen copy (keyV6): change both
 * together, with a new migration.
 */
export function runInputKey(
  packId: string,
  imageId: string,
  maskIds: readonly string[],
  seed: number,
  params: Record<string, unknown>,
  otherMaskIds: readonly string[] = [],
): string {
  // Each at its default adds nothing; fit to mask also names the masks it counted beside the run.
  const settings = OUTPUT_SETTINGS.map(({ key, default: d }) => {
    const v = params[key];
    if (typeof v !== typeof d || v === d) return '';
    if (v === true) return key === 'fitToMask' && otherMaskIds.length ? `|${key}=${[...otherMaskIds].sort().join(',')}` : `|${key}`;
    return `|${key}=${String(v)}`;
  }).join('');
  const sampler = SAMPLER_KEYS.filter((k) => typeof params[k] === 'number').map((k) => `|${k}=${params[k] as number}`).join('');
  return `${packId}|${imageId}|${maskIds.join(',')}|${seed}${settings}${sampler}`;
}

/**
 * The masks fit to mask counts beside a run's own: with `fitToMask` only, each once, never one of the
 * run's own. One rule for the job request, the run record and the archive import.
 */
export function fitContextMaskIds(params: Record<string, unknown>, maskIds: readonly string[], otherMaskIds: readonly string[] = []): string[] {
  if (params.fitToMask !== true) return [];
  const own = new Set(maskIds);
  return [...new Set(otherMaskIds)].filter((id) => !own.has(id));
}

/** Separator of tags in group_concat results (unit separator: cannot appear in a trimmed tag). */
export const TAG_SEP = '\u001f';

export interface ProjectRow {
  id: string; name: string; created_at: string; updated_at: string; deleted_at: string | null; tags: string | null;
}
export interface ImageRow {
  id: string; project_id: string; name: string; file: string; sha256: string; bytes: number; width: number;
  height: number; created_at: string; deleted_at: string | null; thumb_file: string | null;
}
export interface MaskRow {
  id: string; image_id: string; name: string; file: string; sha256: string; bytes: number; area: number; created_at: string;
}
export interface RunRow {
  id: string; project_id: string; image_id: string; status: RunStatus; kind: 'object' | 'scene'; job_id: string | null;
  pack_id: string; pack_name: string; pack_version: string; method: Method; params_json: string; seed: number;
  execution_provider: string; app_version: string; report_json: string | null; error: string | null;
  object_ms: number | null; created_at: string; started_at: string | null; finished_at: string | null;
  name: string; deleted_at: string | null; baseline_run_id: string | null; speedup: number | null;
  quality: number | null; metrics_json: string | null; schedule_json: string | null; input_key: string;
  /** Joined columns of the list query. */
  tags: string | null; mask_ids: string | null; thumb_id: string | null;
  /** The masks fit to mask counted beside the run (archive export only: a subselect of its own). */
  other_mask_ids?: string | null;
}
export interface ArtefactRow {
  id: string; run_id: string; kind: ArtefactKind; file: string; sha256: string; bytes: number; created_at: string;
}

export const splitTags = (s: string | null): string[] => (s ? s.split(TAG_SEP).sort((a, b) => a.localeCompare(b)) : []);

export function toProject(r: ProjectRow): ProjectRecord {
  return { id: r.id, name: r.name, createdAt: r.created_at, updatedAt: r.updated_at, tags: splitTags(r.tags), trashed: r.deleted_at !== null };
}

export function toImage(r: ImageRow): ImageRecord {
  return {
    id: r.id, projectId: r.project_id, name: r.name, width: r.width, height: r.height, sha256: r.sha256,
    createdAt: r.created_at, bytes: r.bytes, trashed: r.deleted_at !== null,
  };
}

export function toMask(r: MaskRow): MaskRecord {
  return { id: r.id, imageId: r.image_id, name: r.name, area: r.area, createdAt: r.created_at };
}

export function toArtefact(r: ArtefactRow, assetsDir: string): ArtefactRecord {
  return {
    id: r.id, runId: r.run_id, kind: r.kind, sha256: r.sha256, bytes: r.bytes, createdAt: r.created_at,
    path: path.join(assetsDir, r.file),
  };
}

function parseSchedule(json: string | null): RunSummary['schedule'] {
  if (!json) return null;
  try {
    const s = JSON.parse(json) as { ss?: { pattern?: unknown }; slat?: { pattern?: unknown } };
    return { ss: typeof s.ss?.pattern === 'string' ? s.ss.pattern : '', slat: typeof s.slat?.pattern === 'string' ? s.slat.pattern : '' };
  } catch {
    return null;
  }
}

/** A preset method whose stored acceleration values are not the preset's (baseline methods have no preset). */
function isTuned(method: string, paramsJson: string): boolean {
  if (!(method in PRESETS)) return false;
  try {
    return !hasPresetValues(method as keyof typeof PRESETS, JSON.parse(paramsJson) as Record<string, unknown>);
  } catch {
    return false;
  }
}

export function toRunSummary(r: RunRow): RunSummary {
  return {
    id: r.id, projectId: r.project_id, imageId: r.image_id, maskIds: r.mask_ids ? r.mask_ids.split(',') : [],
    name: r.name, kind: r.kind, status: r.status, packId: r.pack_id, packName: r.pack_name, packVersion: r.pack_version,
    method: r.method, seed: r.seed, executionProvider: r.execution_provider, appVersion: r.app_version,
    tuned: isTuned(r.method, r.params_json),
    objectMs: r.object_ms, speedup: r.speedup, quality: r.quality, baselineRunId: r.baseline_run_id,
    schedule: parseSchedule(r.schedule_json), error: r.error, createdAt: r.created_at, startedAt: r.started_at,
    finishedAt: r.finished_at, tags: splitTags(r.tags), trashed: r.deleted_at !== null, thumbnailId: r.thumb_id,
  };
}

/** SELECT of a run with its tags, ordered mask ids and thumbnail id (alias `r`; joins `p` and `i`). */
export const RUN_SELECT = `
  SELECT r.*,
    (SELECT group_concat(tag, char(31)) FROM run_tags t WHERE t.run_id = r.id) AS tags,
    (SELECT group_concat(mask_id, ',') FROM (SELECT mask_id FROM run_masks m WHERE m.run_id = r.id ORDER BY position)) AS mask_ids,
    (SELECT a.id FROM artefacts a WHERE a.run_id = r.id AND a.kind = 'thumbnail' LIMIT 1) AS thumb_id
  FROM runs r JOIN projects p ON p.id = r.project_id JOIN images i ON i.id = r.image_id`;

export const PROJECT_SELECT = `
  SELECT p.*, (SELECT group_concat(tag, char(31)) FROM project_tags t WHERE t.project_id = p.id) AS tags
  FROM projects p`;
