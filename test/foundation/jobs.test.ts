/**
 * A job end to end through the browser host's WebSocket, the way the window drives it: import an image,
 * save a mask, submit a job on the test-tiny pack with the baseline, watch progress events, get
 * job.finished, find the recorded runs in the library and download the GLB through the asset path, and export the run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discPhoto } from './fixtures';
import { openApi, startServe, tinyRendererDir, type ServeProcess } from './helpers';

let host: ServeProcess;
let api: Awaited<ReturnType<typeof openApi>>;

beforeAll(async () => {
  host = await startServe(['--renderer-dir', tinyRendererDir()]);
  api = await openApi(`${host.url.replace('http', 'ws')}api?token=${encodeURIComponent(host.token)}`);
});
afterAll(async () => {
  api?.ws.close();
  await host?.stop();
});

const b64 = (p: string) => fs.readFileSync(p).toString('base64');

describe('jobs through the host', () => {
  it('runs an object job with its baseline, streams progress and records both runs', async () => {
    const files = await discPhoto();
    const imported = await api.call('images.import', { name: 'disc.png', data: b64(files.imagePath) });
    expect(imported).toMatchObject({ ok: true });
    const image = (imported.result as { image: { id: string } }).image;
    const mask = await api.call('masks.save', { imageId: image.id, name: 'disc', png: b64(files.maskPath) });
    expect(mask).toMatchObject({ ok: true });
    const maskId = (mask.result as { id: string }).id;

    const submitted = await api.call('jobs.submit', { kind: 'object', imageId: image.id, maskIds: [maskId], packId: 'test-tiny', method: 'fast-sam3d', withBaseline: true,
      // Switches sent explicitly must not leak into the baseline, which always runs acceleration off.
      params: { ssCache: true, slatCarving: true, meshAggregation: true } });
    expect(submitted).toMatchObject({ ok: true });
    const jobId = (submitted.result as { jobId: string }).jobId;

    const finished = await api.next((m) => m.event === 'job.finished');
    const job = (finished.payload as { job: { jobId: string; status: string; runIds: string[]; executionProvider: string; error?: string } }).job;
    expect(job.error).toBeUndefined();
    expect(job).toMatchObject({ jobId, status: 'succeeded', executionProvider: 'cpu' });
    expect(job.runIds).toHaveLength(2);

    // Progress streamed for this job, through the stages, with per-step kinds for the samplers.
    const progress: { payload: { jobId: string; stage: string; stepKind?: string; fraction: number } }[] = [];
    for (;;) {
      const m = await Promise.race([api.next((x) => x.event === 'job.progress'), new Promise<null>((r) => setTimeout(() => r(null), 50))]);
      if (!m) break;
      progress.push(m as never);
    }
    expect(progress.every((p) => p.payload.jobId === jobId)).toBe(true);
    expect([...new Set(progress.map((p) => p.payload.stage))]).toEqual(expect.arrayContaining(['condition', 'ssSampling', 'slatSampling', 'meshDecode', 'surface']));
    expect(progress.map((p) => p.payload.fraction)).toContain(1);
    expect(progress.some((p) => p.payload.stepKind === 'cached')).toBe(true);

    // The worker's output folder is gone once the runs are recorded: the library keeps its own copies.
    expect(fs.existsSync(path.join(host.dataDir, 'jobs', jobId))).toBe(false);

    const listed = await api.call('jobs.list', {});
    expect((listed.result as { jobId: string; status: string }[])[0]).toMatchObject({ jobId, status: 'succeeded' });

    const [runId, baselineId] = job.runIds;
    const run = await api.call('runs.get', { runId });
    expect(run).toMatchObject({ ok: true, result: { status: 'succeeded', method: 'fast-sam3d', executionProvider: 'cpu' } });
    const baseline = await api.call('runs.get', { runId: baselineId });
    expect(baseline).toMatchObject({ ok: true, result: { status: 'succeeded', method: 'off' } });
    const baseReport = (baseline.result as { report: { params: Record<string, unknown>; schedules: { ss: { networkPasses: number; cached: number }; slat: { networkPasses: number; carved: number } } } }).report;
    // test-tiny's sampler settings, every step full: 44 SS and 38 SLaT network passes, nothing cached or carved.
    expect(baseReport.schedules.ss).toMatchObject({ networkPasses: 44, cached: 0 });
    expect(baseReport.schedules.slat).toMatchObject({ networkPasses: 38, carved: 0 });
    expect(baseReport.params).toMatchObject({ ssCache: false, slatCarving: false, meshAggregation: false });

    // The run's GLB, kept in the library's asset store, is served over HTTP with the token.
    const artefacts = (run.result as { artefacts: { kind: string; path: string }[] }).artefacts;
    const stored = artefacts.find((a) => a.path.endsWith('.glb'));
    expect(stored).toBeDefined();
    const glbRel = path.relative(host.dataDir, stored!.path).split(path.sep).join('/');
    expect(glbRel.startsWith('assets/')).toBe(true);
    const glb = await fetch(`${host.url}asset/${glbRel}?token=${encodeURIComponent(host.token)}`);
    expect(glb.status).toBe(200);
    expect(Buffer.from(await glb.arrayBuffer()).subarray(0, 4).toString('latin1')).toBe('glTF');

    // And the recorded run exports through the same API (export handlers wired into the host).
    const exported = await api.call('export.run', { runId, formats: ['glb', 'obj'], posed: true });
    expect(exported).toMatchObject({ ok: true });
    const out = exported.result as { files: { path: string; format: string }[] };
    expect(out.files.map((f) => f.format).sort()).toEqual(['glb', 'obj', 'obj']);
    for (const f of out.files) expect(fs.existsSync(f.path)).toBe(true);

    // A page cannot choose where on the host's disk the app writes or what it reads: a folder in the
    // request is refused, absolute or relative, and nothing is written there.
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'fs3d-elsewhere-'));
    const absolute = await api.call('export.run', { runId, formats: ['glb'], dir: elsewhere });
    expect(absolute).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining('a window cannot choose a file or folder'), issues: [{ path: 'dir' }] } });
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    const relative = await api.call('export.run', { runId, formats: ['glb'], dir: 'relexp' });
    expect(relative).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', issues: [{ path: 'dir' }] } });
    expect(fs.existsSync(path.join(process.cwd(), 'relexp'))).toBe(false);
    const zip = path.join(elsewhere, 'overwritten.zip');
    fs.writeFileSync(zip, 'keep me');
    const project = (await api.call('runs.get', { runId })).result as { projectId: string };
    const overwrite = await api.call('projects.export', { projectId: project.projectId, path: zip, replace: true });
    expect(overwrite).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', issues: [{ path: 'path' }] } });
    expect(fs.readFileSync(zip, 'utf8')).toBe('keep me');
    for (const [method, payload] of [['projects.import', { path: zip }], ['images.importFolder', { path: elsewhere }]] as const) {
      expect(await api.call(method, payload), method).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', issues: [{ path: 'path' }] } });
    }
  });

  it('a project export says what it left in the trash (the window shows it; a backup is not taken for the whole)', async () => {
    const files = await discPhoto();
    const image = ((await api.call('images.import', { name: 'trashed.png', data: b64(files.imagePath) })).result as { image: { id: string; projectId: string } }).image;
    const whole = await api.call('projects.export', { projectId: image.projectId });
    expect(whole).toMatchObject({ ok: true, result: { leftOut: '' } });
    expect(await api.call('images.trash', { imageId: image.id })).toMatchObject({ ok: true });
    const partial = await api.call('projects.export', { projectId: image.projectId });
    expect(partial).toMatchObject({ ok: true, result: { leftOut: '1 photo in the trash was not exported; restore it first to include it' } });
  });

  it('measures a second Compare on the same inputs against its own baseline, not the first one\'s', async () => {
    const files = await discPhoto();
    const image = ((await api.call('images.import', { name: 'disc.png', data: b64(files.imagePath) })).result as { image: { id: string } }).image;
    const maskId = ((await api.call('masks.save', { imageId: image.id, name: 'disc', png: b64(files.maskPath) })).result as { id: string }).id;
    type Run = { id: string; method: string; baselineRunId: string | null; objectMs: number; speedup: number | null; quality: number | null };
    const compare = async () => {
      const submitted = await api.call('jobs.submit', { kind: 'object', imageId: image.id, maskIds: [maskId], packId: 'test-tiny', method: 'fast-sam3d', withBaseline: true, params: {} });
      const jobId = (submitted.result as { jobId: string }).jobId;
      const finished = await api.next((m) => m.event === 'job.finished' && (m.payload as { job: { jobId: string } }).job.jobId === jobId);
      const [runId, baselineId] = (finished.payload as { job: { runIds: string[] } }).job.runIds;
      const get = async (id: string) => (await api.call('runs.get', { runId: id })).result as Run;
      return { run: await get(runId), baseline: await get(baselineId) };
    };
    const first = await compare();
    const second = await compare();
    for (const { run, baseline } of [first, second]) {
      expect(baseline.method).toBe('off');
      expect(run.baselineRunId).toBe(baseline.id);
      expect(run.speedup).toBeCloseTo(baseline.objectMs / run.objectMs, 9);
      expect(run.quality).toEqual(expect.any(Number)); // F1 against that baseline's mesh
    }
  });

  it('records the runs of a job as cancelled when the host is stopped in the middle of it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-stop-'));
    const first = await startServe(['--renderer-dir', tinyRendererDir(), '--data-dir', dataDir]);
    const a = await openApi(`${first.url.replace('http', 'ws')}api?token=${encodeURIComponent(first.token)}`);
    const files = await discPhoto();
    const image = ((await a.call('images.import', { name: 'disc.png', data: b64(files.imagePath) })).result as { image: { id: string } }).image;
    const maskId = ((await a.call('masks.save', { imageId: image.id, name: 'disc', png: b64(files.maskPath) })).result as { id: string }).id;
    // models/mini: a second or more per run, long enough to stop the host during SS sampling
    const submitted = await a.call('jobs.submit', { kind: 'object', imageId: image.id, maskIds: [maskId], packId: 'mini', method: 'off', params: {} });
    expect(submitted).toMatchObject({ ok: true });
    await a.next((m) => m.event === 'job.progress' && (m.payload as { stage: string }).stage === 'ssSampling');
    // While the worker has it, the run says so.
    const running = (await a.call('runs.list', { status: 'running' })).result as { status: string; startedAt: string | null }[];
    expect(running).toHaveLength(1);
    expect(running[0].startedAt).toEqual(expect.any(String));
    a.ws.close();
    await first.stop(); // SIGTERM
    expect(first.output()).not.toContain('could not record');

    const second = await startServe(['--renderer-dir', tinyRendererDir(), '--data-dir', dataDir]);
    try {
      const b = await openApi(`${second.url.replace('http', 'ws')}api?token=${encodeURIComponent(second.token)}`);
      const runs = (await b.call('runs.list', {})).result as { status: string; error?: string | null }[];
      expect(runs).toHaveLength(1);
      expect(runs[0].status).toBe('cancelled');
      b.ws.close();
    } finally {
      await second.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps the warning of a provider that fell back to the CPU in the run record', async () => {
    const files = await discPhoto();
    const image = ((await api.call('images.import', { name: 'disc.png', data: b64(files.imagePath) })).result as { image: { id: string } }).image;
    const maskId = ((await api.call('masks.save', { imageId: image.id, name: 'disc', png: b64(files.maskPath) })).result as { id: string }).id;
    expect(await api.call('settings.set', { executionProvider: 'cuda' })).toMatchObject({ ok: true });
    try {
      const submitted = await api.call('jobs.submit', { kind: 'object', imageId: image.id, maskIds: [maskId], packId: 'test-tiny', method: 'off', params: {} });
      const jobId = (submitted.result as { jobId: string }).jobId;
      const finished = await api.next((m) => m.event === 'job.finished' && (m.payload as { job: { jobId: string } }).job.jobId === jobId);
      const job = (finished.payload as { job: { status: string; runIds: string[]; executionProvider: string } }).job;
      expect(job.status).toBe('succeeded');
      const run = (await api.call('runs.get', { runId: job.runIds[0] })).result as { executionProvider: string; report: { warnings: string[] } };
      if (run.executionProvider === 'cuda') {
        console.log('CUDA is usable on this machine: no fallback to check');
        return;
      }
      expect(run.executionProvider).toBe('cpu');
      expect(run.report.warnings.join('\n')).toMatch(/Execution provider "cuda" .*not usable here.*ran on cpu/);
    } finally {
      await api.call('settings.set', { executionProvider: 'auto' });
    }
  });

  it('answers unknown ids and packs with clear errors instead of queueing', async () => {
    const unknownImage = await api.call('jobs.submit', { kind: 'object', imageId: 'no-such-image', maskIds: ['m'], packId: 'test-tiny' });
    expect(unknownImage).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const unknownPack = await api.call('jobs.submit', { kind: 'object', imageId: 'x', maskIds: ['m'], packId: 'no-such-pack' });
    expect(unknownPack).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringContaining('test-tiny') } });
    const crossedTau = await api.call('jobs.submit', { kind: 'object', imageId: 'x', maskIds: ['m'], packId: 'test-tiny', params: { meshTauLow: 0.95, meshTauHigh: 0.05 } });
    expect(crossedTau).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining('τ low (meshTauLow, --mesh-tau-low) = 0.95 must not exceed τ high (meshTauHigh, --mesh-tau-high) = 0.05') } });
    const twoMasks = await api.call('jobs.submit', { kind: 'object', imageId: 'x', maskIds: ['a', 'b'], packId: 'test-tiny' });
    expect(twoMasks).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining('scene') } });
  });
});
