/**
 * One abstraction over the worker process, whichever way it was started: `child_process.fork` under the
 * browser host and in tests, Electron's `utilityProcess` under Electron (src-main/app/utility-worker.ts).
 */
import { fork } from 'node:child_process';
import { OutputTail } from './worker-output';

/**
 * The exit, reported once the worker's stderr has been read to its end (its last words, a native
 * loader's error, arrive after the exit event), or after a short wait for a stream something else holds.
 */
export function exitAfterOutput(stderr: NodeJS.ReadableStream | null | undefined, tail: OutputTail, report: (e: WorkerExit) => void) {
  return (code: number | null, signal: string | null) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const lastOutput = tail.text();
      report({ code, signal, ...(lastOutput ? { lastOutput } : {}) });
    };
    if (!stderr || (stderr as NodeJS.ReadableStream & { readableEnded?: boolean }).readableEnded) return finish();
    stderr.once('end', finish);
    stderr.once('close', finish);
    setTimeout(finish, 500).unref();
  };
}

export interface WorkerExit {
  code: number | null;
  signal: string | null;
  /** The last lines the worker printed on stderr (OutputTail), for the crash message; absent when none. */
  lastOutput?: string;
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
      // stdout goes to the parent's; stderr too, and its last lines are kept for the crash message.
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const tail = new OutputTail();
    child.stderr?.on('data', (d: Buffer) => {
      process.stderr.write(d);
      tail.push(d);
    });
    const exitListeners: ((e: WorkerExit) => void)[] = [];
    let exited: WorkerExit | null = null;
    child.on('exit', exitAfterOutput(child.stderr, tail, (e) => {
      exited = e;
      for (const l of exitListeners) l(e);
    }));
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
