/** The inference worker as an Electron utilityProcess, behind the same WorkerProcess interface as fork. */
import { utilityProcess } from 'electron';
import { exitAfterOutput, type WorkerExit, type WorkerLauncher } from '../inference/worker-process';
import { OutputTail } from '../inference/worker-output';

/**
 * `logFile`: where the worker's output is appended (the app's logs folder), since an installed app has
 * no console; its last lines are also quoted when the worker dies.
 */
export function utilityLauncher(entry: string, logFile: string): WorkerLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], {
      serviceName: 'Fast-SAM3D inference', stdio: 'pipe',
      env: { ...process.env, FASTSAM3D_WORKER: '1' },
    });
    const tail = new OutputTail(logFile);
    child.stdout?.on('data', (d: Buffer) => { process.stdout.write(d); tail.push(d); });
    child.stderr?.on('data', (d: Buffer) => { process.stderr.write(d); tail.push(d); });
    const exitListeners: ((e: WorkerExit) => void)[] = [];
    let exited: WorkerExit | null = null;
    // utilityProcess reports only a code; a kill shows as a non-zero code.
    child.on('exit', (code) => exitAfterOutput(child.stderr, tail, (e) => {
      exited = e;
      for (const l of exitListeners) l(e);
    })(code, null));
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
