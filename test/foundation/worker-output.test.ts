/**
 * A worker that dies saying why only on its stderr (a native library that will not load): the job's
 * error and the "worker down" status quote its last lines, since an installed app has no console; the
 * desktop app's log file keeps its output without growing for ever.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkerJob } from '../../src-main/inference/protocol';
import { WorkerSupervisor, type WorkerState } from '../../src-main/inference/supervisor';
import { OutputTail } from '../../src-main/inference/worker-output';
import { forkLauncher } from '../../src-main/inference/worker-process';
import { tempDir } from './helpers';

const LOADER_ERROR = 'test worker: libexample_provider.so: cannot open shared object file (a loader error, made up for this test)';

describe('the worker\'s last output', () => {
  it('is quoted in the failed job and in the reason the worker is down', async () => {
    const dir = tempDir('dying-worker');
    const entry = path.join(dir, 'worker.mjs');
    // Dies at start-up, before saying it is ready, after a few lines of noise and the loader's error.
    fs.writeFileSync(entry, `for (let i = 0; i < 40; i++) console.error('noise ' + i);\nprocess.stderr.write(${JSON.stringify(LOADER_ERROR)} + '\\n');\nprocess.exit(3);\n`);
    const states: { state: WorkerState; reason?: string }[] = [];
    const s = new WorkerSupervisor(forkLauncher(entry), { onState: (state, reason) => states.push({ state, reason }) });
    const job = { jobId: 'j1', kind: 'object', imagePath: 'x.png', masks: [], packDir: dir, method: 'off', params: {}, outputDir: dir, executionProvider: 'cpu' } as unknown as WorkerJob;
    try {
      const failed = await s.run(job).catch((e: Error) => e);
      expect(failed).toBeInstanceOf(Error);
      expect((failed as Error).message).toContain('exited with code 3');
      expect((failed as Error).message).toContain(`Its last output:\n`);
      expect((failed as Error).message).toContain(LOADER_ERROR);
      // The last lines only: the start of the noise is not quoted.
      expect((failed as Error).message).not.toContain('noise 0\n');
      const down = states.at(-1)!;
      expect(down.state).toBe('down');
      expect(down.reason).toContain('its last output, below, says what went wrong');
      expect(down.reason).toContain(LOADER_ERROR);
      expect(s.status).toEqual({ state: 'down', reason: down.reason });
    } finally {
      s.close();
    }
  });

  it('keeps the last lines, the unfinished one too, and appends everything to a log file that is emptied when large', () => {
    const log = path.join(tempDir('worker-log'), 'logs', 'inference-worker.log');
    const tail = new OutputTail(log);
    for (let i = 0; i < 30; i++) tail.push(`line ${i}\n`);
    tail.push('partial, no newline');
    const text = tail.text().split('\n');
    expect(text).toHaveLength(13);
    expect(text[0]).toBe('line 18');
    expect(text.at(-1)).toBe('partial, no newline');
    const written = fs.readFileSync(log, 'utf8');
    expect(written).toMatch(/^--- inference worker started \d{4}-/);
    expect(written).toContain('line 0\n');
    // A log past 1 MiB starts afresh the next time a worker starts.
    fs.appendFileSync(log, 'x'.repeat(1 << 20));
    new OutputTail(log);
    expect(fs.statSync(log).size).toBeLessThan(200);
    expect(new OutputTail().text()).toBe('');
  });
});
