/**
 * SAM 3D Objects' input folder convention: `image.png` plus `0.png`, `1.png`, … — one RGBA cutout per
 * object (object RGB inside, white outside, alpha = mask).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PipelineInputError } from '../errors';

/** One mask of a folder: `N.png` (any case, any zero padding: 0.PNG and 00.png are mask 0). */
export interface Sam3dMask {
  index: number;
  /** File name as found in the folder. */
  file: string;
  path: string;
}

export interface Sam3dFolder {
  /** image.png / .jpg / .webp; '' in a bare masks folder (`requireImage` false). */
  imagePath: string;
  /** The masks by index, ascending (0.png, 1.png, …). */
  masks: Sam3dMask[];
  /** Files named like a mask that are not PNG (skipped), one line each. */
  warnings: string[];
}

export async function isSam3dFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * List a SAM 3D folder (or a bare masks folder when `requireImage` is false), the one reading of the
 * convention for the CLI, the library's folder import and the benchmark: masks `0.png, 1.png, …` (case
 * and zero padding do not matter); a file named like a mask in another format (`2.jpg`) is skipped with a
 * warning that names it; two files of one index, or two photos (image.png and image.jpg), are an error.
 */
export async function readSam3dFolder(dir: string, requireImage = true): Promise<Sam3dFolder> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    throw new PipelineInputError(
      'UNREADABLE_FILE',
      `the folder "${dir}" cannot be read; pass a folder with image.png and 0.png, 1.png, …`,
    );
  }
  const photos = names.filter((n) => /^image\.(png|jpe?g|webp)$/i.test(n));
  // Two photos (image.png and image.jpg): the masks were made on one of them, and which one only the user
  // knows. Taking either silently could reconstruct from the other photo; say so, as for two masks of one index.
  if (requireImage && photos.length > 1) {
    throw new PipelineInputError(
      'UNREADABLE_FILE',
      `the folder "${dir}" has ${photos.length} photos (${photos.map((n) => `"${n}"`).join(', ')}); keep only the one the masks were made on (SAM 3D reads image.png).`,
    );
  }
  const imageName = photos[0];
  if (requireImage && !imageName) {
    const heic = names.find((n) => /^image\.(heic|heif)$/i.test(n)); // an iPhone photo, copied as it was
    throw new PipelineInputError(
      'UNREADABLE_FILE',
      heic
        ? `the folder "${dir}" has "${heic}", a HEIC photo, which this app cannot read; export it as image.jpg or image.png (on iPhone: Settings › Camera › Formats › Most Compatible, or share it as JPEG).`
        : `the folder "${dir}" has no image.png; a SAM 3D folder holds image.png plus 0.png, 1.png, … mask cutouts.`,
    );
  }
  const masks: Sam3dMask[] = [];
  const warnings: string[] = [];
  for (const file of names) {
    const m = /^(\d+)\.([^.]+)$/.exec(file);
    if (!m) continue;
    const index = Number(m[1]);
    if (m[2].toLowerCase() !== 'png') {
      warnings.push(`Skipped "${join(dir, file)}": it is named like mask ${index} but masks must be PNG files (${index}.png).`);
      continue;
    }
    const twin = masks.find((x) => x.index === index);
    if (twin) {
      throw new PipelineInputError(
        'AMBIGUOUS_MASK',
        `"${twin.file}" and "${file}" in "${dir}" are both mask ${index}; keep one of them (or renumber).`,
      );
    }
    masks.push({ index, file, path: join(dir, file) });
  }
  masks.sort((a, b) => a.index - b.index);
  if (masks.length === 0) {
    throw new PipelineInputError('NO_MASK', `the folder "${dir}" has no mask files (0.png, 1.png, …).`);
  }
  return { imagePath: imageName ? join(dir, imageName) : '', masks, warnings };
}

/** The mask of index `maskIndex` in a SAM 3D folder (MASK_INDEX_OUT_OF_RANGE, listing the masks there, if none). */
export function maskOfIndex(folder: Sam3dFolder, maskIndex: number, dir: string): Sam3dMask {
  const found = folder.masks.find((m) => m.index === maskIndex);
  if (!found) {
    throw new PipelineInputError(
      'MASK_INDEX_OUT_OF_RANGE',
      `mask index ${maskIndex} does not exist in "${dir}" (found ${folder.masks.length} masks: ${folder.masks.map((m) => m.file).join(', ')}).`,
    );
  }
  return found;
}

/** The mask file of index `maskIndex` in a SAM 3D folder. */
export function maskAt(folder: Sam3dFolder, maskIndex: number, dir: string): string {
  return maskOfIndex(folder, maskIndex, dir).path;
}
