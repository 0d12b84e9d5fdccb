/**
 * Click-to-segment in the main/host process (not the 3D job queue, so it stays interactive while a job
 * runs): finds and opens segmentation packs, encodes an image once (the embedding is cached per image
 * content and pack), and turns clicks and a box into a mask. A refinement click feeds the previous
 * proposal's low-res logits back as SAM's mask_input.
 */
import { randomUUID } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import type { SegEncodeReply, SegPackInfo, SegPredictReply, SegPredictRequest } from '../../src-shared/api/segment';
import { encodeMaskRle } from '../../src-shared/api/segment';
import { loadImageFile } from '../pipeline/image/decode';
import { runDecoder } from './decoder';
import { scanSegPacks } from './discover';
import { SegmentError } from './errors';
import type { ImageResolver, SegImageRef } from './images';
import { Lru } from './lru';
import { SEG_PACK_DOC } from './manifest';
import { logitsToMask } from './postprocess';
import { encoderInput, promptTensors } from './preprocess';
import { openSegPack, type SegPack } from './seg-pack';

/** One encoded image: the embedding and the geometry prompts and masks are mapped with. */
interface Embedding {
  data: Float32Array;
  dims: number[];
  /** Decoded image size. */
  width: number;
  height: number;
  /** Image size inside the encoder input. */
  resizedWidth: number;
  resizedHeight: number;
  encodeMs: number;
}

interface Proposal { embeddingKey: string; logits: Float32Array }

export interface SegmentServiceOptions {
  /** Folders holding packs, searched in order (bundled models/ first, then <dataDir>/models). */
  packRoots: string[];
  resolveImage: ImageResolver;
  /** Embeddings kept (a few images the user switches between). */
  embeddings?: number;
  /** Proposals whose logits can still refine the next click. */
  proposals?: number;
}

/** A request as the API hands it over (defaults applied). */
export type PredictInput = Omit<SegPredictRequest, 'points'> & { points: NonNullable<SegPredictRequest['points']> };

export class SegmentService {
  private readonly packs = new Map<string, Promise<SegPack>>();
  /** Which pack a request's packId (or '' for the default) resolved to, so clicks do not rescan the folders. */
  private readonly resolved = new Map<string, { id: string; dir: string }>();
  private readonly embeddings: Lru<string, Promise<Embedding>>;
  private readonly proposals: Lru<string, Proposal>;

  constructor(private readonly o: SegmentServiceOptions) {
    this.embeddings = new Lru(o.embeddings ?? 4);
    this.proposals = new Lru(o.proposals ?? 32);
  }

  list(): Promise<SegPackInfo[]> {
    return scanSegPacks(this.o.packRoots);
  }

  /** The requested pack, or the first valid one; opened once and kept. */
  private async pack(packId: string | undefined): Promise<{ id: string; pack: SegPack }> {
    const known = this.resolved.get(packId ?? '');
    const open = known && this.packs.get(known.dir);
    if (known && open) return { id: known.id, pack: await open };
    const all = await this.list();
    const entry = packId !== undefined ? all.find((p) => p.id === packId) : all.find((p) => p.valid);
    if (!entry) {
      if (packId !== undefined) throw new SegmentError('NOT_FOUND', `No segmentation pack "${packId}". Installed: ${all.map((p) => p.id).join(', ') || 'none'}.`);
      const broken = all.length ? ` (${all.map((p) => `${p.id}: ${p.problems[0]}`).join('; ')})` : '';
      throw new SegmentError('UNAVAILABLE', `No usable segmentation pack is installed${broken}. Put one in models/ or the data folder's models/ — ${SEG_PACK_DOC} says how to get or build one.`);
    }
    if (!entry.valid) throw new SegmentError('BAD_REQUEST', `Segmentation pack "${entry.id}" cannot be used: ${entry.problems.join('; ')}`);
    let opening = this.packs.get(entry.dir);
    if (!opening) {
      opening = openSegPack(entry.dir);
      opening.catch(() => this.packs.delete(entry.dir)); // a fixed pack can be retried
      this.packs.set(entry.dir, opening);
    }
    this.resolved.set(packId ?? '', { id: entry.id, dir: entry.dir });
    return { id: entry.id, pack: await opening };
  }

  private async embedding(pack: SegPack, ref: SegImageRef): Promise<{ key: string; embedding: Embedding; fresh: boolean }> {
    const image = await this.o.resolveImage(ref);
    const key = `${pack.dir}\n${image.sha256}`;
    const held = this.embeddings.get(key);
    if (held) return { key, embedding: await held, fresh: false };
    const encoding = this.encodeImage(pack, image.path);
    encoding.catch(() => this.embeddings.delete(key));
    this.embeddings.set(key, encoding);
    return { key, embedding: await encoding, fresh: true };
  }

  private async encodeImage(pack: SegPack, file: string): Promise<Embedding> {
    const t0 = performance.now();
    const image = await loadImageFile(file);
    const input = encoderInput(image, pack.manifest.input);
    const S = pack.manifest.input.size;
    const name = pack.encoder.inputNames[0];
    const out = await pack.encoder.run({ [name]: new ort.Tensor('float32', input.data, [1, 3, S, S]) });
    const emb = out.image_embeddings;
    return {
      data: emb.data as Float32Array, dims: [...emb.dims],
      width: image.width, height: image.height, resizedWidth: input.width, resizedHeight: input.height,
      encodeMs: performance.now() - t0,
    };
  }

  async encode(req: SegImageRef & { packId?: string }): Promise<SegEncodeReply> {
    const { id, pack } = await this.pack(req.packId);
    const { embedding, fresh } = await this.embedding(pack, req);
    return { packId: id, width: embedding.width, height: embedding.height, encodeMs: fresh ? embedding.encodeMs : 0, cached: !fresh };
  }

  async predict(req: PredictInput): Promise<SegPredictReply> {
    if (req.points.length === 0 && !req.box) throw new SegmentError('BAD_REQUEST', 'Give at least one point or a box.');
    const { id, pack } = await this.pack(req.packId);
    const { key, embedding: e, fresh } = await this.embedding(pack, req);
    const t0 = performance.now();
    const width = req.size?.width ?? e.width;
    const height = req.size?.height ?? e.height;
    // The window may show the photo larger than the decoded one (which is capped), never another shape.
    if (Math.abs(width / height - e.width / e.height) > 0.02 * (e.width / e.height) + 1 / Math.min(width, height)) {
      throw new SegmentError('BAD_REQUEST', `size ${width}×${height} does not have the shape of the image (${e.width}×${e.height}); send the size of the image the clicks were made on.`);
    }
    let previous: Float32Array | null = null;
    if (req.previous !== undefined) {
      const p = this.proposals.get(req.previous);
      if (!p) throw new SegmentError('NOT_FOUND', `Proposal ${req.previous} is no longer held; predict again without "previous".`);
      if (p.embeddingKey !== key) throw new SegmentError('BAD_REQUEST', `Proposal ${req.previous} belongs to another image or pack; predict without "previous".`);
      previous = p.logits;
    }
    const m = pack.manifest;
    const prompt = promptTensors(req.points, req.box, { width, height, resizedWidth: e.resizedWidth, resizedHeight: e.resizedHeight });
    const result = await runDecoder(pack.decoder, {
      embedding: { data: e.data, dims: e.dims }, coords: prompt.coords, labels: prompt.labels, previous,
      maskInputSize: m.maskInputSize, origImSize: [e.resizedHeight, e.resizedWidth],
    });
    const mask = logitsToMask(result.logits, {
      lowRes: m.maskInputSize, inputSize: m.input.size, resizedWidth: e.resizedWidth, resizedHeight: e.resizedHeight, width, height,
    });
    let area = 0;
    for (let i = 0; i < mask.length; i++) area += mask[i];
    const proposalId = randomUUID();
    this.proposals.set(proposalId, { embeddingKey: key, logits: result.logits });
    return {
      packId: id, proposalId, mask: encodeMaskRle(mask, width, height), area, score: result.score,
      ms: performance.now() - t0, encodeMs: fresh ? e.encodeMs : 0,
    };
  }

  async close(): Promise<void> {
    const opened = [...this.packs.values()];
    this.packs.clear();
    this.embeddings.clear();
    this.proposals.clear();
    await Promise.all(opened.map(async (p) => (await p.catch(() => null))?.close()));
  }
}
