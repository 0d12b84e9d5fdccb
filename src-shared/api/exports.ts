/** Export of finished runs (owner: src-main/export). Handlers in src-main/api/exports.ts. */
import { z } from 'zod';
import { Id } from './common';

export const ExportFormat = z.enum(['glb', 'obj', 'ply']);

export const exportMethods = {
  'export.run': {
    req: z.object({
      runId: Id,
      formats: z.array(ExportFormat).min(1),
      posed: z.boolean().default(false),
      targetTriangles: z.number().int().positive().optional(),
      /** Folder to write into; the library's export folder when absent. */
      dir: z.string().optional(),
    }),
    res: z.object({ files: z.array(z.object({ path: z.string(), format: ExportFormat, bytes: z.number().int() })) }),
  },
} as const;
