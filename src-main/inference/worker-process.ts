/**
 * One abstraction over the worker process, whichever way it was started: `child_process.fork` under the
 * browser host and in tests, Electron's `utilityProcess` under Electron (src-main/app/utility-worker.ts).
 */
import { fork } from 'node:child_process';

export interface WorkerExit {
  code: number | null;
  signal: string | null;
}

export interface WorkerProcess {
  readonly pid: number | undefined;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (exit: WorkerExit) => void): void;
  /** Hard kill (SIGKILL where supported). */
  kill(): void;
}

export type WorkerLauncher = () => WorkerProcess;

/**
 * Launches `entry` with Node's fork. A `.ts` entry (running from source: tests, `tsx`) is loaded through
 * tsx; a built `.js` entry runs as is.
 */
export function forkLauncher(entry: string, options: { env?: NodeJS.ProcessEnv; execArgv?: string[] } = {}): WorkerLauncher {
  return () => {
    const execArgv = [...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []), ...(options.execArgv ?? [])];
    const child = fork(entry, [], {
      execArgv,
      env: { ...process.env, ...options.env, FASTSAM3D_WORKER: '1' },
      // stdout/stderr go to the parent's so worker logs and native crashes are visible.
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const exitListeners: ((e: WorkerExit) => void)[] = [];
    let exited: WorkerExit | null = null;
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      for (const l of exitListeners) l(exited);
    });
    // A failed spawn emits 'error' and maybe no 'exit'; report it as an exit so the supervisor restarts.
    child.on('error', (err) => {
      if (exited) return;
      console.error('[worker] process error:', err.message);
      if (child.exitCode === null && child.signalCode === null && child.pid === undefined) {
        exited = { code: -1, signal: null };
        for (const l of exitListeners) l(exited);
      }
    });
    return {
      get pid() { return child.pid; },
      send(message) { if (child.connected) child.send(message as object); },
      onMessage(listener) { child.on('message', listener); },
      onExit(listener) { exitListeners.push(listener); if (exited) listener(exited); },
      kill() { child.kill('SIGKILL'); },
    };
  };
}
