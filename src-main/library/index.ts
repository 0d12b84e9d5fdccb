/**
 * Project library (issue 7): SQLite database + asset store under a data folder. Used by the API
 * handlers (src-main/api/library.ts) and the job service, which records every run through
 * beginRun / finishRun / failRun.
 */
export { Library, PENDING_PROVIDER, UNKNOWN_PROVIDER } from './library';
export type { ArtefactInput, BeginRunInput, FinishRunInput, LibraryOpenOptions, ParamValue, TrashEmptied } from './library';
export { LibraryError, type LibraryErrorCode } from './errors';
export { LATEST_VERSION, MIGRATIONS } from './migrations';
export { renderMeshThumbnail } from './mesh-thumbnail';
export { rasterizeMesh } from '../pipeline/metrics/rasterise';
export { exportProject, importProject, importProjectData, PROJECT_MANIFEST, type ProjectManifest } from './archive';
export { jobLibrary, type LibraryJobAdapter } from './job-adapter';
export { electronNativeBinding } from './database';
