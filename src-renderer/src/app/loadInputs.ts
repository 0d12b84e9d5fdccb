/**
 * Turning what the user handed over (files, a library image, a reopened run) into the editor's image
 * and masks. DOM decoding lives here so App stays about layout and flow.
 */
import type { ProjectSummary, StudioApi } from '../../../src-shared/api';
import { decodeImageBlob, type DecodedRgba } from '../image/decode';
import { MaskImageProblem, maskArea, maskFromMaskImage, type BitMask } from '../mask/bitmask';
import { base64ToBytes, bytesToBase64 } from '../mask/png';
import { classifyInputFiles } from '../mask/pick';

export interface LoadedImage extends DecodedRgba {
  id: string;
  name: string;
}

export interface LoadedMask { name: string; mask: BitMask; savedId?: string }

/**
 * A mask file read by the pipeline's rule (src-shared/mask-rule.ts), with its warnings (a 0/1 or a red
 * mask: how it was read). Throws MaskImageProblem for a file that is not a mask, an Error for one of
 * another size than the photo.
 */
async function decodeMask(blob: Blob, name: string, image: DecodedRgba): Promise<{ mask: BitMask; warnings: string[] }> {
  const d = await decodeImageBlob(blob, name);
  if (d.width !== image.width || d.height !== image.height) {
    throw new Error(`Mask “${name}” is ${d.width}×${d.height} but the image is ${image.width}×${image.height}. Use a mask made for this image.`);
  }
  return maskFromMaskImage(d.rgba, d.width, d.height, `“${name}”`);
}

const pngBlob = (b64: string) => new Blob([base64ToBytes(b64) as BlobPart], { type: 'image/png' });

/**
 * Files from the open dialog, a drop or a paste: import the photo into the library, read mask files. A
 * photo already in the library is reopened, not copied (`reusedFrom`: its project), with its saved masks
 * unless mask files came with it. `skipped`: mask files left out and why (selecting nothing, not a mask);
 * `warnings`: how mask files were read when not plain white on black (0/1, a red mask).
 */
export async function loadFromFiles(api: StudioApi, files: File[]): Promise<{ image: LoadedImage; masks: LoadedMask[]; reusedFrom?: ProjectSummary; skipped: string[]; warnings: string[] }> {
  const { image: file, masks: maskFiles } = classifyInputFiles(files);
  if (!file) throw new Error(`None of ${files.map((f) => `“${f.name}”`).join(', ')} is an image. Open a PNG, JPEG or WebP photo.`);
  const decoded = await decodeImageBlob(file, file.name);
  const bytes = new Uint8Array(await file.arrayBuffer());
  // A pasted image has no useful name; a file from a dropped/chosen folder keeps its folder
  // ("mug/image.png"), which is what tells SAM 3D example images apart in the library.
  const name = file.webkitRelativePath || file.name || 'pasted image.png';
  const { image, masks: stored, reused } = await api.invoke('images.import', { name, data: bytesToBase64(bytes), reuse: true });
  const masks: LoadedMask[] = [];
  // A mask file that selects nothing (all black, all transparent) is left out and said, not ticked at 0 px.
  const skipped: string[] = [];
  const warnings: string[] = [];
  for (const f of maskFiles) {
    let read: { mask: BitMask; warnings: string[] };
    try {
      read = await decodeMask(f, f.name, decoded);
    } catch (e) {
      // Not a mask (the photo passed as one, a label map): refused in the pipeline's words, and left out.
      if (!(e instanceof MaskImageProblem)) throw e;
      skipped.push(`${e.message} It was left out.`);
      continue;
    }
    const { mask } = read;
    warnings.push(...read.warnings);
    if (maskArea(mask) === 0) skipped.push(`Mask “${f.name}” selects nothing (no white or opaque pixels), so it was left out; use the object's mask (white on black, or an RGBA cut-out).`);
    else masks.push({ name: f.name.replace(/\.png$/i, ''), mask });
  }
  if (masks.length === 0) {
    // Masks the library found on import (e.g. from the photo's alpha) are offered as they are.
    for (const m of stored) masks.push({ name: m.name, mask: (await decodeMask(pngBlob((await api.invoke('masks.read', { maskId: m.id })).png), m.name, decoded)).mask, savedId: m.id });
  }
  const reusedFrom = reused ? await api.invoke('projects.get', { projectId: image.projectId }) : undefined;
  return { image: { ...decoded, id: image.id, name: image.name }, masks, reusedFrom, skipped, warnings };
}

/** A library image with its saved masks. */
export async function loadFromLibrary(api: StudioApi, imageId: string, onlyMaskIds?: string[]): Promise<{ image: LoadedImage; masks: LoadedMask[] }> {
  const { image, data, mime } = await api.invoke('images.read', { imageId });
  const decoded = await decodeImageBlob(new Blob([base64ToBytes(data) as BlobPart], { type: mime }), image.name);
  const records = await api.invoke('masks.list', { imageId });
  const wanted = onlyMaskIds ? records.filter((m) => onlyMaskIds.includes(m.id)) : records;
  const masks: LoadedMask[] = [];
  for (const m of wanted) {
    const { png } = await api.invoke('masks.read', { maskId: m.id });
    // Saved masks are written white on black (encodeMaskPng): nothing to say of how they were read.
    masks.push({ name: m.name, mask: (await decodeMask(pngBlob(png), m.name, decoded)).mask, savedId: m.id });
  }
  return { image: { ...decoded, id: image.id, name: image.name }, masks };
}

/**
 * The ids of the masks the library holds for image `id`, or null once the image is gone for good (its
 * project's trash was emptied while the photo was open here): masks.list answers NOT_FOUND then.
 */
export async function heldMaskIds(api: StudioApi, imageId: string): Promise<Set<string> | null> {
  try {
    return new Set((await api.invoke('masks.list', { imageId })).map((m) => m.id));
  } catch (e) {
    if ((e as { code?: unknown }).code === 'NOT_FOUND') return null;
    throw e;
  }
}

/**
 * The editor's photo added to the library again from its pixels (a PNG: the file it came from may be
 * gone too), under its name, so the work in the editor can still run. Its masks are saved by the run.
 */
export async function reimportPhoto(api: StudioApi, image: LoadedImage): Promise<LoadedImage> {
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot create a 2D canvas to add the photo back to the library.');
  ctx.putImageData(new ImageData(new Uint8ClampedArray(image.rgba), image.width, image.height), 0, 0);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('The photo could not be encoded to add it back to the library.');
  const data = bytesToBase64(new Uint8Array(await blob.arrayBuffer()));
  const { image: rec } = await api.invoke('images.import', { name: image.name, data, reuse: true });
  return { ...image, id: rec.id, name: rec.name };
}
