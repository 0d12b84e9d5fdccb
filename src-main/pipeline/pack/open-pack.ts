/**
 * `openPack`: a validated manifest plus lazily created ONNX sessions (one per role, created on first
 * use, checked against the manifest when created). `validatePack` does the full check eagerly.
 */
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ExecutionProvider } from '../../../src-shared/api/jobs';
import { PackError } from '../errors';
import { ROLES } from './manifest-schema';
import type { Manifest, Role } from './manifest-schema';
import { createSession } from './sessions';
import { fileProblems, readManifest, sessionProblems } from './validate';

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
      const tensors: Record<string, ort.Tensor> = {};
      for (const [name, f] of Object.entries(feeds)) {
        tensors[name] = new ort.Tensor(f.data instanceof Int32Array ? 'int32' : 'float32', f.data, f.dims);
      }
      const out = await sess.run(tensors);
      const result: Record<string, { data: Float32Array; dims: number[] }> = {};
      for (const [name, t] of Object.entries(out)) {
        result[name] = { data: t.data as Float32Array, dims: [...t.dims] };
      }
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

/** Full validation: schema, contract, files, hashes, and every session's real I/O. Never throws for pack problems. */
export async function validatePack(dir: string): Promise<ValidationResult> {
  const root = resolve(dir);
  const { manifest, problems } = await readManifest(root);
  if (!manifest) return { ok: false, dir: root, problems };
  const all = [...problems, ...(await fileProblems(root, manifest))];
  if (all.length === 0) {
    for (const role of ROLES) {
      const file = manifest.files[role].path;
      try {
        const created = await createSession(join(root, file), 'cpu');
        all.push(...sessionProblems(role, manifest, created.session));
        await created.session.release();
      } catch (err) {
        all.push(`${file}: ONNX Runtime cannot load it (${(err as Error).message.split('\n')[0]})`);
      }
    }
  }
  return { ok: all.length === 0, dir: root, name: manifest.name, version: manifest.version, problems: all };
}
