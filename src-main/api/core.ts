/** Handlers of the core API methods: app info, settings and model packs. */
import type { HandlerMap } from './index';
import { ApiFailure } from './index';
import { scanPacks } from '../inference/packs';
import type { SettingsStore } from '../inference/settings-store';
import type { WorkerStatus } from '../../src-shared/api/index';

export interface CoreContext {
  version: string;
  host: 'electron' | 'browser';
  dataDir: string;
  settings: SettingsStore;
  /** Folders holding model packs, searched in order (bundled models/ first, then <dataDir>/models). */
  packRoots: string[];
  /** Provider names usable on this machine, as reported by the worker (CPU until it has started). */
  executionProviders: () => string[];
  /** The worker's state now (and why, after a crash). */
  workerStatus: () => WorkerStatus;
  /** What opening the library found and did that the user must know (Library.startupNotices). */
  libraryNotices?: readonly string[];
}

export function coreHandlers(ctx: CoreContext): HandlerMap<'app.info' | 'settings.get' | 'settings.set' | 'packs.list'> {
  return {
    'app.info': () => ({
      version: ctx.version, host: ctx.host, platform: `${process.platform}-${process.arch}`,
      executionProviders: ctx.executionProviders(), dataDir: ctx.dataDir,
      startupProblems: [...(ctx.settings.loadProblem ? [ctx.settings.loadProblem] : []), ...(ctx.libraryNotices ?? [])],
      worker: ctx.workerStatus(),
    }),
    'settings.get': () => ctx.settings.get(),
    'settings.set': (patch) => {
      if (patch.defaultPackId !== undefined && !scanPacks(ctx.packRoots).some((p) => p.id === patch.defaultPackId)) {
        throw new ApiFailure('NOT_FOUND', `No model pack "${patch.defaultPackId}". Installed packs: ${scanPacks(ctx.packRoots).map((p) => p.id).join(', ') || 'none'}.`);
      }
      return ctx.settings.update(patch);
    },
    'packs.list': () => scanPacks(ctx.packRoots),
  };
}
