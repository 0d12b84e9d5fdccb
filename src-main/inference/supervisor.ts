/**
 * The main side of the inference worker: a FIFO of jobs run one at a time on one worker process,
 * progress forwarded as it streams, cancellation passed through (the worker checks it between network
 * calls), and the worker restarted when it dies — the job it was running fails with the exit code or
 * signal, queued jobs stay queued and run on the new worker.
 */
import { FromWorkerSchema, type FromWorker, type WorkerJob } from './protocol';
import type { WorkerExit, WorkerLauncher, WorkerProcess } from './worker-process';
import type { JobProgressEvent } from '../../src-shared/api/jobs';

export type WorkerState = 'starting' | 'ready' | 'busy' | 'restarting' | 'down';
export type WorkerDone = Extract<FromWorker, { type: 'done' }>;

export class JobCancelledError extends Error {
  override name = 'AbortError';
}
/** The worker process died while running the job. */
export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';
}

interface Pending {
  job: WorkerJob;
  resolve: (done: WorkerDone) => void;
  reject: (err: Error) => void;
  /** The user asked to cancel it: if the worker dies before answering, the job ends as cancelled. */
  cancelRequested?: boolean;
}

export interface SupervisorHooks {
  onProgress?: (event: JobProgressEvent) => void;
  onState?: (state: WorkerState, reason?: string) => void;
  /** Called when a job leaves the queue and starts on the worker. */
  onStart?: (jobId: string) => void;
}

/** Restarts allowed in a row without a job succeeding before the worker is declared down. */
const MAX_QUICK_RESTARTS = 5;

/**
 * How long a started worker may take to say it is ready before it is killed and counted as a crash (a
 * worker hung loading onnxruntime or a GPU driver would otherwise leave every job queued for ever).
 */
export const DEFAULT_STARTUP_TIMEOUT_MS = 120_000;

export class WorkerSupervisor {
  private proc: WorkerProcess | null = null;
  private ready = false;
  private running: Pending | null = null;
  private readonly queue: Pending[] = [];
  private restartsInARow = 0;
  private closed = false;
  private state: WorkerState = 'down';
  private reason: string | undefined;
  /** Provider names the current worker's onnxruntime build supports. */
  providers: string[] = [];

  private startupTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly launch: WorkerLauncher,
    private readonly hooks: SupervisorHooks = {},
    private readonly startupTimeoutMs = DEFAULT_STARTUP_TIMEOUT_MS,
  ) {}

  get workerState(): WorkerState { return this.state; }
  /** The state with the reason it was last given (a crash, a restart), for a window that opens late. */
  get status(): { state: WorkerState; reason?: string } { return { state: this.state, ...(this.reason ? { reason: this.reason } : {}) }; }
  get pid(): number | undefined { return this.proc?.pid; }
  get runningJobId(): string | undefined { return this.running?.job.jobId; }
  get queuedJobIds(): string[] { return this.queue.map((p) => p.job.jobId); }

  start(): void {
    if (!this.proc && !this.closed) this.spawn('starting');
  }

  /** Queue a job; resolves with the worker's result, rejects with AbortError on cancel or WorkerCrashedError. */
  run(job: WorkerJob): Promise<WorkerDone> {
    if (this.closed) return Promise.reject(new Error('The inference worker is shut down.'));
    if (this.state === 'down' && this.proc === null && this.restartsInARow > MAX_QUICK_RESTARTS) {
      // It was given up on: the user may have fixed the cause since (freed memory, repaired the install).
      // One fresh try for this job; crashing again gives up again at once instead of looping.
      this.restartsInARow = MAX_QUICK_RESTARTS;
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.start();
      this.pump();
    });
  }

  /** Cancel a queued or running job. Returns false for unknown or finished jobs. */
  cancel(jobId: string): boolean {
    const i = this.queue.findIndex((p) => p.job.jobId === jobId);
    if (i >= 0) {
      const [p] = this.queue.splice(i, 1);
      p.reject(new JobCancelledError(`Job ${jobId} was cancelled before it started.`));
      return true;
    }
    if (this.running?.job.jobId === jobId) {
      this.running.cancelRequested = true;
      this.proc?.send({ type: 'cancel', jobId });
      return true;
    }
    return false;
  }

  /** Stop the worker; running and queued jobs fail as cancelled. */
  close(): void {
    this.closed = true;
    this.clearStartupTimer();
    const all = [...(this.running ? [this.running] : []), ...this.queue.splice(0)];
    this.running = null;
    for (const p of all) p.reject(new JobCancelledError('The app is shutting down.'));
    const proc = this.proc;
    this.proc = null;
    if (proc) {
      proc.send({ type: 'shutdown' });
      // Give it a moment to close its sessions, then make sure it is gone.
      setTimeout(() => proc.kill(), 2000).unref();
    }
    this.setState('down', 'shut down');
  }

  /** Kill the worker process (tests and "restart worker" in settings). */
  killWorker(): void {
    this.proc?.kill();
  }

  private setState(state: WorkerState, reason?: string): void {
    this.state = state;
    this.reason = reason;
    this.hooks.onState?.(state, reason);
  }

  private spawn(state: 'starting' | 'restarting', reason?: string): void {
    this.ready = false;
    this.setState(state, reason);
    let proc: WorkerProcess;
    try {
      proc = this.launch();
    } catch (err) {
      this.setState('down', `The worker could not be started: ${(err as Error).message}`);
      this.failAll(new Error(`The inference worker could not be started: ${(err as Error).message}`));
      return;
    }
    this.proc = proc;
    proc.onMessage((m) => this.onMessage(proc, m));
    proc.onExit((e) => this.onExit(proc, e));
    this.clearStartupTimer();
    this.startupTimer = setTimeout(() => {
      this.startupTimer = null;
      if (proc !== this.proc || this.ready) return;
      console.error(`[worker] no "ready" within ${Math.round(this.startupTimeoutMs / 1000)} s: killing it`);
      this.startupHung = true;
      proc.kill();
    }, this.startupTimeoutMs);
    this.startupTimer.unref?.();
  }

  /** Set when the start-up timer killed the worker, so its exit is explained as a hang, not a crash. */
  private startupHung = false;

  private clearStartupTimer(): void {
    if (this.startupTimer) clearTimeout(this.startupTimer);
    this.startupTimer = null;
  }

  private onMessage(proc: WorkerProcess, raw: unknown): void {
    if (proc !== this.proc) return;
    const parsed = FromWorkerSchema.safeParse(raw);
    if (!parsed.success) {
      console.error('[worker] ignoring malformed message:', parsed.error.issues.map((i) => i.message).join('; '));
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'ready':
        this.clearStartupTimer();
        this.ready = true;
        this.providers = msg.providers;
        this.setState(this.running ? 'busy' : 'ready');
        this.pump();
        break;
      case 'progress':
        if (this.running && msg.event.jobId === this.running.job.jobId) this.hooks.onProgress?.(msg.event);
        break;
      case 'done':
      case 'failed': {
        const p = this.running;
        if (!p || p.job.jobId !== msg.jobId) return;
        this.running = null;
        this.restartsInARow = 0;
        if (msg.type === 'done') p.resolve(msg);
        else p.reject(msg.cancelled ? new JobCancelledError(msg.message) : Object.assign(new Error(msg.message), { executionProvider: msg.executionProvider }));
        this.setState('ready');
        this.pump();
        break;
      }
    }
  }

  private onExit(proc: WorkerProcess, exit: WorkerExit): void {
    if (proc !== this.proc) return;
    this.proc = null;
    this.ready = false;
    this.clearStartupTimer();
    if (this.closed) return;
    const hung = this.startupHung;
    this.startupHung = false;
    const how = hung
      ? `did not start within ${Math.round(this.startupTimeoutMs / 1000)} s and was stopped`
      : exit.signal ? `was killed by signal ${exit.signal}` : `exited with code ${exit.code}`;
    const p = this.running;
    this.running = null;
    this.restartsInARow += 1;
    const givingUp = this.restartsInARow > MAX_QUICK_RESTARTS;
    // What it printed last says why (a native library that would not load, an out-of-memory abort): quoted,
    // since an installed app has no console to read it in.
    const said = exit.lastOutput ? `\nIts last output:\n${exit.lastOutput}` : '';
    const stopped = `it ended ${this.restartsInARow} times in a row, so it was not restarted. Fix the cause${said ? ' (its last output, below, says what went wrong)' : ''}, then run the job again (the worker is started anew)`;
    const next = givingUp ? stopped : 'the worker was restarted';
    // A job the user cancelled ends as cancelled even when the worker died before it could answer.
    if (p?.cancelRequested) p.reject(new JobCancelledError(`Job ${p.job.jobId} was cancelled; the inference worker ${how} while stopping it, and ${next}.`));
    else if (p) p.reject(new WorkerCrashedError(`The inference worker ${how} while running job ${p.job.jobId}; ${next}.${said}`));
    if (givingUp) {
      const reason = `The inference worker ${how}; ${stopped}.${said}`;
      this.setState('down', reason);
      this.failAll(new Error(reason));
      return;
    }
    // Restart at once so the next queued job does not also pay for the start-up.
    this.spawn('restarting', `worker ${how}`);
  }

  private failAll(err: Error): void {
    for (const p of this.queue.splice(0)) p.reject(err);
  }

  private pump(): void {
    if (!this.ready || this.running || !this.proc) return;
    const next = this.queue.shift();
    if (!next) return;
    this.running = next;
    this.setState('busy');
    this.hooks.onStart?.(next.job.jobId);
    this.proc.send({ type: 'run', job: next.job });
  }
}
