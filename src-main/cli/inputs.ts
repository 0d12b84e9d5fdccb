/** Resolve the CLI's --image / --mask / --mask-index / --masks-dir into decoded inputs. */
import { basename, extname } from 'node:path';
import { fileBaseName } from '../export/write-outputs';
import { PipelineInputError } from '../pipeline/errors';
import { conformMask, isSam3dFolder, loadImageFile, loadMaskFile, maskFromAlpha, maskOfIndex, readSam3dFolder } from '../pipeline/image';
import type { BinaryMask, DecodedImage, Sam3dFolder } from '../pipeline/image';
import { UsageError } from './exit-codes';
import { parseNumberFlag } from './numbers';

export interface ObjectInputs {
  image: DecodedImage;
  mask: BinaryMask;
  /** The mask's file, when the user named one (or the folder's N.png): messages about the mask name it. */
  maskFile?: string;
  /** The object's name (from --name, else from the input); files are named after fileBaseName(name). */
  name: string;
  /** True when `name` is the user's --name (taken as it is), false when it was made from the input. */
  named: boolean;
  warnings: string[];
  /** A SAM 3D folder's other masks (N.png): for fit to mask, which keeps what they may hide. */
  otherMaskFiles: { path: string; name: string }[];
}

function stem(path: string): string {
  return basename(path, extname(path));
}

/**
 * A path flag's value, refused when it is given but empty: an unset shell variable (`--mask "$MASK"`)
 * gives "", which would otherwise read as "flag left out" and run with something the user did not ask for.
 * `instead`: what to pass, or what leaving the flag out does.
 */
export function pathFlag(flag: string, value: unknown, instead: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.trim() === '') throw new UsageError(`${flag} is empty (an unset shell variable?); ${instead}.`);
  return value;
}

/** The mask conformed to the photo before the pack is opened, with the photo's size as the user has it. */
function fitted(mask: BinaryMask, image: DecodedImage, label: string): BinaryMask {
  return conformMask(mask, image.width, image.height, label, image.orientation, image.givenSize);
}

/** `infer`: a photo + mask file, a photo with alpha, or a SAM 3D folder (+ --mask-index, default 0). */
export async function resolveObjectInputs(o: {
  image?: string;
  mask?: string;
  maskIndex?: string;
  name?: string;
}): Promise<ObjectInputs> {
  pathFlag('--image', o.image, 'pass a photo, or a SAM 3D folder with image.png + 0.png, 1.png, …');
  if (!o.image)
    throw new UsageError('--image is required (a photo, or a SAM 3D folder with image.png + 0.png, 1.png, …)');
  pathFlag('--mask', o.mask, "pass a mask file (white = object on black), or leave the flag out to use the photo's transparency");
  if (o.mask && o.maskIndex !== undefined) throw new UsageError('give either --mask or --mask-index, not both');
  if (await isSam3dFolder(o.image)) {
    if (o.mask)
      throw new UsageError(`--image ${o.image} is a folder: with --mask, pass the photo file itself; a SAM 3D folder (image.png + 0.png, 1.png, …) takes --mask-index N instead`);
    const index =
      o.maskIndex === undefined ? 0 : parseNumberFlag('--mask-index', o.maskIndex, { integer: true, min: 0 });
    const folder = await readSam3dFolder(o.image, true);
    const warnings = [...folder.warnings];
    const chosen = maskOfIndex(folder, index, o.image);
    if (o.maskIndex === undefined && folder.masks.length > 1) {
      warnings.push(
        `The folder has ${folder.masks.length} masks; using ${chosen.file} (choose with --mask-index, or run "scene" for all).`,
      );
    }
    const [image, read] = await Promise.all([loadImageFile(folder.imagePath), loadMaskFile(chosen.path)]);
    const mask = fitted(read, image, `the mask "${chosen.path}"`);
    const otherMaskFiles = folder.masks.filter((m) => m !== chosen).map((m) => ({ path: m.path, name: m.file }));
    return { image, mask, maskFile: chosen.path, otherMaskFiles, ...objectName(o.name, `${basename(o.image)}-${index}`, warnings) };
  }
  if (o.maskIndex !== undefined)
    throw new UsageError('--mask-index needs --image to be a SAM 3D folder (image.png + 0.png, 1.png, …)');
  const warnings: string[] = [];
  const image = await loadImageFile(o.image);
  let mask: BinaryMask | null;
  // Labelled as the run labels them (pipeline/run.ts maskLabel): its own check then adds no second warning.
  if (o.mask) mask = fitted(await loadMaskFile(o.mask), image, `the mask "${o.mask}"`);
  else {
    mask = maskFromAlpha(image);
    if (!mask)
      throw new PipelineInputError(
        'NO_MASK',
        `"${o.image}" has no transparency to use as the mask; pass --mask FILE (white = object) or an RGBA cutout.`,
      );
    warnings.push('Using the image alpha channel as the mask.'); // of the photo's size: the run checks the rest
  }
  // Named after the photo and, with --mask, the mask too: two masks of one photo do not write one file.
  const fromInput = o.mask ? `${stem(o.image)}-${stem(o.mask)}` : stem(o.image);
  return { image, mask, ...(o.mask ? { maskFile: o.mask } : {}), otherMaskFiles: [], ...objectName(o.name, fromInput, warnings) };
}

/** An output file's extension at the end of --name ("mug.glb"): the files add their own. */
const OUTPUT_EXTENSION = /\.(glb|obj|mtl|ply)$/i;

/**
 * --name (without an output extension it ends in: `mug.glb` names `mug.glb`, not `mug.glb.glb`), unless
 * nothing of it is left in a file name (then the name from the input, with a warning).
 */
function objectName(
  raw: string | undefined,
  fromInput: string,
  warnings: string[],
): { name: string; named: boolean; warnings: string[] } {
  const given = raw?.replace(OUTPUT_EXTENSION, '');
  if (given === undefined) return { name: fromInput, named: false, warnings };
  if (fileBaseName(given, '') !== '') return { name: given, named: true, warnings };
  return {
    name: fromInput,
    named: false,
    warnings: [...warnings, `--name "${raw}" has nothing usable in a file name; using "${fromInput}".`],
  };
}

export interface SceneInputs {
  image: DecodedImage;
  masks: { mask: BinaryMask; name: string; maskFile: string }[];
  name: string;
  /** True when `name` is the user's --name. */
  named: boolean;
  warnings: string[];
}

/** `scene`: a photo + --masks-dir (0.png, 1.png, …), or a SAM 3D folder. */
export async function resolveSceneInputs(o: {
  image?: string;
  masksDir?: string;
  name?: string;
}): Promise<SceneInputs> {
  pathFlag('--image', o.image, 'pass a photo with --masks-dir, or a SAM 3D folder');
  if (!o.image) throw new UsageError('--image is required (a photo with --masks-dir, or a SAM 3D folder)');
  pathFlag('--masks-dir', o.masksDir, 'pass a folder with 0.png, 1.png, … (one mask per object), or leave the flag out with a SAM 3D folder as --image');
  let imagePath = o.image;
  let listed: Sam3dFolder;
  if (await isSam3dFolder(o.image)) {
    const folder = await readSam3dFolder(o.image, true);
    imagePath = folder.imagePath;
    listed = o.masksDir !== undefined ? await readSam3dFolder(o.masksDir, false) : folder;
  } else {
    if (!o.masksDir)
      throw new UsageError('scene needs --masks-dir D (a folder with 0.png, 1.png, …) or a SAM 3D folder as --image');
    listed = await readSam3dFolder(o.masksDir, false);
  }
  const image = await loadImageFile(imagePath);
  const masks = await Promise.all(
    listed.masks.map(async (m) => ({
      mask: fitted(await loadMaskFile(m.path), image, `the mask "${m.path}"`),
      name: `object-${m.index}`,
      maskFile: m.path,
    })),
  );
  const fromInput = imagePath === o.image ? stem(o.image) : basename(o.image);
  return { image, masks, ...objectName(o.name, fromInput, listed.warnings) };
}
