/**
 * Broken model packs as users end up with them: what `fastsam3d pack validate` / `infer --pack` say and
 * exit with, what packs.list reports, and that the worker picks up a pack repaired or updated on disk
 * without a restart.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunReportSchema } from '../../src-shared/report';
import { scanPacks } from '../../src-main/inference/packs';
import { closePacks, runWorkerJob } from '../../src-main/inference/pipeline-runner';
import type { WorkerJob } from '../../src-main/inference/protocol';
import { validatePack } from '../../src-main/pipeline/pack';
import { cli } from '../cli/run-cli';
import { discPhoto } from './fixtures';
import { ROOT, tempDir } from './helpers';

const TINY = path.join(ROOT, 'models/test-tiny');

/** `root/<id>`: a copy of the test pack, readable by every user (the unreadable-file test drops root). */
function packCopy(root: string, id = 'pack'): string {
  const dir = path.join(root, id);
  fs.cpSync(TINY, dir, { recursive: true });
  fs.chmodSync(root, 0o755);
  return dir;
}

describe('broken packs, as the CLI reports them', () => {
  it('an ONNX file this user cannot read is a pack problem (exit 3, names the file), not an internal error', () => {
    const dir = packCopy(tempDir('unreadable'));
    fs.chmodSync(path.join(dir, 'ss_flow.onnx'), 0o000);
    // Root reads any file whatever its mode: run the CLI as an ordinary user (nobody) there.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin/fastsam3d.js'), ...args], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, HOME: dir }, timeout: 60_000, ...asUser,
    });
    const v = cli('pack', 'validate', dir);
    expect(v.stdout + v.stderr).toMatch(/ss_flow\.onnx: permission denied \(role ss_flow\) — make the pack's files readable/);
    expect(v.stderr).not.toMatch(/internal error/);
    expect(v.status).toBe(3);
  });

  it('a manifest whose constants contradict its ONNX files: validate and infer exit 3 naming file and field, not a late internal error', async () => {
    const dir = packCopy(tempDir('constants'));
    const file = path.join(dir, 'manifest.json');
    const m = JSON.parse(fs.readFileSync(file, 'utf8'));
    Object.assign(m.condition, { imageSize: 128, dim: 64 });
    Object.assign(m.grid, { ssLatentChannels: 16, resolution: 32 });
    Object.assign(m.slat, { channels: 16, mean: new Array(16).fill(0), std: new Array(16).fill(1) });
    m.decoders.mesh.subdivisions = 3;
    fs.writeFileSync(file, JSON.stringify(m));
    const v = await cli('pack', 'validate', dir);
    expect(v.code).toBe(3);
    expect(v.out).toMatch(/INVALID/);
    expect(v.out).toContain('condition.onnx: input "image" is declared 64×64 (files.condition.inputs.image.shape) but manifest condition.imageSize is 128');
    expect(v.out).toContain('mesh_decoder.onnx: the manifest declares neighbour maps for 2 subdivision levels (nbr_l1, nbr_l2) but manifest decoders.mesh.subdivisions is 3');
    const r = await cli('infer', '--image', path.join(ROOT, 'resources/examples/mug'), '--pack', dir, '--output-dir', tempDir('constants-out'));
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
    expect(r.err).toMatch(/The model pack ".*" is invalid:[\s\S]*ss_decoder\.onnx: output "logits" is declared 16×16×16 .* but manifest grid\.resolution is 32/);
    expect(r.code).toBe(3);
  });

  it('says what is wrong with the folder itself: absent, a file, manifest a folder, an empty ONNX file', async () => {
    const root = tempDir('folders');
    expect((await validatePack(path.join(root, 'nope'))).problems).toEqual([expect.stringMatching(/the folder ".*nope" does not exist/)]);
    fs.writeFileSync(path.join(root, 'file'), 'x');
    expect((await validatePack(path.join(root, 'file'))).problems).toEqual([expect.stringMatching(/"[^"]*file" is a file, not a model pack folder/)]);
    const mdir = packCopy(root, 'mdir');
    fs.rmSync(path.join(mdir, 'manifest.json'));
    fs.mkdirSync(path.join(mdir, 'manifest.json'));
    expect((await validatePack(mdir)).problems).toEqual([expect.stringMatching(/manifest\.json: is a folder, not a file/)]);
    const empty = packCopy(root, 'empty');
    fs.writeFileSync(path.join(empty, 'slat_flow.onnx'), '');
    const r = await validatePack(empty);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.stringMatching(/slat_flow\.onnx: empty file \(0 bytes, role slat_flow\)/)]);
  });
});

describe('broken packs in packs.list', () => {
  it('lists empty, non-file and contract-breaking packs as not valid, with a reason each', () => {
    const root = tempDir('listing');
    fs.writeFileSync(path.join(packCopy(root, 'a-empty'), 'ss_flow.onnx'), '');
    const notFile = packCopy(root, 'b-notfile');
    fs.rmSync(path.join(notFile, 'mesh_decoder.onnx'));
    fs.mkdirSync(path.join(notFile, 'mesh_decoder.onnx'));
    const contract = packCopy(root, 'c-contract');
    const m = JSON.parse(fs.readFileSync(path.join(contract, 'manifest.json'), 'utf8'));
    m.files.condition.inputs.imagez = m.files.condition.inputs.image;
    delete m.files.condition.inputs.image;
    fs.writeFileSync(path.join(contract, 'manifest.json'), JSON.stringify(m));
    const mdir = packCopy(root, 'd-manifest-dir');
    fs.rmSync(path.join(mdir, 'manifest.json'));
    fs.mkdirSync(path.join(mdir, 'manifest.json'));
    fs.writeFileSync(path.join(packCopy(root, 'e-bad-json'), 'manifest.json'), '{"format": "fastsam3d-pack/1",');
    packCopy(root, 'f-good');

    const byId = new Map(scanPacks([root]).map((p) => [p.id, p]));
    expect(byId.get('a-empty')).toMatchObject({ valid: false, problems: [expect.stringMatching(/ss_flow: ss_flow\.onnx is empty \(0 bytes\)/)] });
    expect(byId.get('b-notfile')).toMatchObject({ valid: false, problems: [expect.stringMatching(/mesh_decoder: mesh_decoder\.onnx is not a file/)] });
    expect(byId.get('c-contract')?.valid).toBe(false);
    expect(byId.get('c-contract')?.problems.join('\n')).toMatch(/lack "image" required for role condition/);
    expect(byId.get('d-manifest-dir')).toMatchObject({ valid: false, problems: [expect.stringMatching(/manifest\.json: is a folder, not a file/)] });
    expect(byId.get('e-bad-json')).toMatchObject({ valid: false, problems: [expect.stringMatching(/not valid JSON/)] });
    expect(byId.get('f-good')).toMatchObject({ valid: true, problems: [] });
  });
});

describe('the worker and a pack that changes on disk', () => {
  let inputs: Awaited<ReturnType<typeof discPhoto>>;
  beforeAll(async () => {
    inputs = await discPhoto();
  });

  it('fails on a damaged pack, then uses the repaired or updated pack without a restart', async () => {
    const dir = packCopy(tempDir('changing'));
    const job = (jobId: string): WorkerJob => ({
      jobId, kind: 'object', imagePath: inputs.imagePath, masks: [{ path: inputs.maskPath, name: 'disc' }], packDir: dir,
      method: 'fast-sam3d', params: { ssSteps: 2, slatSteps: 2 }, outputDir: tempDir(`out-${jobId}`), executionProvider: 'cpu',
    });
    const opts = { provider: 'cpu', signal: new AbortController().signal, onProgress: () => {} };
    try {
      const first = await runWorkerJob(job('first'), opts);
      expect(RunReportSchema.parse(first.reports[0]).pack.version).toBe('0.1.0');

      // A pack update copied over the open one: the next job must run the new manifest, not the cached one.
      const manifestPath = path.join(dir, 'manifest.json');
      const m = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
      fs.writeFileSync(manifestPath, JSON.stringify({ ...m, version: '0.2.0' }));
      const second = await runWorkerJob(job('second'), opts);
      expect(RunReportSchema.parse(second.reports[0]).pack.version).toBe('0.2.0');

      // A file damaged on disk after the pack was opened is found by the next job, which fails clearly...
      const good = fs.readFileSync(path.join(dir, 'ss_decoder.onnx'));
      fs.writeFileSync(path.join(dir, 'ss_decoder.onnx'), good.subarray(0, 1000));
      await expect(runWorkerJob(job('damaged'), opts)).rejects.toThrow(/ss_decoder\.onnx: sha256 mismatch/);
      // ... and once it is repaired, the job after works with no restart.
      fs.writeFileSync(path.join(dir, 'ss_decoder.onnx'), good);
      const repaired = await runWorkerJob(job('repaired'), opts);
      expect(repaired.outputs).toHaveLength(1);
    } finally {
      await closePacks();
    }
  }, 120_000);
});
