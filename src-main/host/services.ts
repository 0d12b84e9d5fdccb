/**
 * The services both transports share (Electron main and the browser host): settings, the event hub,
 * the worker supervisor and job service, and the dispatcher with every handler map registered. The
 * transports differ only in how requests arrive and how the worker process is launched.
 */
import path from 'node:path';
import { coreHandlers } from '../api/core';
import { exportHandlers } from '../api/exports';
import { Dispatcher, EventHub } from '../api/index';
import { JobService } from '../api/jobs';
import { libraryHandlers } from '../api/library';
import { imageResolver, segmentApi } from '../segment/index';
import { Library } from '../library/index';
import { jobLibrary } from '../library/job-adapter';
import { SettingsStore } from '../inference/settings-store';
import { WorkerSupervisor } from '../inference/supervisor';
import type { WorkerLauncher } from '../inference/worker-process';
import { makeDirsSync } from '../files/make-dirs';

export interface ServicesOptions {
  host: 'electron' | 'browser';
  version: string;
  dataDir: string;
  /** Bundled model packs folder (repo models/ or the packaged app's resources/models). */
  bundledModelsDir: string;
  /** Bundled example photos (repo resources/examples or the packaged app's resources/examples). */
  examplesDir?: string;
  launchWorker: WorkerLauncher;
  /** better-sqlite3 binary built for Electron's ABI (development under Electron); absent = the package's own. */
  sqliteNativeBinding?: string;
}

export interface Services {
  dispatcher: Dispatcher;
  events: EventHub;
  jobs: JobService;
  supervisor: WorkerSupervisor;
  settings: SettingsStore;
  library: Library;
  dataDir: string;
  /** Stop the worker, record the jobs it was running or had queued as cancelled, then close the library. */
  close(): Promise<void>;
}

export function createServices(o: ServicesOptions): Services {
  makeDirsSync(o.dataDir);
  const events = new EventHub();
  const settings = new SettingsStore(o.dataDir);
  // Opening the library first: a corrupt or newer database stops start-up with its clear message.
  const library = Library.open(o.dataDir, o.sqliteNativeBinding ? { nativeBinding: o.sqliteNativeBinding } : {});
  // Photos an earlier version recorded at their stored size: set upright in the background (saving a mask waits).
  library.uprightOldPhotos().then(
    (n) => n > 0 && console.log(`[library] ${n} EXIF-turned photo${n === 1 ? '' : 's'} recorded at their upright size, with their masks turned.`),
    (err: unknown) => console.error('[library] setting old photos upright failed:', err),
  );
  const packRoots = [o.bundledModelsDir, path.join(o.dataDir, 'models')];
  const supervisor = new WorkerSupervisor(o.launchWorker, {
    // Only called for a job `jobs` holds, long after it is initialised (as onStart below).
    onProgress: (e) => events.emit('job.progress', jobs.withVariant(e)),
    onState: (state, reason) => events.emit('worker.status', { state, ...(reason ? { reason } : {}) }),
    // Only called after the worker reports ready, long after `jobs` below is initialised.
    onStart: (jobId) => jobs.markStarted(jobId),
  });
  const jobs = new JobService({ dataDir: o.dataDir, packRoots, settings, supervisor, events,
    library: jobLibrary(library, { appVersion: o.version, onRecordError: (runId, err) => console.error(`[jobs] run ${runId} could not be recorded:`, err) }),
  });
  // Click-to-segment runs here, in the main/host process, beside (not in) the worker's job queue.
  const segment = segmentApi({ packRoots, resolveImage: imageResolver(library) });
  const dispatcher = new Dispatcher()
    .register(coreHandlers({
      version: o.version, host: o.host, dataDir: o.dataDir, settings, packRoots, libraryNotices: library.startupNotices,
      executionProviders: () => (supervisor.providers.length ? supervisor.providers : ['cpu']),
      workerStatus: () => supervisor.status,
    }))
    .register(jobs.handlers())
    .register(libraryHandlers(library, { examplesDir: o.examplesDir }))
    .register(exportHandlers(library))
    .register(segment.handlers);
  return {
    dispatcher, events, jobs, supervisor, settings, library, dataDir: o.dataDir,
    close: async () => {
      void segment.close();
      supervisor.close(); // running and queued jobs fail as cancelled ...
      await jobs.settle(); // ... and are recorded before the database closes under them
      library.close();
    },
  };
}
