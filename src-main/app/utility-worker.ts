/** The inference worker as an Electron utilityProcess, behind the same WorkerProcess interface as fork. */
import { utilityProcess } from 'electron';
import type { WorkerExit, WorkerLauncher } from '../inference/worker-process';

export function utilityLauncher(entry: string): WorkerLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], {
      serviceName: 'Fast-SAM3D inference', stdio: 'inherit',
      env: { ...process.env, FASTSAM3D_WORKER: '1' },
    });
    const exitListeners: ((e: WorkerExit) => void)[] = [];
    let exited: WorkerExit | null = null;
    child.on('exit', (code) => {
      // utilityProcess reports only a code; a kill shows as a non-zero code.
      exited = { code, signal: null };
      for (const l of exitListeners) l(exited);
    });
    // A fatal V8 error in the worker is emitted as 'error' (then 'exit'). Without a listener the
    // EventEmitter would throw it in the main process, i.e. crash the app over a worker failure that
    // the supervisor restarts from.
    child.on('error', (type, location) => {
      console.error(`[worker] inference process failed: ${type}${location ? ` at ${location}` : ''}`);
    });
    return {
      get pid() { return child.pid; },
      send(message) {
        // A message to a worker that has exited is dropped, as with fork: the supervisor restarts it.
        if (exited) return;
        try {
          child.postMessage(message);
        } catch (err) {
          console.error('[worker] could not send to the inference process:', (err as Error).message);
        }
      },
      onMessage(listener) { child.on('message', listener); },
      onExit(listener) { exitListeners.push(listener); if (exited) listener(exited); },
      kill() { if (!exited) child.kill(); },
    };
  };
}
