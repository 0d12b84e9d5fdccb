/** Checks a Mesh before any writer touches the disk, so bad input never produces a file. */
import { NoSurfaceError } from '../pipeline/surface';
import type { Mesh } from '../pipeline/types';

export class ExportInputError extends Error {
  override readonly name = 'ExportInputError';
}

export function assertExportableMesh(mesh: Mesh, what = 'mesh'): void {
  const V = mesh.positions.length / 3;
  if (!Number.isInteger(V))
    throw new ExportInputError(`${what}: positions has ${mesh.positions.length} values, not a multiple of 3`);
  if (mesh.indices.length === 0 || V === 0)
    throw new NoSurfaceError(`No surface found for ${what}: it has no triangles, so there is nothing to export.`);
  if (mesh.indices.length % 3 !== 0)
    throw new ExportInputError(`${what}: indices has ${mesh.indices.length} values, not a multiple of 3`);
  if (mesh.colors.length !== mesh.positions.length)
    throw new ExportInputError(
      `${what}: colors has ${mesh.colors.length} values, expected ${mesh.positions.length} (3 per vertex)`,
    );
  if (mesh.normals && mesh.normals.length !== mesh.positions.length)
    throw new ExportInputError(`${what}: normals has ${mesh.normals.length} values, expected ${mesh.positions.length}`);
  for (let i = 0; i < mesh.indices.length; i++) {
    if (mesh.indices[i] >= V)
      throw new ExportInputError(
        `${what}: triangle ${Math.floor(i / 3)} refers to vertex ${mesh.indices[i]}, but there are only ${V}`,
      );
  }
  for (let i = 0; i < mesh.positions.length; i++) {
    if (!Number.isFinite(mesh.positions[i]))
      throw new ExportInputError(`${what}: vertex ${Math.floor(i / 3)} has a non-finite coordinate`);
  }
}
