/**
 * The real inference worker when the disk cannot take its result file: run under a file size limit
 * (RLIMIT_FSIZE, `ulimit -f`), so writing the GLB fails with EFBIG, a real failing write from the kernel
 * like ENOSPC on a full disk (Node ignores SIGXFSZ, so the worker is not killed). The job fails with the
 * reason, leaves no file behind, and the worker stays up for the next job.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerJob } from '../../src-main/inference/protocol';
import { WorkerSupervisor } from '../../src-main/inference/supervisor';
import type { WorkerExit, WorkerLauncher } from '../../src-main/inference/worker-process';
import { discPhoto } from './fixtures';
import { ROOT, tempDir } from './helpers';

/** forkLauncher's worker, started through bash with `ulimit -f <kib>` (the IPC channel survives exec). */
function limitedLauncher(kib: number): WorkerLauncher {
  return () => {
    const entry = path.join(ROOT, 'src-main/inference/worker.ts');
    const child = spawn('bash', ['-c', `ulimit -f ${kib}; exec "${process.execPath}" --import tsx "$0"`, entry], {
      cwd: ROOT, env: { ...process.env, FASTSAM3D_WORKER: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced',
    });
    const exits: ((e: WorkerExit) => void)[] = [];
    child.on('exit', (code, signal) => exits.forEach((l) => l({ code, signal })));
    return {
      get pid() { return child.pid; },
      send(m) { if (child.connected) child.send(m as object); },
      onMessage(l) { child.on('message', l); },
      onExit(l) { exits.push(l); },
      kill() { child.kill('SIGKILL'); },
    };
  };
}

let supervisor: WorkerSupervisor | undefined;
afterEach(() => supervisor?.close());

describe('worker writing its result onto a full disk', () => {
  it('fails the job (EFBIG) with what to do instead of dying, and leaves no partial file', async () => {
    const inputs = await discPhoto();
    supervisor = new WorkerSupervisor(limitedLauncher(64));
    const s = supervisor;
    s.start();
    // The job service's layout: each job writes into <data dir>/jobs/<job id>/.
    const dataDir = tempDir('full-data');
    const job = (jobId: string): WorkerJob => ({
      jobId, kind: 'object', imagePath: inputs.imagePath, masks: [{ path: inputs.maskPath, name: 'disc' }], packDir: path.join(ROOT, 'models/test-tiny'),
      method: 'fast-sam3d', params: { ssSteps: 2, slatSteps: 2 }, outputDir: path.join(dataDir, 'jobs', jobId), executionProvider: 'cpu',
    });
    const first = job('first');
    fs.mkdirSync(first.outputDir, { recursive: true });
    const err = (await s.run(first).catch((e: unknown) => e)) as Error;
    expect(err.name).not.toBe('WorkerCrashedError');
    // Said, not a bare errno; that folder is the app's, not one the user chose: the data folder is what to free.
    expect(err.message).toBe(
      `Could not save the result in the job's folder ${first.outputDir} inside the app's data folder ${dataDir}: the file is too large ` +
        'for this file system or for the size limit this process runs under. Free some space or raise the limit, then run this again.',
    );
    expect(err.message).not.toMatch(/choose another/i);
    expect(fs.readdirSync(first.outputDir)).toEqual([]);
    const pid = s.pid;
    // The same worker takes the next job (and fails it the same way: the limit is still there).
    await expect(s.run(job('second'))).rejects.toThrow(/too large/);
    expect(s.pid).toBe(pid);
  }, 120_000);
});
