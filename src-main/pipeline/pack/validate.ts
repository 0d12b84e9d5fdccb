/**
 * Pack validation: schema, files, sha256, and the ONNX sessions' real input/output names, ranks and
 * dtypes against both the manifest and the contract (docs/model-pack.md). Every problem names the file.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { ManifestSchema, PACK_FORMAT, ROLE_IO, ROLES } from './manifest-schema';
import type { Manifest, Role } from './manifest-schema';

export interface ManifestRead {
  manifest: Manifest | null;
  problems: string[];
}

/** Why `manifest.json` could not be read, in words that say what to do (shared with the pack listing). */
export function manifestReadProblem(dir: string, file: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return existsSync(dir)
        ? `${file}: missing or unreadable — is "${dir}" a model pack folder? (it holds manifest.json and one .onnx file per role)`
        : `${file}: the folder "${dir}" does not exist — check the pack path`;
    case 'ENOTDIR':
      return `${file}: "${dir}" is a file, not a model pack folder — give the folder that holds manifest.json`;
    case 'EISDIR':
      return `${file}: is a folder, not a file — the pack is damaged; copy or re-export it`;
    case 'EACCES':
    case 'EPERM':
      return `${file}: permission denied — make the pack folder readable by this user`;
    default:
      return `${file}: cannot be read (${err.message}) — copy or re-export the pack`;
  }
}

/** Read and schema-check `manifest.json`. */
export async function readManifest(dir: string): Promise<ManifestRead> {
  const file = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { manifest: null, problems: [manifestReadProblem(dir, file, err as NodeJS.ErrnoException)] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { manifest: null, problems: [`${file}: not valid JSON (${(err as Error).message})`] };
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (typeof format === 'string' && format.startsWith('fastsam3d-segpack/')) {
    // A segmentation pack (src-main/segment) in the place of a reconstruction pack: say which is which.
    return {
      manifest: null,
      problems: [
        `${file}: this is a segmentation pack (${format}, used by Segment to propose masks), not a reconstruction pack; ` +
          `choose a reconstruction pack (format "${PACK_FORMAT}") such as models/mini`,
      ],
    };
  }
  if (format !== PACK_FORMAT) {
    return {
      manifest: null,
      problems: [
        `${file}: unknown pack format ${JSON.stringify(format)}; this version reads "${PACK_FORMAT}" — update the app or re-export the pack`,
      ],
    };
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    return {
      manifest: null,
      problems: parsed.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`),
    };
  }
  return { manifest: parsed.data, problems: contractProblems(parsed.data) };
}

/** The manifest's declared I/O of each role against the contract's names, dtypes and ranks. */
export function contractProblems(m: Manifest): string[] {
  const problems: string[] = [];
  for (const role of ROLES) {
    const spec = m.files[role];
    for (const side of ['inputs', 'outputs'] as const) {
      const want = ROLE_IO[role][side];
      const have = spec[side];
      for (const [name, w] of Object.entries(want)) {
        const h = have[name];
        if (!h) problems.push(`${spec.path}: manifest ${side} lack "${name}" required for role ${role}`);
        else {
          if (h.dtype !== w.dtype)
            problems.push(`${spec.path}: manifest ${side}.${name} has dtype ${h.dtype}, the contract says ${w.dtype}`);
          if (h.shape.length !== w.rank)
            problems.push(
              `${spec.path}: manifest ${side}.${name} has rank ${h.shape.length}, the contract says ${w.rank}`,
            );
        }
      }
      for (const name of Object.keys(have))
        if (!want[name])
          problems.push(`${spec.path}: manifest ${side} declare "${name}", which role ${role} does not have`);
    }
  }
  return problems;
}

const hashCache = new Map<string, string>();

export async function sha256File(path: string): Promise<string> {
  const st = await stat(path);
  const key = `${path}:${st.size}:${st.mtimeMs}`;
  const cached = hashCache.get(key);
  if (cached) return cached;
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    createReadStream(path)
      .on('data', (d) => hash.update(d))
      .on('end', resolve)
      .on('error', reject);
  });
  const hex = hash.digest('hex');
  hashCache.set(key, hex);
  return hex;
}

/** Index of the first character where `a` and `b` differ (the shorter length when one is a prefix). */
function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The problem line for a pack file whose hash is not the manifest's (model packs and segmentation packs). */
export function hashMismatch(file: string, expected: string, actual: string): string {
  return `${file}: sha256 mismatch (manifest ${expected}, file ${actual}; they differ from character ${firstDifference(expected, actual) + 1}) — the file is corrupt or was replaced`;
}

/** Existence and sha256 of every file. */
export async function fileProblems(dir: string, m: Manifest): Promise<string[]> {
  const problems: string[] = [];
  for (const role of ROLES) {
    const spec = m.files[role];
    const path = join(dir, spec.path);
    try {
      const st = await stat(path);
      if (!st.isFile()) {
        problems.push(`${spec.path}: not a file (role ${role})`);
        continue;
      }
      if (st.size === 0) {
        problems.push(`${spec.path}: empty file (0 bytes, role ${role}) — the copy or download was cut short; copy or re-export the pack`);
        continue;
      }
    } catch {
      problems.push(`${spec.path}: missing (role ${role}) — the pack is incomplete; copy or re-export it`);
      continue;
    }
    let actual: string;
    try {
      actual = await sha256File(path);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      problems.push(
        e.code === 'EACCES' || e.code === 'EPERM'
          ? `${spec.path}: permission denied (role ${role}) — make the pack's files readable by this user`
          : `${spec.path}: cannot be read (role ${role}: ${e.message}) — copy or re-export the pack`,
      );
      continue;
    }
    if (actual !== spec.sha256)
      problems.push(hashMismatch(spec.path, spec.sha256, actual));
  }
  return problems;
}

const ORT_DTYPE: Record<string, string> = {
  float32: 'float32',
  int32: 'int32',
  int64: 'int64',
  float16: 'float16',
  bool: 'bool',
};

/** A created session's real I/O against the manifest. */
export function sessionProblems(role: Role, m: Manifest, session: ort.InferenceSession): string[] {
  const spec = m.files[role];
  const problems: string[] = [];
  const check = (
    side: 'inputs' | 'outputs',
    names: readonly string[],
    meta: readonly ort.InferenceSession.ValueMetadata[],
  ) => {
    const declared = spec[side];
    for (const name of Object.keys(declared))
      if (!names.includes(name))
        problems.push(
          `${spec.path}: the ONNX graph has no ${side.slice(0, -1)} "${name}" (it has ${names.join(', ')})`,
        );
    for (const name of names)
      if (!declared[name])
        problems.push(`${spec.path}: the ONNX graph has an undeclared ${side.slice(0, -1)} "${name}"`);
    for (const md of meta) {
      const d = declared[md.name];
      if (!d || !md.isTensor) continue;
      if (md.type !== ORT_DTYPE[d.dtype])
        problems.push(
          `${spec.path}: ${side.slice(0, -1)} "${md.name}" is ${md.type} in the graph, ${d.dtype} in the manifest`,
        );
      if (md.shape.length > 0 && md.shape.length !== d.shape.length)
        problems.push(
          `${spec.path}: ${side.slice(0, -1)} "${md.name}" has rank ${md.shape.length} in the graph, ${d.shape.length} in the manifest`,
        );
      else if (md.shape.length > 0) {
        md.shape.forEach((dim, a) => {
          const want = d.shape[a];
          if (typeof dim === 'number' && dim > 0 && typeof want === 'number' && dim !== want)
            problems.push(
              `${spec.path}: ${side.slice(0, -1)} "${md.name}" axis ${a} is ${dim} in the graph, ${want} in the manifest`,
            );
        });
      }
    }
  };
  check('inputs', session.inputNames, session.inputMetadata);
  check('outputs', session.outputNames, session.outputMetadata);
  return problems;
}
