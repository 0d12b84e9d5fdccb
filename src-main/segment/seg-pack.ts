/**
 * Opening a segmentation pack: manifest, files and sha256, then both ONNX sessions (CPU) checked against
 * the contract. Any problem becomes one PackError listing them all, each naming its file.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { PackError } from '../pipeline/errors';
import { createSession } from '../pipeline/pack/sessions';
import { hashMismatch, sha256File } from '../pipeline/pack/validate';
import { sessionContractProblems } from './contract';
import { readSegManifest, SEG_PACK_DOC, SEG_ROLES, type SegManifest } from './manifest';

export interface SegPack {
  readonly dir: string;
  readonly manifest: SegManifest;
  readonly encoder: ort.InferenceSession;
  readonly decoder: ort.InferenceSession;
  close(): Promise<void>;
}

function packError(dir: string, problems: string[]): PackError {
  return new PackError(
    `The segmentation pack "${dir}" cannot be used:\n  - ${problems.join('\n  - ')}\nFix or re-export it (${SEG_PACK_DOC}).`,
    problems, problems[0]?.split(':')[0],
  );
}

/** Existence and sha256 of the pack's files. */
async function fileProblems(dir: string, m: SegManifest): Promise<string[]> {
  const problems: string[] = [];
  for (const role of SEG_ROLES) {
    const { file, sha256 } = m.files[role];
    const path = join(dir, file);
    try {
      if (!(await stat(path)).isFile()) { problems.push(`${path}: not a file (the ${role})`); continue; }
    } catch {
      problems.push(`${path}: missing (the ${role}) — the pack is incomplete; copy or re-export it`);
      continue;
    }
    const actual = await sha256File(path);
    if (actual !== sha256) {
      problems.push(hashMismatch(path, sha256, actual));
    }
  }
  return problems;
}

export async function openSegPack(dir: string): Promise<SegPack> {
  const root = resolve(dir);
  const { manifest, problems } = await readSegManifest(root);
  if (!manifest) throw packError(root, problems);
  const fp = await fileProblems(root, manifest);
  if (fp.length) throw packError(root, fp);
  const sessions: ort.InferenceSession[] = [];
  const all: string[] = [];
  try {
    for (const role of SEG_ROLES) {
      const path = join(root, manifest.files[role].file);
      let session: ort.InferenceSession;
      try {
        // CPU on purpose: segmentation stays interactive beside a 3D job that may hold the GPU.
        session = (await createSession(path, 'cpu')).session;
      } catch (err) {
        all.push(`${path}: ONNX Runtime cannot load it (${(err as Error).message.split('\n')[0]})`);
        continue;
      }
      sessions.push(session);
      all.push(...sessionContractProblems(role, path, manifest, session));
    }
    if (all.length) throw packError(root, all);
  } catch (err) {
    await Promise.all(sessions.map((s) => s.release().catch(() => undefined)));
    throw err;
  }
  const [encoder, decoder] = sessions;
  return {
    dir: root, manifest, encoder, decoder,
    async close() {
      await Promise.all(sessions.map((s) => s.release().catch(() => undefined)));
    },
  };
}
