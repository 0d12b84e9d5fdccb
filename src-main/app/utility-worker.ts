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
    return {
      get pid() { return child.pid; },
      send(message) { child.postMessage(message); },
      onMessage(listener) { child.on('message', listener); },
      onExit(listener) { exitListeners.push(listener); if (exited) listener(exited); },
      kill() { child.kill(); },
    };
  };
}
