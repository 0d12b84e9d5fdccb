/**
 * The segmentation service on the committed random-weight fixture models/seg-tiny: real ONNX Runtime
 * sessions, a real image file, the API dispatcher in front. Masks of seg-tiny are noise, so these tests
 * check shapes, caching, refinement plumbing and errors — quality is the e2e's job with seg-mini.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeMaskRle, SegPredictReply } from '../../src-shared/api/segment';
import { Dispatcher } from '../../src-main/api/index';
import { imageResolver, segmentApi } from '../../src-main/segment/index';
import { SegmentService } from '../../src-main/segment/service';
import { Library } from '../../src-main/library/index';

const ROOT = path.resolve(__dirname, '../..');
const TINY = path.join(ROOT, 'models/seg-tiny');
const MUG = path.join(ROOT, 'resources/examples/mug/image.png');

function tempRoot(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam3d-seg-'));
}
/** A copy of seg-tiny under a temp pack root, to break on purpose. */
function copyTiny(root: string, id = 'seg-copy'): string {
  const dir = path.join(root, id);
  fs.cpSync(TINY, dir, { recursive: true });
  return dir;
}
const service = (roots: string[]) => new SegmentService({ packRoots: roots, resolveImage: imageResolver(null) });

const opened: SegmentService[] = [];
afterAll(async () => { await Promise.all(opened.map((s) => s.close())); });

describe('segmentation service on seg-tiny', () => {
  const seg = service([path.join(ROOT, 'models')]);
  opened.push(seg);

  it('lists the fixture pack', async () => {
    const tiny = (await seg.list()).find((p) => p.id === 'seg-tiny');
    expect(tiny).toMatchObject({ valid: true, problems: [], inputSize: 256 });
    // 3D packs are not segmentation packs.
    expect((await seg.list()).some((p) => p.id === 'mini' || p.id === 'test-tiny')).toBe(false);
  });

  it('encodes once per image and caches the embedding', async () => {
    const first = await seg.encode({ path: MUG, packId: 'seg-tiny' });
    expect(first).toMatchObject({ packId: 'seg-tiny', width: 384, height: 384, cached: false });
    expect(first.encodeMs).toBeGreaterThan(0);
    const again = await seg.encode({ path: MUG, packId: 'seg-tiny' });
    expect(again).toMatchObject({ cached: true, encodeMs: 0 });
  });

  it('predicts a binary mask of the image size, and of a requested size', async () => {
    const r = SegPredictReply.parse(await seg.predict({ path: MUG, packId: 'seg-tiny', points: [{ x: 192, y: 200, positive: true }] }));
    expect([r.mask.width, r.mask.height]).toEqual([384, 384]);
    const data = decodeMaskRle(r.mask);
    expect(data.reduce((a, b) => a + b, 0)).toBe(r.area);
    expect(r.encodeMs).toBe(0); // encoded by the test above
    expect(Number.isFinite(r.score)).toBe(true);
    const big = await seg.predict({ path: MUG, packId: 'seg-tiny', points: [{ x: 384, y: 400, positive: true }], size: { width: 768, height: 768 } });
    expect([big.mask.width, big.mask.height]).toEqual([768, 768]);
  });

  it('refines with the previous proposal and a box; the previous logits change the answer', async () => {
    const points = [{ x: 192, y: 200, positive: true }, { x: 30, y: 30, positive: false }];
    const first = await seg.predict({ path: MUG, packId: 'seg-tiny', points: points.slice(0, 1) });
    const plain = await seg.predict({ path: MUG, packId: 'seg-tiny', points });
    const refined = await seg.predict({ path: MUG, packId: 'seg-tiny', points, previous: first.proposalId });
    expect(refined.proposalId).not.toBe(first.proposalId);
    expect(refined.mask.counts).not.toEqual(plain.mask.counts);
    const boxed = await seg.predict({ path: MUG, packId: 'seg-tiny', points: [], box: { x0: 100, y0: 120, x1: 290, y1: 330 } });
    expect(boxed.mask.counts.reduce((a, b) => a + b, 0)).toBe(384 * 384);
  });

  it('says what to do for a forgotten proposal, a wrong-shaped size and no prompt', async () => {
    await expect(seg.predict({ path: MUG, packId: 'seg-tiny', points: [{ x: 1, y: 1, positive: true }], previous: 'gone' }))
      .rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/without "previous"/) });
    await expect(seg.predict({ path: MUG, packId: 'seg-tiny', points: [{ x: 1, y: 1, positive: true }], size: { width: 400, height: 200 } }))
      .rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/shape of the image/) });
    await expect(seg.predict({ path: MUG, packId: 'seg-tiny', points: [] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('segment.* through the API dispatcher', () => {
  it('validates requests and replies, and maps pack problems to BAD_REQUEST naming the file', async () => {
    const root = tempRoot();
    const dir = copyTiny(root);
    const seg = segmentApi({ packRoots: [root], resolveImage: imageResolver(null) });
    const d = new Dispatcher().register(seg.handlers);
    const listed = await d.dispatch('segment.packs', {});
    expect(listed).toMatchObject({ ok: true, result: [{ id: 'seg-copy', valid: true }] });
    const both = await d.dispatch('segment.predict', { path: MUG, imageId: 'x', points: [{ x: 1, y: 1, positive: true }] });
    expect(both).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/exactly one of imageId/) } });
    const ok = await d.dispatch('segment.predict', { path: MUG, points: [{ x: 100, y: 100, positive: true }] });
    expect(ok).toMatchObject({ ok: true, result: { packId: 'seg-copy' } });

    // A replaced decoder: the sha256 no longer matches (a fresh service opens the pack again).
    fs.appendFileSync(path.join(dir, 'decoder.onnx'), Buffer.from([0]));
    await seg.close();
    const seg2 = segmentApi({ packRoots: [root], resolveImage: imageResolver(null) });
    const d2 = new Dispatcher().register(seg2.handlers);
    const bad = await d2.dispatch('segment.encode', { path: MUG });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const msg = (bad as { error: { message: string } }).error.message;
    expect(msg).toContain(path.join(dir, 'decoder.onnx'));
    expect(msg).toMatch(/sha256 mismatch/);
    await seg2.close();
  });
});

describe('library images', () => {
  it('segments a library image by id, sharing the embedding with the same content by path', async () => {
    const lib = Library.open(tempRoot());
    try {
      const { image } = await lib.importImage({ name: 'mug.png', data: MUG });
      const seg = new SegmentService({ packRoots: [path.join(ROOT, 'models')], resolveImage: imageResolver(lib) });
      opened.push(seg);
      // The default pack is the first valid one (seg-mini); the fixture is named to keep this test cheap.
      expect(await seg.encode({ imageId: image.id, packId: 'seg-tiny' })).toMatchObject({ packId: 'seg-tiny', cached: false, width: 384 });
      // Same bytes, same sha256: the embedding is reused.
      expect(await seg.encode({ path: MUG, packId: 'seg-tiny' })).toMatchObject({ cached: true });
      const r = await seg.predict({ imageId: image.id, packId: 'seg-tiny', points: [{ x: 50, y: 60, positive: true }] });
      expect(r.mask.width).toBe(384);
      await expect(seg.encode({ imageId: 'no-such-image' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      lib.close();
    }
  });
});

describe('broken and missing packs', () => {
  it('no pack installed: UNAVAILABLE pointing at the docs', async () => {
    const seg = service([tempRoot()]);
    expect(await seg.list()).toEqual([]);
    await expect(seg.encode({ path: MUG })).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('docs/segmentation-pack.md') });
  });

  it('a manifest that does not describe the model: the session check names the file and the axis', async () => {
    const root = tempRoot();
    const dir = copyTiny(root);
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    m.embedding.channels = 16; // the graphs say 8
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
    const seg = service([root]);
    opened.push(seg);
    const err = await seg.encode({ path: MUG }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(path.join(dir, 'encoder.onnx'));
    expect((err as Error).message).toMatch(/"image_embeddings" axis 1 is 8 in the graph but 16/);
    expect((err as Error).message).toContain(path.join(dir, 'decoder.onnx'));
  });

  it('a decoder that is not ONNX and a broken manifest are listed with their problems', async () => {
    const root = tempRoot();
    const dir = copyTiny(root, 'seg-broken');
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{ not json');
    const notOnnx = copyTiny(root, 'seg-notonnx');
    const file = path.join(notOnnx, 'decoder.onnx');
    fs.writeFileSync(file, 'not a model');
    const m = JSON.parse(fs.readFileSync(path.join(notOnnx, 'manifest.json'), 'utf8'));
    const { createHash } = await import('node:crypto');
    m.files.decoder.sha256 = createHash('sha256').update('not a model').digest('hex');
    fs.writeFileSync(path.join(notOnnx, 'manifest.json'), JSON.stringify(m));
    const seg = service([root]);
    opened.push(seg);
    const list = await seg.list();
    expect(list.find((p) => p.id === 'seg-broken')).toMatchObject({ valid: false, problems: [expect.stringMatching(/not valid JSON/)] });
    expect(list.find((p) => p.id === 'seg-notonnx')).toMatchObject({ valid: true });
    await expect(seg.encode({ path: MUG, packId: 'seg-broken' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/seg-broken.*not valid JSON/s) });
    await expect(seg.encode({ path: MUG, packId: 'seg-notonnx' })).rejects.toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ONNX Runtime cannot load it`));
  });

  it('an image that is not there', async () => {
    const seg = service([path.join(ROOT, 'models')]);
    await expect(seg.encode({ path: path.join(tempRoot(), 'nope.png'), packId: 'seg-tiny' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/does not exist/) });
  });
});
