/**
 * The example photos that ship with the app (resources/examples, SAM 3D folders made by the project's
 * generator: image.png plus the masks 0.png, 1.png …), offered in an empty window so a first run needs
 * nothing from the user. Opening one is the library's own folder import with `reuse`: the first time it
 * becomes a project named after its folder, later times reopen that image with its masks.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { readSam3dFolder } from '../pipeline/image/sam3d-folder';
import { LibraryError } from './errors';
import type { ExampleInfo as ExampleRecord } from '../../src-shared/api/library';
import type { Library } from './library';

/**
 * The API's example (`id`: the folder's name, what `openExample` takes and the project's name once
 * opened) with the thumbnail as PNG bytes (longest side THUMB_SIZE) rather than base64.
 */
export type ExampleInfo = Omit<ExampleRecord, 'thumb'> & { thumbPng: Buffer };

const THUMB_SIZE = 96;

/** The folder names under `dir`, sorted; none when it is missing (an install without examples). */
function exampleFolders(dir: string | undefined): string[] {
  if (!dir || !fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).filter((x) => x.isDirectory()).map((x) => x.name).sort((a, b) => a.localeCompare(b));
}

/**
 * The bundled examples do not change while the app runs: each folder is read and its thumbnail drawn once
 * per process, not every time an empty window asks.
 */
const listed = new Map<string, Promise<ExampleInfo[]>>();

/** The example folders under `dir`, by name; none when the folder is missing (an install without them). */
export function listExamples(dir: string | undefined): Promise<ExampleInfo[]> {
  if (!dir) return Promise.resolve([]);
  let list = listed.get(dir);
  if (!list) {
    listed.set(dir, (list = readExamples(dir)));
    list.catch(() => listed.delete(dir)); // an unreadable folder is asked again next time
  }
  return list;
}

async function readExamples(dir: string): Promise<ExampleInfo[]> {
  const out: ExampleInfo[] = [];
  for (const name of exampleFolders(dir)) {
    try {
      const folder = await readSam3dFolder(path.join(dir, name));
      const photo = sharp(folder.imagePath);
      const meta = await photo.metadata();
      const thumbPng = await photo.resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside' }).png().toBuffer();
      out.push({ id: name, masks: folder.masks.length, width: meta.width ?? 0, height: meta.height ?? 0, thumbPng });
    } catch {
      // Not a SAM 3D folder (or unreadable): not offered, the others still are.
    }
  }
  return out;
}

/** Open example `id` into the library (reused when it is already there): the image and its masks. */
export async function openExample(lib: Library, dir: string | undefined, id: string): ReturnType<Library['importSam3dFolder']> {
  // Only a name from the list (the folders offered), never a path: `id` comes from the window.
  const known = (await listExamples(dir)).map((e) => e.id);
  if (!known.includes(id)) {
    throw new LibraryError('NOT_FOUND', `No example "${id}" ships with this installation${known.length ? ` (there are: ${known.join(', ')})` : ''}.`);
  }
  return lib.importSam3dFolder(path.join(dir!, id), { reuse: true });
}
