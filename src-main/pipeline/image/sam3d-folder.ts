/**
 * SAM 3D Objects' input folder convention: `image.png` plus `0.png`, `1.png`, … — one RGBA cutout per
 * object (object RGB inside, white outside, alpha = mask).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PipelineInputError } from '../errors';

export interface Sam3dFolder {
  imagePath: string;
  /** Mask files in index order (0.png, 1.png, …). */
  maskPaths: string[];
}

export async function isSam3dFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** List a SAM 3D folder (or a bare masks folder when `requireImage` is false). */
export async function readSam3dFolder(dir: string, requireImage = true): Promise<Sam3dFolder> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new PipelineInputError(
      'UNREADABLE_FILE',
      `the folder "${dir}" cannot be read; pass a folder with image.png and 0.png, 1.png, …`,
    );
  }
  const imageName = names.find((n) => /^image\.(png|jpe?g|webp)$/i.test(n));
  if (requireImage && !imageName) {
    throw new PipelineInputError(
      'UNREADABLE_FILE',
      `the folder "${dir}" has no image.png; a SAM 3D folder holds image.png plus 0.png, 1.png, … mask cutouts.`,
    );
  }
  const masks = names
    .map((n) => /^(\d+)\.png$/i.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ index: Number(m[1]), name: m[0] }))
    .sort((a, b) => a.index - b.index);
  if (masks.length === 0) {
    throw new PipelineInputError('NO_MASK', `the folder "${dir}" has no mask files (0.png, 1.png, …).`);
  }
  return { imagePath: imageName ? join(dir, imageName) : '', maskPaths: masks.map((m) => join(dir, m.name)) };
}

/** The mask file of index `maskIndex` in a SAM 3D folder. */
export function maskAt(folder: Sam3dFolder, maskIndex: number, dir: string): string {
  const name = `${maskIndex}.png`;
  const path = folder.maskPaths.find((p) => p.endsWith(`/${name}`) || p.endsWith(`\\${name}`));
  if (!path) {
    throw new PipelineInputError(
      'MASK_INDEX_OUT_OF_RANGE',
      `mask index ${maskIndex} does not exist in "${dir}" (found ${folder.maskPaths.length} masks: ${folder.maskPaths.map((p) => p.split(/[\\/]/).pop()).join(', ')}).`,
    );
  }
  return path;
}
