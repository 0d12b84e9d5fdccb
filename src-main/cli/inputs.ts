/** Resolve the CLI's --image / --mask / --mask-index / --masks-dir into decoded inputs. */
import { basename, extname } from 'node:path';
import { PipelineInputError } from '../pipeline/errors';
import { isSam3dFolder, loadImageFile, loadMaskFile, maskAt, maskFromAlpha, readSam3dFolder } from '../pipeline/image';
import type { BinaryMask, DecodedImage } from '../pipeline/image';
import { UsageError } from './exit-codes';

export interface ObjectInputs {
  image: DecodedImage;
  mask: BinaryMask;
  name: string;
  warnings: string[];
}

function stem(path: string): string {
  return basename(path, extname(path));
}

/** `infer`: a photo + mask file, a photo with alpha, or a SAM 3D folder (+ --mask-index, default 0). */
export async function resolveObjectInputs(o: {
  image?: string;
  mask?: string;
  maskIndex?: string;
  name?: string;
}): Promise<ObjectInputs> {
  if (!o.image)
    throw new UsageError('--image is required (a photo, or a SAM 3D folder with image.png + 0.png, 1.png, …)');
  if (o.mask && o.maskIndex !== undefined) throw new UsageError('give either --mask or --mask-index, not both');
  const warnings: string[] = [];
  if (await isSam3dFolder(o.image)) {
    if (o.mask)
      throw new UsageError('--image is a SAM 3D folder: choose its mask with --mask-index N instead of --mask');
    const folder = await readSam3dFolder(o.image);
    const index = o.maskIndex === undefined ? 0 : parseIndex(o.maskIndex);
    if (o.maskIndex === undefined && folder.maskPaths.length > 1) {
      warnings.push(
        `The folder has ${folder.maskPaths.length} masks; using 0.png (choose with --mask-index, or run "scene" for all).`,
      );
    }
    const maskPath = maskAt(folder, index, o.image);
    const [image, mask] = await Promise.all([loadImageFile(folder.imagePath), loadMaskFile(maskPath)]);
    return { image, mask, name: o.name ?? `${basename(o.image)}-${index}`, warnings };
  }
  if (o.maskIndex !== undefined)
    throw new UsageError('--mask-index needs --image to be a SAM 3D folder (image.png + 0.png, 1.png, …)');
  const image = await loadImageFile(o.image);
  let mask: BinaryMask | null;
  if (o.mask) mask = await loadMaskFile(o.mask);
  else {
    mask = maskFromAlpha(image);
    if (!mask)
      throw new PipelineInputError(
        'NO_MASK',
        `"${o.image}" has no transparency to use as the mask; pass --mask FILE (white = object) or an RGBA cutout.`,
      );
    warnings.push('Using the image alpha channel as the mask.');
  }
  return { image, mask, name: o.name ?? stem(o.image), warnings };
}

function parseIndex(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--mask-index needs a non-negative integer, got "${v}"`);
  return n;
}

export interface SceneInputs {
  image: DecodedImage;
  masks: { mask: BinaryMask; name: string }[];
  name: string;
}

/** `scene`: a photo + --masks-dir (0.png, 1.png, …), or a SAM 3D folder. */
export async function resolveSceneInputs(o: {
  image?: string;
  masksDir?: string;
  name?: string;
}): Promise<SceneInputs> {
  if (!o.image) throw new UsageError('--image is required (a photo with --masks-dir, or a SAM 3D folder)');
  let imagePath = o.image;
  let maskPaths: string[];
  if (await isSam3dFolder(o.image)) {
    const folder = await readSam3dFolder(o.image);
    imagePath = folder.imagePath;
    maskPaths = o.masksDir ? (await readSam3dFolder(o.masksDir, false)).maskPaths : folder.maskPaths;
  } else {
    if (!o.masksDir)
      throw new UsageError('scene needs --masks-dir D (a folder with 0.png, 1.png, …) or a SAM 3D folder as --image');
    maskPaths = (await readSam3dFolder(o.masksDir, false)).maskPaths;
  }
  const image = await loadImageFile(imagePath);
  const masks = await Promise.all(
    maskPaths.map(async (p) => ({ mask: await loadMaskFile(p), name: `object-${stem(p)}` })),
  );
  return { image, masks, name: o.name ?? (imagePath === o.image ? stem(o.image) : basename(o.image)) };
}
