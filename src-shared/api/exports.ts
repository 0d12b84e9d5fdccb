/** Export of finished runs (owner: src-main/export). Handlers in src-main/api/exports.ts. */
import { z } from 'zod';
import { AbsolutePath, Id } from './common';

export const ExportFormat = z.enum(['glb', 'obj', 'ply']);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const ExportRunRequest = z.object({
  runId: Id,
  formats: z.array(ExportFormat).min(1),
  /** Place each object in the photo's camera frame (layout applied) instead of its canonical frame. */
  posed: z.boolean().default(false),
  /** Simplify each mesh to at most this many triangles (meshoptimizer, colours kept). */
  targetTriangles: z.number().int().min(4).max(50_000_000).optional(),
  /**
   * Folder to write into; the library's export folder (<data>/exports/<run id>) when absent. Files of the
   * same name already there are replaced (each one comes back with `replaced: true`).
   */
  dir: AbsolutePath.optional(),
});

export const ExportedFile = z.object({
  path: z.string(),
  /** The format the file belongs to (an OBJ's MTL counts as obj, the scene file as glb). */
  format: ExportFormat,
  bytes: z.number().int(),
  /** object: one object's mesh; material: an OBJ's MTL; scene: all objects + the photo camera. */
  role: z.enum(['object', 'material', 'scene']).default('object'),
  /** The object (mask) name, or "scene". */
  object: z.string().optional(),
  /** A file of that name was already in the folder and has been replaced by this one. */
  replaced: z.boolean().optional(),
});
export type ExportedFile = z.infer<typeof ExportedFile>;

export const exportMethods = {
  'export.run': {
    req: ExportRunRequest,
    res: z.object({ dir: z.string().optional(), files: z.array(ExportedFile) }),
  },
} as const;
