import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { openPack, providerCandidates, validatePack } from '../../src-main/pipeline/pack';
import { probeProblems } from '../../src-main/pipeline/pack/open-pack';
import { outputProblems, readManifest } from '../../src-main/pipeline/pack/validate';
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

  it('refuses manifest constants that contradict the ONNX files, naming the file and the field, before any network runs', async () => {
    const dir = copyTinyPack();
    // The QA repro: the constants edited, the files' declarations and the graphs left as they are.
    editManifest(dir, (m) => {
      m.condition.imageSize = 128;
      m.grid.ssLatentChannels = 16;
      m.condition.dim = 64;
      m.slat.channels = 16;
      m.slat.mean = new Array(16).fill(0);
      m.slat.std = new Array(16).fill(1);
      m.grid.resolution = 32;
      m.decoders.mesh.subdivisions = 3;
    });
    const r = await validatePack(dir);
    expect(r.ok).toBe(false);
    const text = r.problems.join('\n');
    for (const want of [
      'condition.onnx: input "image" is declared 64×64 (files.condition.inputs.image.shape) but manifest condition.imageSize is 128',
      'condition.onnx: output "cond_ss" axis 2 is declared 32 (files.condition.outputs.cond_ss.shape) but manifest condition.dim is 64',
      'ss_flow.onnx: input "x_shape" axis 2 is declared 8 (files.ss_flow.inputs.x_shape.shape) but manifest grid.ssLatentChannels is 16',
      'ss_decoder.onnx: output "logits" is declared 16×16×16 (files.ss_decoder.outputs.logits.shape) but manifest grid.resolution is 32',
      'slat_flow.onnx: input "x" axis 1 is declared 8 (files.slat_flow.inputs.x.shape) but manifest slat.channels is 16',
      'mesh_decoder.onnx: the manifest declares neighbour maps for 2 subdivision levels (nbr_l1, nbr_l2) but manifest decoders.mesh.subdivisions is 3',
    ])
      expect(text).toContain(want);
    // A run is refused when the pack is opened (exit 3 in the CLI), not by ONNX Runtime mid-run.
    const err = await openPack(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PackError);
    expect((err as PackError).message).toMatch(/manifest condition\.imageSize is 128/);
  });

  it('compares the constants with the ONNX graph itself when the file declarations were edited to agree', async () => {
    const dir = copyTinyPack();
    editManifest(dir, (m) => {
      m.condition.imageSize = 128;
      m.files.condition.inputs.image.shape = ['2K', 3, 128, 128];
      m.files.condition.inputs.mask.shape = ['2K', 1, 128, 128];
    });
    const text = (await validatePack(dir)).problems.join('\n');
    expect(text).toContain('condition.onnx: input "image" is 64×64 but manifest condition.imageSize is 128');
    expect(text).toContain('condition.onnx: input "mask" is 64×64 but manifest condition.imageSize is 128');
    const pack = await openPack(dir);
    await expect(pack.session('condition')).rejects.toThrow(/condition\.onnx: input "image" is 64×64 but manifest condition\.imageSize is 128/);
    await pack.close();
  });

  it('probes the mesh decoder on one voxel: rows per voxel against decoders.mesh.subdivisions', async () => {
    const { manifest } = await readManifest(TINY_PACK);
    const session = await ort.InferenceSession.create(join(TINY_PACK, 'mesh_decoder.onnx'));
    expect(await probeProblems('mesh_decoder', manifest!, session)).toEqual([]);
    // A manifest that claims a third level (the static checks bypassed): the probe's output says 64 rows, not 512.
    const three = { ...manifest!, decoders: { ...manifest!.decoders, mesh: { ...manifest!.decoders.mesh, subdivisions: 3 } } };
    expect(await probeProblems('mesh_decoder', three, session)).toEqual([
      'mesh_decoder.onnx: output "feats" has 64 rows for 1 voxel but manifest decoders.mesh.subdivisions is 3 (512 rows: 8^3 per voxel)',
    ]);
    await session.release();
    // The sizes a graph may leave dynamic, as checked after every run.
    expect(outputProblems('ss_decoder', manifest!, { latent: [2, 8, 4, 4, 4] }, { logits: [2, 1, 32, 32, 32] })).toEqual([
      'ss_decoder.onnx: output "logits" came out 2×1×32×32×32 for a 2×8×4×4×4 latent but manifest grid.resolution is 16 (2×1×16×16×16)',
    ]);
    expect(outputProblems('ss_decoder', manifest!, { latent: [2, 8, 4, 4, 4] }, { logits: [2, 1, 16, 16, 16] })).toEqual([]);
    expect(outputProblems('mesh_decoder', manifest!, { slat: [3, 8] }, { feats: [192, 16] }).join('\n')).toMatch(
      /feats" came out 192×16 but manifest decoders\.mesh\.layout needs 32 channels/,
    );
    expect(outputProblems('slat_flow', manifest!, { x: [5, 8] }, { v: [5, 4] })[0]).toMatch(/output "v" came out 5×4 for input "x" 5×8/);
  });

  it('turns an ONNX Runtime size error during a run into a PackError naming the pack, role and file', async () => {
    const pack = await openPack(TINY_PACK);
    const err = await pack
      .run('ss_decoder', { latent: { data: new Float32Array(8 * 125), dims: [1, 8, 5, 5, 5] } })
      .catch((e: unknown) => e);
    await pack.close();
    expect(err).toBeInstanceOf(PackError);
    const msg = (err as PackError).message;
    expect(msg).toContain(`The model pack "${TINY_PACK}" is invalid`);
    expect(msg).toMatch(/ss_decoder\.onnx: ONNX Runtime refused the inputs of role ss_decoder, sized by the manifest's constants \(.*Got: 5 Expected: 4.*\); fed latent 1×8×5×5×5/);
    expect((err as PackError).file).toBe('ss_decoder.onnx');
  });

  it('refuses sampler settings that would misbehave silently: reversed CFG interval, minVoxels > maxVoxels, steps out of range', async () => {
    const dir = copyTinyPack();
    editManifest(dir, (m) => {
      m.ss.cfg.interval = [500, 0];
      m.slat.cfg.interval = [1200, 1500];
      m.ss.minVoxels = 5000;
      m.ss.maxVoxels = 100;
      m.ss.steps = 100000;
      m.slat.steps = 0;
      m.ss.shortcut = { steps: 101 };
    });
    const text = (await validatePack(dir)).problems.join('\n');
    expect(text).toMatch(/ss\.cfg\.interval: \[500, 0\] is reversed: guidance applies where interval\[0\] ≤ 1000·t ≤ interval\[1\]/);
    expect(text).toMatch(/slat\.cfg\.interval: \[1200, 1500\] lies outside 0–1000/);
    expect(text).toMatch(/ss\.minVoxels: 5000 is more than ss\.maxVoxels \(100\)/);
    expect(text).toMatch(/ss\.steps: must be a whole number from 1 to 100 \(the range of the SS steps setting\)/);
    expect(text).toMatch(/ss\.shortcut\.steps: must be a whole number from 1 to 100/);
    expect(text).toMatch(/slat\.steps: must be a whole number from 1 to 100 \(the range of the SLaT steps setting\)/);
    await expect(openPack(dir)).rejects.toBeInstanceOf(PackError);
  });

  it('refuses a standard deviation of 0 (the pipeline divides by it or scales by it)', async () => {
    const dir = copyTinyPack();
    editManifest(dir, (m) => {
      m.condition.imageStd[1] = 0;
      m.ss.rotation6dStd[0] = -1;
      m.slat.std[2] = 0;
    });
    const text = (await validatePack(dir)).problems.join('\n');
    for (const field of ['condition.imageStd.1', 'ss.rotation6dStd.0', 'slat.std.2']) {
      expect(text).toContain(field);
    }
    expect(text).toMatch(/a standard deviation must be > 0/);
  });

  it('refuses fields this format does not have (typos, newer formats), naming them; metrics and source stay free-form', async () => {
    const dir = copyTinyPack();
    editManifest(dir, (m) => {
      m.ss.stpes = 30;
      m.decoders.mesh.layout.colour = [8, 32];
      m.files.condition.opset = 17;
      m.fromTheFuture = true;
      m.source.anything = { goes: 1 };
      m.metrics = { whatever: [1, 2] };
    });
    const problems = (await validatePack(dir)).problems;
    const text = problems.join('\n');
    expect(text).toMatch(/manifest\.json: ss: unknown field "stpes" \(did you mean "steps"\?\): format fastsam3d-pack\/1 has no such field here/);
    expect(text).toMatch(/decoders\.mesh\.layout: unknown field "colour" \(did you mean "color"\?\)/);
    expect(text).toMatch(/files\.condition: unknown field "opset"/);
    expect(text).toMatch(/\(root\): unknown field "fromTheFuture"/);
    expect(problems).toHaveLength(4); // nothing about source or metrics
    // The packs this repository ships have none.
    for (const pack of ['test-tiny', 'mini']) {
      const dirOf = join(TINY_PACK, '..', pack);
      if (pack === 'mini' && !existsSync(join(dirOf, 'manifest.json'))) continue;
      expect((await readManifest(dirOf)).problems).toEqual([]);
    }
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
