/**
 * Which file an encode/predict request means, and the content hash its embedding is cached under: a
 * library image (its stored sha256) or an image file given by path (hashed, cached per size + mtime).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { sha256File } from '../pipeline/pack/validate';
import { SegmentError } from './errors';

export interface SegImageRef { imageId?: string; path?: string }
export interface ResolvedImage { path: string; sha256: string }
export type ImageResolver = (ref: SegImageRef) => Promise<ResolvedImage>;

/** What the resolver needs from the library (src-main/library's Library has it). */
export interface ImageLibrary {
  getImage(id: string): { sha256: string };
  imagePath(id: string): string;
}

export function imageResolver(library: ImageLibrary | null): ImageResolver {
  return async (ref) => {
    if (ref.imageId !== undefined) {
      if (!library) throw new SegmentError('UNAVAILABLE', 'The project library is not available, so images cannot be segmented by id; pass a path.');
      const { sha256 } = library.getImage(ref.imageId); // NOT_FOUND-coded error for an unknown id
      return { path: library.imagePath(ref.imageId), sha256 };
    }
    if (ref.path === undefined) throw new SegmentError('BAD_REQUEST', 'Give imageId (a library image) or path (an image file).');
    const file = path.resolve(ref.path);
    try {
      if (!(await stat(file)).isFile()) throw new SegmentError('BAD_REQUEST', `"${file}" is a folder, not an image file; pass the path of a PNG, JPEG or WebP file.`);
    } catch (err) {
      if (err instanceof SegmentError) throw err;
      throw new SegmentError('BAD_REQUEST', `"${file}" does not exist or cannot be read; pass the path of a PNG, JPEG or WebP file.`);
    }
    return { path: file, sha256: await sha256File(file) };
  };
}
