/**
 * What `infer` and `scene` share: their options (pack, preset, outputs, execution provider, one flag per
 * parameter), and one helper that parses those options, checks the output folder, opens the pack, shows
 * progress, cancels on Ctrl-C and always cleans up, so each subcommand only says what it runs and what it
 * writes.
 */
import { isAbsolute } from 'node:path';
import { Command, Option } from 'commander';
import { ExecutionProviderSchema } from '../../src-shared/api/jobs';
import type { ExecutionProvider } from '../../src-shared/api/jobs';
import { METHODS } from '../../src-shared/params';
import type { Method } from '../../src-shared/params';
import type { RunReport } from '../../src-shared/report';
import { openPack } from '../pipeline';
import type { Pack, RunOptions } from '../pipeline';
import type { Mesh } from '../pipeline/types';
import { simplifyMesh } from '../export/simplify';
import { discardPendingWritesSync, type ExportFormat } from '../export/write-outputs';
import { DEFAULT_PACK } from './app-root';
import { pathFlag } from './inputs';
import { parseFormats, parseTargetTriangles, prepareOutputDir, type PreparedOutputDir } from './outputs';
import { trapSignals } from './signals';
import { throwIfAborted } from '../pipeline/errors';
import { addParamFlags, paramOverrides } from './param-flags';
import { progressBar } from './progress-bar';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  /** Ends the process at once (a second Ctrl-C); process.exit unless a test replaces it. */
  exit?: (code: number) => void;
}

/** commander's parsed options of a run subcommand (strings and booleans, validated by runWithPack). */
export type RawRunOptions = Record<string, string | boolean | undefined>;

/** The hint of an empty --pack: what to pass instead. */
export const EMPTY_PACK_HINT = "pass a model pack folder, or leave the flag out for the installation's models/mini";

/** --pack as given (relative to the current folder), else the installation's models/mini. */
export function packDir(o: RawRunOptions): string {
  return pathFlag('--pack', o.pack, EMPTY_PACK_HINT) ?? DEFAULT_PACK;
}

export const PACK_HELP = `model pack folder (manifest.json + *.onnx) (default: models/mini of the installation${
  isAbsolute(DEFAULT_PACK) ? `, ${DEFAULT_PACK}` : ''
})`;

export function addRunOptions(cmd: Command): Command {
  cmd
    .option('--pack <dir>', PACK_HELP)
    .addOption(
      new Option('--preset <method>', 'acceleration preset or benchmark baseline')
        .choices([...METHODS])
        .default('fast-sam3d'),
    )
    .option('--output-dir <dir>', 'folder for the result files (created if missing)', 'output')
    .option('--format <list>', 'comma-separated mesh formats: glb, obj, ply', 'glb')
    .option('--posed', 'write meshes placed in the camera frame (layout applied) instead of the object frame')
    .option('--target-triangles <n>', 'simplify each mesh to about this many triangles')
    .addOption(
      new Option('--execution-provider <ep>', 'ONNX Runtime execution provider (CPU fallback)')
        .choices([...ExecutionProviderSchema.options])
        .default('cpu'),
    )
    .option('--name <name>', 'base name of the output files, taken as it is (cleaned to letters, digits, . _ -); without it the name comes from the input and ends in -posed / -<N>tri for --posed / --target-triangles')
    .option('--json', 'print the run report as JSON on stdout');
  return addParamFlags(cmd);
}

/** How the written mesh was simplified (--target-triangles): the report's `mesh.simplification`. */
export type Simplification = NonNullable<RunReport['mesh']['simplification']>;

/** The run subcommands' options, parsed and validated. */
export interface RunContext {
  pack: Pack;
  /** Pass to runObject / runScene: method, parameter overrides, progress and cancellation. */
  runOptions: RunOptions;
  /** Aborted by Ctrl-C: pass to the writers too (AbortError → exit 130, nothing written). */
  signal: AbortSignal;
  outputDir: string;
  formats: ExportFormat[];
  targetTriangles: number | undefined;
  posed: boolean;
  json: boolean;
  /** The mesh to write: simplified for --target-triangles (with what was done), else the mesh itself. */
  outputMesh: (mesh: Mesh) => Promise<{ mesh: Mesh; simplification?: Simplification }>;
  /** Clear the progress line before printing results. */
  endProgress: () => void;
}

/**
 * Parse the shared options, check the output folder (`outputFiles`: the file names the run will write
 * there, for the given formats), open the pack, run `fn`, and close everything whatever happens.
 * Ctrl-C aborts the run (exit 130, nothing written); a second Ctrl-C, SIGTERM or SIGHUP removes any
 * temporary file and the folders this run made, and exits at once (signals.ts).
 */
export async function runWithPack(
  o: RawRunOptions,
  io: Io,
  outputFiles: (formats: ExportFormat[]) => string[],
  fn: (ctx: RunContext) => Promise<void>,
): Promise<void> {
  const formats = parseFormats(o.format as string);
  const targetTriangles = parseTargetTriangles(o.targetTriangles as string | undefined);
  const params = paramOverrides(o);
  const pack = packDir(o);
  const outputDir = o.outputDir as string;
  const bar = progressBar(io.stderr);
  // Before the output folder is made and probed: a signal while it is checked removes the probe and the folder.
  const trap = trapSignals(io, bar.done);
  let prepared: PreparedOutputDir | undefined;
  let ok = false;
  try {
    prepared = await prepareOutputDir(outputDir, outputFiles(formats), trap.onExit);
    trap.onExit(discardPendingWritesSync); // runs before the folders' removal (last registered first)
    throwIfAborted(trap.signal); // Ctrl-C while the folder was checked: the pack is not opened for nothing
    const opened = await openPack(pack, { executionProvider: o.executionProvider as ExecutionProvider });
    try {
      await fn({
        pack: opened,
        runOptions: { method: o.preset as Method, params, onProgress: bar.update, signal: trap.signal },
        signal: trap.signal,
        outputDir,
        formats,
        targetTriangles,
        posed: Boolean(o.posed),
        json: Boolean(o.json),
        outputMesh: async (mesh) => {
          if (targetTriangles === undefined) return { mesh };
          const simplified = await simplifyMesh(mesh, targetTriangles);
          return {
            mesh: simplified,
            simplification: {
              targetTriangles,
              fromVertices: mesh.positions.length / 3,
              fromTriangles: mesh.indices.length / 3,
            },
          };
        },
        endProgress: bar.done,
      });
      ok = true;
    } finally {
      await opened.close();
    }
  } finally {
    bar.done();
    trap.dispose();
    if (!ok) prepared?.removeIfCreatedSync();
  }
}

/** "wrote PATH" per file, "replaced PATH" where a file of that name was there before. */
export const wroteLines = (files: string[], replaced: boolean[] = []): string =>
  files.map((f, i) => `  ${replaced[i] ? 'replaced' : 'wrote'} ${f}\n`).join('');
