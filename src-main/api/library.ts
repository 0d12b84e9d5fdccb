/**
 * Handlers of the library methods (src-shared/api/library.ts). Requests arrive validated by the
 * dispatcher; binary payloads cross as base64. Library errors carry codes the dispatcher maps to
 * ApiError codes (NOT_FOUND, BAD_INPUT → BAD_REQUEST, CONFLICT, …) with their user-facing message.
 */
import type { LibraryMethodName } from '../../src-shared/api/library';
import type { Library } from '../library';
import { exportProject, importProject, importProjectData } from '../library';
import { leftOutNote } from '../library/archive';
import { listExamples, openExample } from '../library/examples';
import type { HandlerMap } from './index';

const b64 = (data: Uint8Array): string => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
const bytes = (s: string): Buffer => Buffer.from(s, 'base64');

/** `examplesDir`: the bundled example photos (resources/examples); absent, `examples.list` is empty. */
export function libraryHandlers(lib: Library, options: { examplesDir?: string } = {}): HandlerMap<LibraryMethodName> {
  return {
    'projects.list': (req) => lib.listProjects(req),
    'projects.create': ({ name }) => lib.createProject(name),
    'projects.get': ({ projectId }) => lib.getProject(projectId),
    'projects.rename': ({ projectId, name }) => lib.renameProject(projectId, name),
    'projects.setTags': ({ projectId, tags }) => lib.setProjectTags(projectId, tags),
    'projects.trash': ({ projectId }) => (lib.trashProject(projectId), { trashed: true as const }),
    'projects.restore': ({ projectId }) => lib.restoreProject(projectId),
    'projects.export': async ({ projectId, path, format, replace }) => {
      const r = await exportProject(lib, projectId, path, format, { replace });
      return { ...r, leftOut: leftOutNote(r) };
    },
    'projects.import': ({ path }) => importProject(lib, path),
    'projects.importData': ({ name, data }) => importProjectData(lib, name, bytes(data)),

    'examples.list': async () => (await listExamples(options.examplesDir)).map(({ thumbPng, ...e }) => ({ ...e, thumb: b64(thumbPng) })),
    'examples.open': ({ id }) => openExample(lib, options.examplesDir, id),

    'images.import': ({ projectId, name, data, reuse }) => lib.importImage({ projectId, name, data: bytes(data), reuse }),
    'images.importFolder': ({ projectId, path, reuse }) => lib.importSam3dFolder(path, { projectId, reuse }),
    'images.list': ({ projectId }) => lib.listImages(projectId),
    'images.read': ({ imageId }) => {
      const { image, data, mime } = lib.readImage(imageId);
      return { image, data: b64(data), mime };
    },
    'images.rename': ({ imageId, name }) => lib.renameImage(imageId, name),
    'images.trash': ({ imageId }) => (lib.trashImage(imageId), { trashed: true as const }),
    'images.restore': ({ imageId }) => lib.restoreImage(imageId),

    'masks.save': ({ imageId, name, png }) => lib.saveMask({ imageId, name, png: bytes(png) }),
    'masks.list': ({ imageId }) => lib.listMasks(imageId),
    'masks.rename': ({ maskId, name }) => lib.renameMask(maskId, name),
    'masks.read': ({ maskId }) => {
      const { mask, png } = lib.readMask(maskId);
      return { mask, png: b64(png) };
    },

    'runs.list': (req) => lib.listRuns(req),
    'runs.get': ({ runId }) => lib.getRun(runId),
    'runs.rename': ({ runId, name }) => lib.renameRun(runId, name),
    'runs.setTags': ({ runId, tags }) => lib.setRunTags(runId, tags),
    'runs.trash': ({ runId }) => (lib.trashRun(runId), { trashed: true as const }),
    'runs.restore': ({ runId }) => lib.restoreRun(runId),
    'runs.reopen': ({ runId }) => lib.reopenRun(runId),
    'runs.duplicate': ({ runId, method, params }) => ({ request: lib.duplicateRun(runId, { method, params }) }),

    'artefacts.read': ({ artefactId }) => {
      const { artefact, data } = lib.readArtefact(artefactId);
      return { artefact, data: b64(data) };
    },
    'thumbnails.get': ({ kind, id }) => {
      const png = lib.thumbnail(kind, id);
      return png ? { png: b64(png) } : null;
    },

    'trash.list': () => lib.listTrash(),
    'trash.empty': () => lib.emptyTrash(),
  };
}
