/**
 * The worker supervisor when the worker keeps crashing and the cause is then fixed (fake worker
 * processes, so the crashes are exact), and the settings file when it is damaged or cannot be written.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkerJob } from '../../src-main/inference/protocol';
import { SettingsStore } from '../../src-main/inference/settings-store';
import { WorkerSupervisor, type WorkerState } from '../../src-main/inference/supervisor';
import type { WorkerExit, WorkerLauncher, WorkerProcess } from '../../src-main/inference/worker-process';
import { ROOT, tempDir } from './helpers';

/** A worker that either exits with code 1 as soon as it starts, or comes up and finishes every job. */
function fakeLauncher(crashing: () => boolean): { launch: WorkerLauncher; starts: () => number } {
  let starts = 0;
  const launch: WorkerLauncher = () => {
    starts += 1;
    const onMessage: ((m: unknown) => void)[] = [];
    const onExit: ((e: WorkerExit) => void)[] = [];
    const crash = crashing();
    const proc: WorkerProcess = {
      pid: 1000 + starts,
      send(m) {
        const msg = m as { type: string; job?: WorkerJob };
        if (msg.type === 'run' && msg.job) {
          const jobId = msg.job.jobId;
          setImmediate(() => onMessage.forEach((l) => l({ type: 'done', jobId, executionProvider: 'cpu', reports: [], outputs: [], warnings: [] })));
        }
      },
      onMessage: (l) => onMessage.push(l),
      onExit: (l) => onExit.push(l),
      kill: () => {},
    };
    setImmediate(() => {
      if (crash) onExit.forEach((l) => l({ code: 1, signal: null }));
      else onMessage.forEach((l) => l({ type: 'ready', pid: proc.pid, providers: ['cpu'] }));
    });
    return proc;
  };
  return { launch, starts: () => starts };
}

const job = (jobId: string): WorkerJob => ({
  jobId, kind: 'object', imagePath: '/x.png', masks: [{ path: '/m.png', name: 'm' }], packDir: '/p',
  method: 'off', params: {}, outputDir: '/o', executionProvider: 'cpu',
});

describe('worker that keeps crashing', () => {
  it('gives up with a reason, then starts anew for the next job once the cause is fixed (no app restart)', async () => {
    let broken = true;
    const { launch, starts } = fakeLauncher(() => broken);
    const states: { state: WorkerState; reason?: string }[] = [];
    const s = new WorkerSupervisor(launch, { onState: (state, reason) => states.push({ state, reason }) });
    try {
      await expect(s.run(job('a'))).rejects.toThrow(/exited with code 1; it ended 6 times in a row, so it was not restarted.*Fix the cause, then run the job again/);
      expect(s.workerState).toBe('down');
      const afterGivingUp = starts();

      // Still broken: one fresh try, not another round of restarts.
      await expect(s.run(job('b'))).rejects.toThrow(/not restarted/);
      expect(starts()).toBe(afterGivingUp + 1);

      broken = false;
      await expect(s.run(job('c'))).resolves.toMatchObject({ type: 'done', jobId: 'c' });
      expect(s.workerState).toBe('ready');
      expect(states.at(-1)?.state).toBe('ready');
    } finally {
      s.close();
    }
  });
});

/** A hand-driven fake worker: each start's behaviour is chosen by `script` (called with the start number). */
function scriptedLauncher(script: (start: number) => { ready: boolean; onCancel?: 'exit' }): { launch: WorkerLauncher; kills: () => number } {
  let starts = 0;
  let kills = 0;
  const launch: WorkerLauncher = () => {
    starts += 1;
    const plan = script(starts);
    const onMessage: ((m: unknown) => void)[] = [];
    const onExit: ((e: WorkerExit) => void)[] = [];
    const exit = (e: WorkerExit) => setImmediate(() => onExit.forEach((l) => l(e)));
    const proc: WorkerProcess = {
      pid: 2000 + starts,
      send(m) {
        const msg = m as { type: string; job?: WorkerJob };
        if (msg.type === 'cancel' && plan.onCancel === 'exit') exit({ code: 1, signal: null }); // dies while stopping
        // 'run': the job runs until cancelled (never answers by itself)
      },
      onMessage: (l) => onMessage.push(l),
      onExit: (l) => onExit.push(l),
      kill: () => { kills += 1; exit({ code: null, signal: 'SIGTERM' }); },
    };
    if (plan.ready) setImmediate(() => onMessage.forEach((l) => l({ type: 'ready', pid: proc.pid, providers: ['cpu'] })));
    return proc;
  };
  return { launch, kills: () => kills };
}

describe('worker ending at awkward moments', () => {
  it('a job the user cancelled ends as cancelled even when the worker dies while stopping it', async () => {
    const { launch } = scriptedLauncher(() => ({ ready: true, onCancel: 'exit' }));
    const s = new WorkerSupervisor(launch);
    try {
      const running = s.run(job('slow'));
      await expect.poll(() => s.runningJobId).toBe('slow');
      expect(s.cancel('slow')).toBe(true);
      const err = (await running.catch((e: unknown) => e)) as Error;
      expect(err.name).toBe('AbortError'); // the job service records AbortError as 'cancelled'
      expect(err.message).toMatch(/^Job slow was cancelled; the inference worker exited with code 1 while stopping it, and the worker was restarted\.$/);
    } finally {
      s.close();
    }
  });

  it('a worker that never says it is ready is stopped after the start-up timeout and started again', async () => {
    const { launch, kills } = scriptedLauncher((start) => ({ ready: start > 1 }));
    const states: { state: WorkerState; reason?: string }[] = [];
    const s = new WorkerSupervisor(launch, { onState: (state, reason) => states.push({ state, reason }) }, 50);
    try {
      const queued = s.run(job('waiting'));
      await expect.poll(() => kills()).toBe(1);
      await expect.poll(() => s.runningJobId).toBe('waiting'); // the second worker came up and took the job
      expect(states.find((x) => x.state === 'restarting')?.reason).toMatch(/did not start within 0 s and was stopped/);
      expect(s.cancel('waiting')).toBe(true);
      void queued.catch(() => undefined);
    } finally {
      s.close();
    }
  });
});

describe('settings file', () => {
  it('a settings.json that is a folder does not stop start-up, and settings can be saved again', () => {
    const dir = tempDir('settings-dir');
    fs.mkdirSync(path.join(dir, 'settings.json'));
    const s = new SettingsStore(dir);
    expect(s.get()).toEqual({ executionProvider: 'auto', autoRerun: false });
    expect(s.loadProblem).toMatch(/settings\.json could not be read \(EISDIR.*defaults are used, the old file was kept as settings\.json\.unreadable-\d+/);
    s.update({ autoRerun: true });
    expect(new SettingsStore(dir).get().autoRerun).toBe(true);
  });

  it('one invalid value (a provider of a newer version) keeps the other settings, also at the next start', () => {
    const dir = tempDir('settings-partial');
    fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ executionProvider: 'tpu', autoRerun: true, defaultPackId: 'mini' }));
    const s = new SettingsStore(dir);
    expect(s.get()).toEqual({ executionProvider: 'auto', autoRerun: true, defaultPackId: 'mini' });
    expect(s.loadProblem).toMatch(/invalid value: executionProvider "tpu"\); the other settings were kept, the old file was kept as settings\.json\.unreadable-/);
    const again = new SettingsStore(dir);
    expect(again.get()).toEqual({ executionProvider: 'auto', autoRerun: true, defaultPackId: 'mini' });
    expect(again.loadProblem).toBeUndefined();
    const kept = fs.readdirSync(dir).filter((f) => f.startsWith('settings.json.unreadable-'));
    expect(fs.readFileSync(path.join(dir, kept[0]), 'utf8')).toContain('"tpu"');
  });

  it('a save that fails for lack of space (RLIMIT_FSIZE → EFBIG) leaves the old file and no temp file', () => {
    const dir = tempDir('settings-full');
    new SettingsStore(dir).update({ autoRerun: true, defaultPackId: 'x'.repeat(4000) });
    const before = fs.readFileSync(path.join(dir, 'settings.json'), 'utf8');
    const child = `
      process.on('SIGXFSZ', () => {});
      const { SettingsStore } = await import(${JSON.stringify(path.join(ROOT, 'src-main/inference/settings-store.ts'))});
      const s = new SettingsStore(process.argv[1]);
      try { s.update({ defaultPackId: 'y'.repeat(4000) }); console.log('saved'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, kept: s.get().defaultPackId.slice(0, 1) })); }`;
    // bash's ulimit -f counts 1 KiB blocks: 2 KiB per file, below the 4 KB settings file.
    const out = execFileSync('bash', ['-c', `ulimit -f 2; exec "${process.execPath}" --import tsx --input-type=module -e "$0" "$1"`, child, dir], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ code: 'EFBIG', kept: 'x' });
    expect(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8')).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['settings.json']);
  });
});
