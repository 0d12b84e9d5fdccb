/**
 * `openPack`: a validated manifest plus lazily created ONNX sessions (one per role, created on first
 * use, checked against the manifest when created). `validatePack` does the full check eagerly, with a
 * probe run of each decoder for the output sizes a graph may leave dynamic.
 *
 * A run whose inputs ONNX Runtime refuses for their sizes, or whose outputs do not have the sizes the
 * manifest's constants give, is a PackError (the graph does not match its manifest), not an internal error.
 */
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ExecutionProvider } from '../../../src-shared/api/jobs';
import { PackError } from '../errors';
import { ROLES } from './manifest-schema';
import type { Manifest, Role } from './manifest-schema';
import { meshDecoderTables } from '../sparse/tables';
import { createSession } from './sessions';
import { fileProblems, outputProblems, readManifest, sessionProblems } from './validate';

export type Feed = Float32Array | Int32Array;
export interface FeedTensor {
  data: Feed;
  dims: number[];
}

export interface OpenPackOptions {
  executionProvider?: ExecutionProvider;
  /** Check sha256 of every file on open (default true; results are cached per file size + mtime). */
  verifyHashes?: boolean;
  /** ONNX Runtime intra-op threads per session (default: ORT's choice); see SessionTuning. */
  intraOpThreads?: number;
}

export interface Pack {
  readonly dir: string;
  readonly manifest: Manifest;
  /** Requested provider. */
  readonly requestedProvider: ExecutionProvider;
  /** Provider the sessions run on ('cpu' until a session exists, then the real one). */
  readonly executionProvider: string;
  /** Fallback notes (requested provider unavailable …). */
  readonly warnings: string[];
  session(role: Role): Promise<ort.InferenceSession>;
  /** Run a role; returns float32 outputs by name. */
  run(role: Role, feeds: Record<string, FeedTensor>): Promise<Record<string, { data: Float32Array; dims: number[] }>>;
  close(): Promise<void>;
}

function packError(dir: string, problems: string[]): PackError {
  const head = `The model pack "${dir}" is invalid`;
  return new PackError(`${head}:\n  - ${problems.join('\n  - ')}`, problems, problems[0]?.split(':')[0]);
}

function toTensors(feeds: Record<string, FeedTensor>): Record<string, ort.Tensor> {
  const tensors: Record<string, ort.Tensor> = {};
  for (const [name, f] of Object.entries(feeds))
    tensors[name] = new ort.Tensor(f.data instanceof Int32Array ? 'int32' : 'float32', f.data, f.dims);
  return tensors;
}

const dimsOf = (t: Record<string, { dims: readonly number[] }>): Record<string, readonly number[]> =>
  Object.fromEntries(Object.entries(t).map(([name, v]) => [name, v.dims]));

/** ONNX Runtime's message on one line, without its generic advice. */
function ortMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text
    .replace(/Please fix either the inputs(\/outputs)? or the model\.?/g, '')
    .replace(/\s*\n\s*/g, '; ')
    .replace(/;\s*$/, '')
    .trim();
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}

/**
 * Whether an error of `session.run` says that the inputs' sizes or types do not fit the graph (fed as
 * the manifest's constants size them), as opposed to a failure of the machine (memory) or a bug.
 */
export function isInputMismatch(err: unknown): boolean {
  const text = err instanceof Error ? err.message : String(err);
  if (/alloc|out of memory|bad_alloc/i.test(text)) return false;
  return /invalid (dimensions|rank|input name|argument)|INVALID_ARGUMENT|unexpected input data type|shape|dimension|broadcast/i.test(text);
}

/** The PackError for a run that ONNX Runtime refused for its sizes: names the pack, role, file and what was fed. */
function mismatchError(root: string, file: string, role: Role, feeds: Record<string, FeedTensor>, err: unknown): PackError {
  const fed = Object.entries(feeds)
    .map(([name, f]) => `${name} ${f.dims.join('×')}`)
    .join(', ');
  return packError(root, [
    `${file}: ONNX Runtime refused the inputs of role ${role}, sized by the manifest's constants (${ortMessage(err)}); ` +
      `fed ${fed} — the graph does not match manifest.json; check the pack with \`fastsam3d pack validate\``,
  ]);
}

export async function openPack(dir: string, opts: OpenPackOptions = {}): Promise<Pack> {
  const threads = opts.intraOpThreads;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new RangeError(`openPack: intraOpThreads must be an integer ≥ 1 (or left out for ORT's default), got ${threads}`);
  }
  const root = resolve(dir);
  const { manifest, problems } = await readManifest(root);
  if (!manifest || problems.length) throw packError(root, problems);
  if (opts.verifyHashes !== false) {
    const fp = await fileProblems(root, manifest);
    if (fp.length) throw packError(root, fp);
  }
  const requested = opts.executionProvider ?? 'cpu';
  const sessions = new Map<Role, Promise<ort.InferenceSession>>();
  const warnings: string[] = [];
  let provider: string = requested === 'auto' ? 'cpu' : requested;
  let closed = false;

  const session = (role: Role): Promise<ort.InferenceSession> => {
    if (closed) return Promise.reject(new PackError(`the pack "${root}" is closed`));
    let s = sessions.get(role);
    if (!s) {
      const file = manifest.files[role].path;
      s = createSession(join(root, file), requested, { intraOpThreads: threads }).then(
        (created) => {
          provider = created.provider;
          for (const f of created.fallbacks) if (!warnings.includes(f)) warnings.push(f);
          const sp = sessionProblems(role, manifest, created.session);
          if (sp.length) {
            void created.session.release();
            throw packError(root, sp);
          }
          return created.session;
        },
        (err: unknown) => {
          throw packError(root, [`${file}: ONNX Runtime cannot load it (${(err as Error).message.split('\n')[0]})`]);
        },
      );
      s.catch(() => sessions.delete(role));
      sessions.set(role, s);
    }
    return s;
  };

  return {
    dir: root,
    manifest,
    requestedProvider: requested,
    get executionProvider() {
      return provider;
    },
    warnings,
    session,
    async run(role, feeds) {
      const sess = await session(role);
      let out: ort.InferenceSession.ReturnType;
      try {
        out = await sess.run(toTensors(feeds));
      } catch (err) {
        if (isInputMismatch(err)) throw mismatchError(root, manifest.files[role].path, role, feeds, err);
        throw err;
      }
      const result: Record<string, { data: Float32Array; dims: number[] }> = {};
      for (const [name, t] of Object.entries(out)) {
        result[name] = { data: t.data as Float32Array, dims: [...t.dims] };
      }
      const op = outputProblems(role, manifest, dimsOf(feeds), dimsOf(result));
      if (op.length) throw packError(root, op);
      return result;
    },
    async close() {
      closed = true;
      const all = [...sessions.values()];
      sessions.clear();
      for (const s of all) {
        try {
          await (await s).release();
        } catch {
          /* a session that failed to load has nothing to release */
        }
      }
    },
  };
}

export interface ValidationResult {
  ok: boolean;
  dir: string;
  name?: string;
  version?: string;
  problems: string[];
}

/**
 * Minimal inputs for the roles whose output sizes a graph may leave dynamic: a zero latent for
 * ss_decoder (→ the occupancy grid, grid.resolution³) and one zero voxel at the grid's centre for
 * mesh_decoder (→ 8^subdivisions rows of feature channels). Built from the manifest's constants, as a run
 * builds them; null for the other roles.
 */
export function probeFeeds(role: Role, m: Manifest): Record<string, FeedTensor> | null {
  if (role === 'ss_decoder') {
    const c = m.grid.ssLatentChannels,
      l = m.grid.ssLatentResolution;
    return { latent: { data: new Float32Array(c * l ** 3), dims: [1, c, l, l, l] } };
  }
  if (role === 'mesh_decoder') {
    const mid = Math.floor(m.grid.resolution / 2);
    const coords = Int32Array.of(mid, mid, mid);
    const t = meshDecoderTables(coords, m.grid.resolution, m.decoders.mesh);
    const feeds: Record<string, FeedTensor> = {
      slat: { data: new Float32Array(m.slat.channels), dims: [1, m.slat.channels] },
      coords: { data: coords, dims: [1, 3] },
      win0_idx: { data: t.win0.idx, dims: [t.win0.windows, t.win0.maxLen] },
      win0_inv: { data: t.win0.inv, dims: [1] },
      win1_idx: { data: t.win1.idx, dims: [t.win1.windows, t.win1.maxLen] },
      win1_inv: { data: t.win1.inv, dims: [1] },
    };
    t.levelNbr.forEach((nbr, i) => (feeds[`nbr_l${i + 1}`] = { data: nbr, dims: [nbr.length / 27, 27] }));
    return feeds;
  }
  return null;
}

/**
 * Run the role's probe (probeFeeds) and check its output sizes; [] when it has none or they fit. The
 * ss_decoder probe (~0.1 s for models/mini on a busy 2-core CPU) runs only when the graph leaves the
 * occupancy grid's size dynamic (otherwise sessionProblems has compared it already); the mesh_decoder
 * probe (one voxel, ~2 ms for models/mini) always runs, as its row count is dynamic by nature.
 */
export async function probeProblems(role: Role, m: Manifest, session: ort.InferenceSession): Promise<string[]> {
  if (role === 'ss_decoder') {
    const md = session.outputMetadata.find((o) => o.name === 'logits');
    if (md?.isTensor && md.shape.slice(1).every((d) => typeof d === 'number' && d > 0)) return [];
  }
  const all = probeFeeds(role, m);
  if (!all) return [];
  // Only what the graph takes: a decoder with fewer levels than the manifest's subdivisions then runs,
  // and its output says so.
  const feeds = Object.fromEntries(Object.entries(all).filter(([name]) => session.inputNames.includes(name)));
  const file = m.files[role].path;
  let out: ort.InferenceSession.ReturnType;
  try {
    out = await session.run(toTensors(feeds));
  } catch (err) {
    return [`${file}: a probe run on minimal inputs sized by the manifest failed in ONNX Runtime (${ortMessage(err)})`];
  }
  return outputProblems(role, m, dimsOf(feeds), dimsOf(out));
}

/**
 * Full validation: schema, contract, files, hashes, every session's real I/O against the manifest's
 * declarations and constants, and probe runs of the decoders (probeProblems: ~2 ms for models/mini).
 * Never throws for pack problems.
 */
export async function validatePack(dir: string): Promise<ValidationResult> {
  const root = resolve(dir);
  const { manifest, problems } = await readManifest(root);
  if (!manifest) return { ok: false, dir: root, problems };
  const all = [...problems, ...(await fileProblems(root, manifest))];
  if (all.length === 0) {
    for (const role of ROLES) {
      const file = manifest.files[role].path;
      let session: ort.InferenceSession;
      try {
        session = (await createSession(join(root, file), 'cpu')).session;
      } catch (err) {
        all.push(`${file}: ONNX Runtime cannot load it (${(err as Error).message.split('\n')[0]})`);
        continue;
      }
      try {
        const sp = sessionProblems(role, manifest, session);
        all.push(...(sp.length ? sp : await probeProblems(role, manifest, session)));
      } finally {
        await session.release();
      }
    }
  }
  return { ok: all.length === 0, dir: root, name: manifest.name, version: manifest.version, problems: all };
}
