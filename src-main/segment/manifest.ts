/**
 * The segmentation pack manifest (docs/segmentation-pack.md, format fastsam3d-segpack/1): schema and
 * reading. Every problem names the file and says what to do.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';

export const SEG_PACK_FORMAT = 'fastsam3d-segpack/1';
export const SEG_PACK_DOC = 'docs/segmentation-pack.md';

/** A pack file: a plain relative path inside the pack folder (no escaping it) and its sha256. */
const FileRef = z.object({
  file: z.string().min(1).refine((f) => !isAbsolute(f) && !f.split(/[\\/]/).includes('..'), 'must be a path inside the pack folder'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
});

const Rgb = z.tuple([z.number().finite(), z.number().finite(), z.number().finite()]);

export const SegManifestSchema = z.object({
  format: z.literal(SEG_PACK_FORMAT),
  name: z.string().min(1),
  version: z.string().min(1),
  license: z.string().optional(),
  source: z.string().optional(),
  input: z.object({
    size: z.number().int().min(16).max(4096),
    mean: Rgb,
    std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  }),
  embedding: z.object({ channels: z.number().int().positive(), size: z.number().int().positive() }),
  maskInputSize: z.number().int().positive(),
  files: z.object({ encoder: FileRef, decoder: FileRef }),
  metrics: z.record(z.string(), z.unknown()).optional(),
});
export type SegManifest = z.infer<typeof SegManifestSchema>;
export type SegRole = keyof SegManifest['files'];
export const SEG_ROLES: readonly SegRole[] = ['encoder', 'decoder'];

export interface SegManifestRead {
  manifest: SegManifest | null;
  /** Raw name/version/format, for listing a pack whose manifest does not validate. */
  raw: { name?: string; version?: string; format?: string };
  problems: string[];
}

/** Read and schema-check `<dir>/manifest.json`. Never throws for pack problems. */
export async function readSegManifest(dir: string): Promise<SegManifestRead> {
  const file = join(dir, 'manifest.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      manifest: null, raw: {},
      problems: [missing
        ? `${file}: missing — a segmentation pack folder holds manifest.json, encoder.onnx and decoder.onnx (${SEG_PACK_DOC})`
        : `${file}: not valid JSON (${(err as Error).message}) — re-export the pack with tools/`],
    };
  }
  const r = (json ?? {}) as Record<string, unknown>;
  const raw = {
    name: typeof r.name === 'string' ? r.name : undefined,
    version: typeof r.version === 'string' ? r.version : undefined,
    format: typeof r.format === 'string' ? r.format : undefined,
  };
  if (r.format !== SEG_PACK_FORMAT) {
    return {
      manifest: null, raw,
      problems: [`${file}: format is ${JSON.stringify(r.format)}, this version reads "${SEG_PACK_FORMAT}" — update the app or re-export the pack (${SEG_PACK_DOC})`],
    };
  }
  const parsed = SegManifestSchema.safeParse(json);
  if (!parsed.success) {
    return { manifest: null, raw, problems: parsed.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`) };
  }
  return { manifest: parsed.data, raw, problems: [] };
}
