import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPack, providerCandidates, validatePack } from '../../src-main/pipeline/pack';
import { PackError } from '../../src-main/pipeline/errors';
import { copyTinyPack, TINY_PACK } from './helpers/tiny-pack';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are edited freely to corrupt them
function editManifest(dir: string, edit: (m: Record<string, any>) => void): void {
  const file = join(dir, 'manifest.json');
  const m = JSON.parse(readFileSync(file, 'utf8'));
  edit(m);
  writeFileSync(file, JSON.stringify(m, null, 2));
}

describe('pack validation', () => {
  it('accepts the test pack: schema, hashes and every session’s real I/O', async () => {
    const r = await validatePack(TINY_PACK);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.name).toBe('test-tiny');
  });

  it('refuses a wrong hash, naming the file', async () => {
    const dir = copyTinyPack();
    const f = join(dir, 'ss_decoder.onnx');
    const bytes = readFileSync(f);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(f, bytes);
    const r = await validatePack(dir);
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/ss_decoder\.onnx: sha256 mismatch/);
    await expect(openPack(dir)).rejects.toThrow(/ss_decoder\.onnx: sha256 mismatch/);
  });

  it('refuses a missing file', async () => {
    const dir = copyTinyPack();
    rmSync(join(dir, 'slat_flow.onnx'));
    const r = await validatePack(dir);
    expect(r.problems).toEqual([expect.stringMatching(/slat_flow\.onnx: missing \(role slat_flow\)/)]);
    const err = await openPack(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PackError);
  });

  it('refuses an ONNX graph whose input was renamed (checked against the real session metadata)', async () => {
    const dir = copyTinyPack();
    const f = join(dir, 'condition.onnx');
    // Same-length rename of every occurrence keeps the protobuf valid: graph input "mask" becomes "mAsk".
    const bytes = readFileSync(f);
    const from = Buffer.from('mask'),
      to = Buffer.from('mAsk');
    for (let i = bytes.indexOf(from); i >= 0; i = bytes.indexOf(from, i + 1)) to.copy(bytes, i);
    writeFileSync(f, bytes);
    const sha = createHash('sha256').update(bytes).digest('hex');
    editManifest(dir, (m) => {
      m.files.condition.sha256 = sha;
    });
    const r = await validatePack(dir);
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/condition\.onnx: the ONNX graph has no input "mask"/);
    // openPack creates sessions lazily: the same check fires on first use
    const pack = await openPack(dir);
    await expect(pack.session('condition')).rejects.toThrow(/condition\.onnx: the ONNX graph has no input "mask"/);
    await pack.close();
  });

  it('refuses a manifest input renamed against the contract, and wrong dtypes/ranks', async () => {
    const dir = copyTinyPack();
    editManifest(dir, (m) => {
      m.files.ss_flow.inputs.timestep = m.files.ss_flow.inputs.t;
      delete m.files.ss_flow.inputs.t;
      m.files.slat_flow.inputs.coords.dtype = 'float32';
      m.files.ss_decoder.inputs.latent.shape = ['B', 8, 4, 4];
    });
    const text = (await validatePack(dir)).problems.join('\n');
    expect(text).toMatch(/ss_flow\.onnx: manifest inputs lack "t"/);
    expect(text).toMatch(/ss_flow\.onnx: manifest inputs declare "timestep"/);
    expect(text).toMatch(/slat_flow\.onnx: manifest inputs\.coords has dtype float32, the contract says int32/);
    expect(text).toMatch(/ss_decoder\.onnx: manifest inputs\.latent has rank 4, the contract says 5/);
  });

  it('refuses an unknown format version and a broken manifest', async () => {
    const dir = copyTinyPack();
    editManifest(dir, (m) => {
      m.format = 'fastsam3d-pack/2';
    });
    const r = await validatePack(dir);
    expect(r.problems[0]).toMatch(/manifest\.json: unknown pack format "fastsam3d-pack\/2"/);
    editManifest(dir, (m) => {
      m.format = 'fastsam3d-pack/1';
      delete m.grid.resolution;
      m.ss.steps = -1;
    });
    const text = (await validatePack(dir)).problems.join('\n');
    expect(text).toMatch(/grid\.resolution/);
    expect(text).toMatch(/ss\.steps/);
    // A segmentation pack where a reconstruction pack belongs is named as such, not "update the app".
    expect((await validatePack(join(TINY_PACK, '../seg-mini'))).problems[0]).toMatch(/this is a segmentation pack \(fastsam3d-segpack\/1.*\), not a reconstruction pack; choose a reconstruction pack .* such as models\/mini/);
    // Mesh decoder feature ranges that surface extraction could not use: refused here, before any sampling.
    editManifest(dir, (m) => {
      m.format = 'fastsam3d-pack/1';
      m.grid.resolution = 16;
      m.ss.steps = 25;
    });
    const good = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    editManifest(dir, (m) => {
      m.decoders.mesh.layout.sdf = [0, 500];
      m.decoders.mesh.layout.color = [8, 20];
    });
    const layout = (await validatePack(dir)).problems.join('\n');
    expect(layout).toMatch(/decoders\.mesh\.layout\.sdf: \[0, 500\) has width 500; the contract asks 8/);
    expect(layout).toMatch(/decoders\.mesh\.layout\.color: \[8, 20\) has width 12; the contract asks a multiple of 8, at least 24/);
    editManifest(dir, (m) => {
      m.decoders.mesh.layout = { ...good.decoders.mesh.layout, color: [16, 48] };
    });
    expect((await validatePack(dir)).problems.join('\n')).toMatch(/layout\.color: \[16, 48\) lies outside the \d+ feature channels/);
    writeFileSync(join(dir, 'manifest.json'), '{ not json');
    expect((await validatePack(dir)).problems[0]).toMatch(/not valid JSON/);
    expect((await validatePack(join(dir, 'nope'))).problems[0]).toMatch(/the folder ".*nope" does not exist/);
  });

  it('chooses provider candidates per platform, CPU always last', () => {
    expect(providerCandidates('cpu')).toEqual(['cpu']);
    expect(providerCandidates('cuda')).toEqual(['cuda', 'cpu']);
    expect(providerCandidates('auto', 'win32')).toEqual(['dml', 'cpu']);
    expect(providerCandidates('auto', 'darwin')).toEqual(['coreml', 'cpu']);
    expect(providerCandidates('auto', 'linux').at(-1)).toBe('cpu');
  });

  it('reports the execution provider and falls back to CPU when the requested one is missing', async () => {
    const pack = await openPack(TINY_PACK, { executionProvider: 'coreml' });
    await pack.session('ss_decoder');
    expect(pack.executionProvider).toBe('cpu');
    expect(pack.warnings.join('\n')).toMatch(/coreml/);
    await pack.close();
  });

  it('runs single-threaded sessions on request (same outputs up to rounding) and refuses a bad thread count', async () => {
    await expect(openPack(TINY_PACK, { intraOpThreads: 0 })).rejects.toThrow(/intraOpThreads must be an integer ≥ 1/);
    const latent = new Float32Array(8 * 8 * 8 * 8).map((_, q) => Math.sin(q));
    const decode = async (threads?: number) => {
      const pack = await openPack(TINY_PACK, { intraOpThreads: threads });
      const m = pack.manifest.grid;
      const dims = [1, m.ssLatentChannels, m.ssLatentResolution, m.ssLatentResolution, m.ssLatentResolution];
      const n = dims.reduce((a, b) => a * b, 1);
      const out = await pack.run('ss_decoder', { latent: { data: latent.subarray(0, n), dims } });
      await pack.close();
      return out.logits.data;
    };
    const single = await decode(1);
    const pooled = await decode();
    expect(single.length).toBe(pooled.length);
    // Kernels may split reductions differently across threads: equal up to float rounding.
    expect(single.reduce((worst, v, q) => Math.max(worst, Math.abs(v - pooled[q])), 0)).toBeLessThan(1e-4);
  });
});
