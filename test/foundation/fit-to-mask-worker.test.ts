/**
 * Fit to mask's other masks through the worker (the app's path) and the CLI (a SAM 3D folder): the masks
 * a run leaves out are read only with fit to mask, counted in the report, and one that is gone or cannot
 * be read never fails the run.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { closePacks, runWorkerJob } from '../../src-main/inference/pipeline-runner';
import type { WorkerJob } from '../../src-main/inference/protocol';
import { RunReportSchema } from '../../src-shared/report';
import { cli } from '../cli/run-cli';
import { discPhoto } from './fixtures';
import { ROOT, tempDir } from './helpers';

const TINY = path.join(ROOT, 'models/test-tiny');

describe('other masks in the worker', () => {
  it('are counted when readable; a deleted one is skipped and an unreadable one is a warning, not a failure', async () => {
    const inputs = await discPhoto();
    const dir = tempDir('others');
    const front = path.join(dir, 'front.png');
    await sharp(Buffer.alloc(96 * 96, 0).fill(255, 0, 96 * 10), { raw: { width: 96, height: 96, channels: 1 } }).png().toFile(front);
    const broken = path.join(dir, 'broken.png');
    fs.writeFileSync(broken, 'not a png');
    const job = (params: WorkerJob['params']): WorkerJob => ({
      jobId: 'j', kind: 'object', imagePath: inputs.imagePath, masks: [{ path: inputs.maskPath, name: 'disc' }],
      otherMasks: [{ path: front, name: 'front' }, { path: path.join(dir, 'gone.png'), name: 'gone' }, { path: broken, name: 'broken' }],
      packDir: TINY, method: 'off', params, outputDir: tempDir('out'), executionProvider: 'cpu',
    });
    const opts = { provider: 'cpu', signal: new AbortController().signal, onProgress: () => {} };
    try {
      const r = await runWorkerJob(job({ ssSteps: 2, slatSteps: 2, fitToMask: true }), opts);
      expect(RunReportSchema.parse(r.reports[0]).maskFit?.otherMasks).toBe(1);
      expect(r.warnings).toEqual([expect.stringMatching(/^Fit to mask did not count the mask "broken" as something in front: .*not a readable image/)]);
      expect(r.warnings.join(' ')).not.toMatch(/gone/);
    } finally {
      await closePacks();
    }
  }, 60_000);
});

describe('other masks in the CLI', () => {
  it('a SAM 3D folder: with --fit-to-mask the masks besides --mask-index count as possibly in front', async () => {
    const out = tempDir('cli-fit');
    const scene = path.join(ROOT, 'resources/examples/scene-three');
    const run = async (...extra: string[]) => {
      const r = await cli('infer', '--image', scene, '--mask-index', '1', '--pack', TINY, '--preset', 'off', '--ss-steps', '2', '--slat-steps', '2', '--output-dir', out, '--json', ...extra);
      expect(r.code, r.err).toBe(0);
      return RunReportSchema.parse(JSON.parse(r.out));
    };
    expect((await run('--fit-to-mask')).maskFit?.otherMasks).toBe(2);
    expect((await run()).maskFit).toBeUndefined();
  }, 60_000);
});
