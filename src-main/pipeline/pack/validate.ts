/**
 * Pack validation: schema, files, sha256, and the ONNX sessions' real input/output names, ranks, dtypes
 * and fixed sizes against both the manifest (its file declarations and its constants: image size, grid
 * resolution, latent widths, subdivisions …) and the contract (docs/model-pack.md). Every problem names the
 * file and, for a size, the manifest field it contradicts.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { ManifestSchema, PACK_FORMAT, ROLE_DIMS, ROLE_IO, ROLES, SUBDIVISION_INPUT } from './manifest-schema';
import type { DimRule, Manifest, Role } from './manifest-schema';

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
    const declared = (side: 'inputs' | 'outputs') =>
      Object.fromEntries(Object.entries(spec[side]).map(([name, t]) => [name, t.shape]));
    problems.push(...dimensionProblems(role, m, { inputs: declared('inputs'), outputs: declared('outputs') }, 'manifest'));
  }
  return problems;
}

export type Dims = readonly (number | string)[];
/** A role's input and output shapes by name: as the ONNX graph has them, or as the manifest declares the file. */
export interface RoleShapes {
  inputs: Record<string, Dims>;
  outputs: Record<string, Dims>;
}

/**
 * The role's fixed axes against the manifest's constants and the contract's sizes (ROLE_DIMS), and the
 * mesh decoder's neighbour-map inputs against `decoders.mesh.subdivisions`. `source` says whose shapes
 * these are: the ONNX graph's, or the manifest's declaration of the file (`files.<role>`), checked when
 * the manifest is read so that a run is refused before any network runs. Dynamic axes (names, -1) are
 * not checked here; `outputProblems` checks what a run actually returns.
 */
export function dimensionProblems(role: Role, m: Manifest, shapes: RoleShapes, source: 'graph' | 'manifest'): string[] {
  const file = m.files[role].path;
  const problems: string[] = [];
  const fixed = (d: number | string | undefined): d is number => typeof d === 'number' && d > 0;
  for (const side of ['inputs', 'outputs'] as const) {
    for (const [name, rules] of Object.entries(ROLE_DIMS[role][side])) {
      const dims = shapes[side][name];
      if (!dims || dims.length !== rules.length) continue; // missing names and wrong ranks are reported elsewhere
      // Axes that share a constant are reported together ("is 64×64"); fixed contract sizes one by one.
      const groups = new Map<DimRule | string, number[]>();
      rules.forEach((rule, axis) => {
        if (rule === null) return;
        const key = typeof rule === 'number' ? `axis ${axis}` : rule;
        groups.set(key, [...(groups.get(key) ?? []), axis]);
      });
      for (const [key, axes] of groups) {
        const rule = typeof key === 'string' ? (rules[axes[0]] as number) : key;
        const want = typeof rule === 'number' ? rule : rule.value(m);
        if (!axes.some((a) => fixed(dims[a]) && dims[a] !== want)) continue;
        const size = axes.map((a) => String(dims[a])).join('×');
        const is = `${axes.length > 1 ? '' : `axis ${axes[0]} `}is ${source === 'manifest' ? 'declared ' : ''}${size}`;
        const where = source === 'manifest' ? ` (files.${role}.${side}.${name}.shape)` : '';
        const but =
          typeof rule === 'number'
            ? `the contract says ${rule}`
            : `manifest ${rule.field} is ${rule.show ? rule.show(m) : want}`;
        problems.push(`${file}: ${side.slice(0, -1)} "${name}" ${is}${where} but ${but}`);
      }
    }
  }
  if (role === 'mesh_decoder') {
    const levels = Object.keys(shapes.inputs).filter((n) => SUBDIVISION_INPUT.test(n)).sort();
    const s = m.decoders.mesh.subdivisions;
    if (levels.length !== s)
      problems.push(
        `${file}: ${source === 'graph' ? 'the ONNX graph takes' : 'the manifest declares'} neighbour maps for ` +
          `${levels.length} subdivision level${levels.length === 1 ? '' : 's'} (${levels.join(', ') || 'none'}) ` +
          `but manifest decoders.mesh.subdivisions is ${s}`,
      );
  }
  return problems;
}

/**
 * What a run of `role` returned against what the manifest's constants make it, given the sizes it was
 * fed: the sizes a graph may leave dynamic (the occupancy grid's resolution, the rows per voxel that the
 * subdivisions make, the feature widths). Used after every run and by validatePack's probe runs.
 */
export function outputProblems(
  role: Role,
  m: Manifest,
  feeds: Record<string, readonly number[]>,
  outs: Record<string, readonly number[]>,
): string[] {
  const file = m.files[role].path;
  const problems: string[] = [];
  const shown = (d: readonly number[]) => d.join('×');
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  switch (role) {
    case 'condition': {
      for (const name of ['cond_ss', 'cond_slat']) {
        const got = outs[name];
        if (got && got.at(-1) !== m.condition.dim)
          problems.push(`${file}: output "${name}" came out ${shown(got)} but manifest condition.dim is ${m.condition.dim}`);
      }
      break;
    }
    case 'ss_flow':
    case 'slat_flow': {
      const pairs =
        role === 'slat_flow'
          ? [['x', 'v']]
          : ['shape', 'rot6d', 'translation', 'scale', 'translation_scale'].map((k) => [`x_${k}`, `v_${k}`]);
      for (const [x, v] of pairs) {
        const fed = feeds[x],
          got = outs[v];
        if (fed && got && !same(fed, got))
          problems.push(`${file}: output "${v}" came out ${shown(got)} for input "${x}" ${shown(fed)}; the contract says the same shape`);
      }
      break;
    }
    case 'ss_decoder': {
      const latent = feeds.latent,
        got = outs.logits;
      if (!latent || !got) break;
      const r = m.grid.resolution;
      const want = [latent[0], 1, r, r, r];
      if (!same(got, want))
        problems.push(
          `${file}: output "logits" came out ${shown(got)} for a ${shown(latent)} latent but manifest grid.resolution is ${r} (${shown(want)})`,
        );
      break;
    }
    case 'mesh_decoder': {
      const n = feeds.slat?.[0],
        got = outs.feats;
      if (n === undefined || !got) break;
      const s = m.decoders.mesh.subdivisions;
      const rows = n * 8 ** s;
      if (got[0] !== rows)
        problems.push(
          `${file}: output "feats" has ${got[0]} rows for ${n} voxel${n === 1 ? '' : 's'} but manifest decoders.mesh.subdivisions is ${s} ` +
            `(${rows} rows: 8^${s} per voxel)`,
        );
      const layout = m.decoders.mesh.layout;
      const needs = Math.max(...[layout.sdf, layout.deform, layout.weights, layout.color].map((r) => r?.[1] ?? 0));
      if (got.length !== 2 || got[1] < needs)
        problems.push(`${file}: output "feats" came out ${shown(got)} but manifest decoders.mesh.layout needs ${needs} channels`);
      break;
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
  const shapes = (meta: readonly ort.InferenceSession.ValueMetadata[]): Record<string, Dims> =>
    Object.fromEntries(meta.filter((md) => md.isTensor).map((md) => [md.name, md.isTensor ? md.shape : []]));
  problems.push(
    ...dimensionProblems(role, m, { inputs: shapes(session.inputMetadata), outputs: shapes(session.outputMetadata) }, 'graph'),
  );
  return problems;
}
