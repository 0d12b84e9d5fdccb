/**
 * What `infer` and `scene` share: their options (pack, preset, outputs, execution provider, one flag per
 * parameter), and one helper that parses those options, opens the pack, shows progress, cancels on
 * Ctrl-C and always cleans up, so each subcommand only says what it runs and what it writes.
 */
import { Command, Option } from 'commander';
import { ExecutionProviderSchema } from '../../src-shared/api/jobs';
import type { ExecutionProvider } from '../../src-shared/api/jobs';
import { METHODS } from '../../src-shared/params';
import type { Method } from '../../src-shared/params';
import { openPack } from '../pipeline';
import type { Pack, RunOptions } from '../pipeline';
import type { ExportFormat } from '../export';
import { parseFormats, parseTargetTriangles } from './outputs';
import { addParamFlags, paramOverrides } from './param-flags';
import { progressBar } from './progress-bar';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

/** commander's parsed options of a run subcommand (strings and booleans, validated by runWithPack). */
export type RawRunOptions = Record<string, string | boolean | undefined>;

export function addRunOptions(cmd: Command): Command {
  cmd
    .option('--pack <dir>', 'model pack folder (manifest.json + *.onnx)', 'models/mini')
    .addOption(
      new Option('--preset <method>', 'acceleration preset or benchmark baseline')
        .choices([...METHODS])
        .default('fast-sam3d'),
    )
    .option('--output-dir <dir>', 'folder for the result files', 'output')
    .option('--format <list>', 'comma-separated mesh formats: glb, obj, ply', 'glb')
    .option('--posed', 'write meshes placed in the camera frame (layout applied) instead of the object frame')
    .option('--target-triangles <n>', 'simplify each mesh to about this many triangles')
    .addOption(
      new Option('--execution-provider <ep>', 'ONNX Runtime execution provider (CPU fallback)')
        .choices([...ExecutionProviderSchema.options])
        .default('cpu'),
    )
    .option('--name <name>', 'base name of the output files')
    .option('--json', 'print the run report as JSON on stdout');
  return addParamFlags(cmd);
}

/** The run subcommands' options, parsed and validated. */
export interface RunContext {
  pack: Pack;
  /** Pass to runObject / runScene: method, parameter overrides, progress and cancellation. */
  runOptions: RunOptions;
  outputDir: string;
  formats: ExportFormat[];
  targetTriangles: number | undefined;
  posed: boolean;
  json: boolean;
  /** Clear the progress line before printing results. */
  endProgress: () => void;
}

/** Parse the shared options, open the pack, run `fn`, and close everything whatever happens. */
export async function runWithPack(o: RawRunOptions, io: Io, fn: (ctx: RunContext) => Promise<void>): Promise<void> {
  const formats = parseFormats(o.format as string);
  const targetTriangles = parseTargetTriangles(o.targetTriangles as string);
  const params = paramOverrides(o);
  const bar = progressBar(io.stderr);
  const ac = new AbortController();
  const onInt = () => ac.abort();
  process.once('SIGINT', onInt);
  try {
    const pack = await openPack(o.pack as string, { executionProvider: o.executionProvider as ExecutionProvider });
    try {
      await fn({
        pack,
        runOptions: { method: o.preset as Method, params, onProgress: bar.update, signal: ac.signal },
        outputDir: o.outputDir as string,
        formats,
        targetTriangles,
        posed: Boolean(o.posed),
        json: Boolean(o.json),
        endProgress: bar.done,
      });
    } finally {
      await pack.close();
    }
  } finally {
    bar.done();
    process.off('SIGINT', onInt);
  }
}

/** The "wrote …" lines of a run's plain-text summary. */
export const wroteLines = (files: string[]): string => files.map((f) => `  wrote ${f}\n`).join('');
