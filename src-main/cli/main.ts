/**
 * `fastsam3d` — the pipeline without a window: `infer`, `scene`, `pack validate`.
 * stdout carries results (the JSON report with --json), stderr carries progress and messages.
 * Exit codes: 0 ok, 2 bad input or usage, 3 invalid model pack, 1 internal failure (130 cancelled).
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ExecutionProviderSchema } from '../../src-shared/api/jobs';
import type { ExecutionProvider } from '../../src-shared/api/jobs';
import { METHODS } from '../../src-shared/params';
import type { Method } from '../../src-shared/params';
import { openPack, runObject, runScene, validatePack } from '../pipeline';
import type { Pack } from '../pipeline';
import { EXIT, exitCodeFor } from './exit-codes';
import { resolveObjectInputs, resolveSceneInputs } from './inputs';
import { writeOutputs, writeSceneOutputs } from '../export';
import { parseFormats, parseTargetTriangles } from './outputs';
import { addParamFlags, paramOverrides } from './param-flags';
import { progressBar } from './progress-bar';

const HELP_FOOTER = `
Examples:
  fastsam3d infer --image resources/examples/mug --pack models/mini --preset fast-sam3d --format glb,obj --output-dir out
  fastsam3d infer --image photo.jpg --mask mask.png --preset off --seed 7 --json > report.json
  fastsam3d infer --image photo.png --ss-cache-stride 4 --slat-carving-ratio 0.2 --no-mesh-aggregation
  fastsam3d scene --image resources/examples/scene-three --posed --output-dir out/scene
  fastsam3d pack validate models/mini

Exit codes: 0 ok, 2 bad input or usage, 3 invalid model pack, 1 internal failure, 130 cancelled (Ctrl-C).
`;

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

function commonRunOptions(cmd: Command): Command {
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

async function withPack<T>(dir: string, ep: ExecutionProvider, fn: (p: Pack) => Promise<T>): Promise<T> {
  const pack = await openPack(dir, { executionProvider: ep });
  try {
    return await fn(pack);
  } finally {
    await pack.close();
  }
}

function cancelOnSigint(): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const onInt = () => ac.abort();
  process.once('SIGINT', onInt);
  return { signal: ac.signal, dispose: () => process.off('SIGINT', onInt) };
}

export function buildProgram(io: Io): Command {
  const program = new Command('fastsam3d')
    .description('Photo + object mask → 3D asset (Fast-SAM3D accelerated SAM 3D Objects pipeline on ONNX model packs)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', HELP_FOOTER);

  commonRunOptions(
    program
      .command('infer')
      .description('reconstruct one object')
      .option('--image <path>', 'photo (PNG/JPEG/WebP) or SAM 3D folder (image.png + 0.png, 1.png, …)')
      .option('--mask <path>', 'mask image (white = object, or an RGBA cutout whose alpha is the mask)')
      .option('--mask-index <n>', 'mask N.png of a SAM 3D folder'),
  ).action(async (o: Record<string, string | boolean | undefined>) => {
    const inputs = await resolveObjectInputs({
      image: o.image as string,
      mask: o.mask as string,
      maskIndex: o.maskIndex as string,
      name: o.name as string,
    });
    const formats = parseFormats(o.format as string);
    const targetTriangles = parseTargetTriangles(o.targetTriangles as string);
    const params = paramOverrides(o);
    const bar = progressBar(io.stderr);
    const cancel = cancelOnSigint();
    try {
      await withPack(o.pack as string, o.executionProvider as ExecutionProvider, async (pack) => {
        const result = await runObject(
          pack,
          { image: inputs.image, mask: inputs.mask, name: inputs.name },
          {
            method: o.preset as Method,
            params,
            onProgress: bar.update,
            signal: cancel.signal,
          },
        );
        bar.done();
        result.report.warnings.unshift(...inputs.warnings);
        const written = await writeOutputs(result, o.outputDir as string, {
          formats,
          posed: Boolean(o.posed),
          targetTriangles,
          baseName: inputs.name,
        });
        const files = written.map((f) => f.path);
        const reportFile = join(o.outputDir as string, `${inputs.name}.report.json`);
        await writeFile(reportFile, JSON.stringify(result.report, null, 2));
        if (o.json) io.stdout.write(JSON.stringify(result.report, null, 2) + '\n');
        else {
          const r = result.report;
          io.stdout.write(
            `${inputs.name}: ${r.mesh.vertices} vertices, ${r.mesh.triangles} triangles in ${(r.objectMs / 1000).toFixed(2)} s ` +
              `(${r.method}, ${r.executionProvider}; SS ${r.schedules.ss.pattern} ${r.schedules.ss.networkPasses} passes, ` +
              `SLaT ${r.schedules.slat.pattern} ${r.schedules.slat.networkPasses} passes, S = ${r.aggregation.factor})\n` +
              [...files, reportFile].map((f) => `  wrote ${f}\n`).join('') +
              r.warnings.map((w) => `  warning: ${w}\n`).join(''),
          );
        }
      });
    } finally {
      bar.done();
      cancel.dispose();
    }
  });

  commonRunOptions(
    program
      .command('scene')
      .description('reconstruct every masked object of one photo (shared image work, batched SS stage)')
      .option('--image <path>', 'photo, or a SAM 3D folder (image.png + 0.png, 1.png, …)')
      .option('--masks-dir <dir>', 'folder with 0.png, 1.png, … (one mask per object)'),
  ).action(async (o: Record<string, string | boolean | undefined>) => {
    const inputs = await resolveSceneInputs({
      image: o.image as string,
      masksDir: o.masksDir as string,
      name: o.name as string,
    });
    const formats = parseFormats(o.format as string);
    const targetTriangles = parseTargetTriangles(o.targetTriangles as string);
    const params = paramOverrides(o);
    const bar = progressBar(io.stderr);
    const cancel = cancelOnSigint();
    try {
      await withPack(o.pack as string, o.executionProvider as ExecutionProvider, async (pack) => {
        const scene = await runScene(
          pack,
          { image: inputs.image, masks: inputs.masks },
          {
            method: o.preset as Method,
            params,
            onProgress: bar.update,
            signal: cancel.signal,
          },
        );
        bar.done();
        const outDir = o.outputDir as string;
        await mkdir(outDir, { recursive: true });
        const objects = scene.objects.map((r, q) => ({ ...r, name: inputs.masks[q].name }));
        const written = await writeSceneOutputs(objects, scene.objects[0].camera, outDir, {
          formats,
          posed: Boolean(o.posed),
          targetTriangles,
        });
        const files = written.map((f) => f.path);
        const reportFile = join(outDir, 'scene.report.json');
        await writeFile(reportFile, JSON.stringify(scene.report, null, 2));
        if (o.json) io.stdout.write(JSON.stringify(scene.report, null, 2) + '\n');
        else {
          io.stdout.write(
            `${inputs.name}: ${scene.objects.length} objects in ${(scene.report.totalMs / 1000).toFixed(2)} s (${scene.report.method}, ${scene.report.executionProvider})\n` +
              [...files, reportFile].map((f) => `  wrote ${f}\n`).join(''),
          );
        }
      });
    } finally {
      bar.done();
      cancel.dispose();
    }
  });

  const pack = program.command('pack').description('model pack tools');
  pack
    .command('validate <dir>')
    .description('check a model pack: schema, sha256, ONNX inputs/outputs against the manifest')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, o: { json?: boolean }) => {
      const r = await validatePack(dir);
      if (o.json) io.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else if (r.ok) io.stdout.write(`${r.dir}: valid pack ${r.name} ${r.version}\n`);
      else io.stdout.write(`${r.dir}: INVALID\n${r.problems.map((p) => `  - ${p}\n`).join('')}`);
      if (!r.ok) throw Object.assign(new Error('invalid pack'), { exitCode: EXIT.badPack, quiet: true });
    });
  return program;
}

/** Run the CLI; resolves to the exit code (never calls process.exit, so tests can call it). */
export async function main(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
        return EXIT.ok;
      if ((err as unknown as { quiet?: boolean }).quiet) return (err as unknown as { exitCode: number }).exitCode;
      return EXIT.badInput;
    }
    const e = err as Error & { exitCode?: number; quiet?: boolean };
    if (e.quiet && e.exitCode !== undefined) return e.exitCode;
    const code = exitCodeFor(err);
    // A run that completed but found no surface is a result, not a bug: message only, no stack.
    const expected = e.name === 'NoSurfaceError';
    const prefix = code === EXIT.internal && !expected ? 'internal error' : 'error';
    io.stderr.write(`fastsam3d: ${prefix}: ${e.message}\n`);
    if (code === EXIT.internal && !expected && e.stack) io.stderr.write(`${e.stack}\n`);
    return code;
  }
}
