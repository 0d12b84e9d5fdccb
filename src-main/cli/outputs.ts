/** Parsing of the output flags; the writing itself is the export module's writeOutputs / writeSceneOutputs. */
import { UsageError } from './exit-codes';
import type { ExportFormat } from '../export';

export const FORMATS: readonly ExportFormat[] = ['glb', 'obj', 'ply'];

export function parseFormats(v: string | undefined): ExportFormat[] {
  const list = (v ?? 'glb')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const f of list)
    if (!(FORMATS as readonly string[]).includes(f))
      throw new UsageError(`--format: unknown format "${f}" (use glb, obj, ply, comma-separated)`);
  if (list.length === 0) throw new UsageError('--format needs at least one of glb, obj, ply');
  return [...new Set(list)] as ExportFormat[];
}

export function parseTargetTriangles(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 4) throw new UsageError(`--target-triangles needs an integer ≥ 4, got "${v}"`);
  return n;
}
