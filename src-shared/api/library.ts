/**
 * Project library (owner: the library module, src-main/library). Projects → images → masks → runs →
 * artefacts. Extend here; the handlers live in src-main/api/library.ts.
 */
import { z } from 'zod';
import { Base64, Id } from './common';

export const ImageRecord = z.object({
  id: Id, projectId: Id, name: z.string(), width: z.number().int(), height: z.number().int(),
  sha256: z.string(), createdAt: z.string(),
});
export type ImageRecord = z.infer<typeof ImageRecord>;

export const MaskRecord = z.object({
  id: Id, imageId: Id, name: z.string(), area: z.number().int(), createdAt: z.string(),
});
export type MaskRecord = z.infer<typeof MaskRecord>;

export const libraryMethods = {
  'images.import': {
    req: z.object({ projectId: Id.optional(), name: z.string().min(1).max(255), data: Base64 }),
    res: z.object({ image: ImageRecord, masks: z.array(MaskRecord) }),
  },
  'masks.save': {
    req: z.object({ imageId: Id, name: z.string().min(1).max(255), png: Base64 }),
    res: MaskRecord,
  },
} as const;
