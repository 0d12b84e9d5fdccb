/**
 * `fastsam3d` — the pipeline without a window: `infer`, `scene`, `pack validate`, `bench`, and the
 * project library's archives (`project list | export | import`).
 * stdout carries results (the JSON report with --json), stderr carries progress and messages.
 * Exit codes: 0 ok, 2 bad input or usage, 3 invalid model pack, 1 internal failure (130 cancelled).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { loadContextMasks, runObject, runScene, validatePack } from '../pipeline';
import { throwIfAborted } from '../pipeline/errors';
import type { RunReport } from '../../src-shared/report';
import {
  fileBaseName,
  outputFileNames,
  renderOutputs,
  renderSceneOutputs,
  type PendingOutput,
} from '../export/write-outputs';
import { appVersion } from './app-root';
import { addBenchCommand } from './bench-command';
import { addProjectCommand } from './project-command';
import { EXIT, exitCodeFor } from './exit-codes';
import { resolveObjectInputs, resolveSceneInputs } from './inputs';
import { variantSuffix, writeRunFiles } from './outputs';
import {
  addRunOptions,
  runWithPack,
  wroteLines,
  type Io,
  type RawRunOptions,
  type RunContext,
  type Simplification,
} from './run-command';

const HELP_FOOTER = `
Examples:
  fastsam3d infer --image resources/examples/mug --pack models/mini --preset fast-sam3d --format glb,obj --output-dir output
  fastsam3d infer --image photo.jpg --mask mask.png --preset off --seed 7 --json > report.json
  fastsam3d infer --image photo.png --ss-cache-stride 4 --slat-carving-ratio 0.2 --no-mesh-aggregation
  fastsam3d scene --image resources/examples/scene-three --posed --output-dir output/scene
  fastsam3d pack validate models/mini
  fastsam3d bench --quick
  fastsam3d project export "desk chair"      (the app's project as a zip; project import adds one)

Exit codes: 0 ok, 2 bad input or usage, 3 invalid model pack, 1 internal failure, 130 cancelled (Ctrl-C),
143 / 129 stopped by SIGTERM / SIGHUP.
`;

/** A report's mesh entry for the mesh written (and how it was simplified, with --target-triangles). */
function writtenMeshReport(
  mesh: { positions: Float32Array; indices: Uint32Array },
  simplification: Simplification | undefined,
): RunReport['mesh'] {
  const entry = { vertices: mesh.positions.length / 3, triangles: mesh.indices.length / 3 };
  return simplification ? { ...entry, simplification } : entry;
}

/** Whether --target-triangles left the mesh as it was (already under the target). */
const notSimplified = (s: Simplification): boolean => s.fromTriangles <= s.targetTriangles;

function meshSummary(m: RunReport['mesh'], simplification: Simplification | undefined): string {
  // The file name ends in -<N>tri whatever happens (it is chosen before the run): the summary says what did.
  const s = !simplification
    ? ''
    : notSimplified(simplification)
      ? ` (already under --target-triangles ${simplification.targetTriangles}; not simplified)`
      : ` (simplified from ${simplification.fromTriangles} for --target-triangles ${simplification.targetTriangles})`;
  return `${m.vertices} vertices, ${m.triangles} triangles${s}`;
}

/**
 * What the optional sampler settings did to one object (fit to mask, colour from photo), each as "; …".
 * Colour from photo counts the reconstructed mesh's vertices: with a simplified mesh written, it says so.
 */
function settingsSummary(r: RunReport, simplification?: Simplification): string {
  const fit = r.maskFit && !r.maskFit.skipped ? `; fit to mask removed ${r.maskFit.removed} of ${r.maskFit.occupied} voxels` : '';
  const pc = r.photoColour;
  const before = simplification && !notSimplified(simplification) ? ' (before simplification)' : '';
  const colour = pc && pc.fromPhoto > 0 ? `; ${pc.fromPhoto} of ${pc.fromPhoto + pc.spread} vertices${before} coloured from the photo` : '';
  return fit + colour;
}

const warningLines = (warnings: string[]): string => warnings.map((w) => `  warning: ${w}\n`).join('');

/**
 * A run's files and its report, written all or none; the paths written (report last), which of them
 * replaced a file of the same name (said in the output, not silently), and the report text.
 */
async function commitRun(
  ctx: RunContext,
  pending: PendingOutput[],
  reportName: string,
  report: unknown,
): Promise<{ paths: string[]; replaced: boolean[]; reportJson: string }> {
  const reportJson = JSON.stringify(report, null, 2) + '\n';
  const all = [...pending, { path: join(ctx.outputDir, reportName), data: reportJson }];
  const replaced = all.map((f) => existsSync(f.path));
  await writeRunFiles(ctx.outputDir, all, ctx.signal);
  return { paths: all.map((f) => f.path), replaced, reportJson };
}

export function buildProgram(io: Io): Command {
  const program = new Command('fastsam3d')
    .description('Photo + object mask → 3D asset (Fast-SAM3D accelerated SAM 3D Objects pipeline on ONNX model packs)')
    .version(appVersion(), '-V, --version', 'print the version')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // commander's own "error: unknown option …" reads like every other error of the CLI.
      outputError: (s, write) => write(`fastsam3d: ${s}`),
    })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', HELP_FOOTER);

  addRunOptions(
    program
      .command('infer')
      .description('reconstruct one object')
      .option('--image <path>', 'photo (PNG/JPEG/WebP) or SAM 3D folder (image.png + 0.png, 1.png, …)')
      .option('--mask <path>', 'mask image (white = object, or an RGBA cutout whose alpha is the mask)')
      .option('--mask-index <n>', 'mask N.png of a SAM 3D folder'),
  ).action(async (o: RawRunOptions) => {
    const inputs = await resolveObjectInputs({
      image: o.image as string,
      mask: o.mask as string,
      maskIndex: o.maskIndex as string,
      name: o.name as string,
    });
    // One cleaned base name for every file of the run: <base>.glb|.obj|.mtl|.ply and <base>.report.json;
    // a name made from the input says how the mesh was written, so a posed or simplified run keeps the full one.
    if (!inputs.named) inputs.name += variantSuffix(o);
    const reportName = `${fileBaseName(inputs.name)}.report.json`;
    const files = (formats: Parameters<typeof outputFileNames>[1]) => [
      ...outputFileNames(inputs.name, formats),
      reportName,
    ];
    await runWithPack(o, io, files, async (ctx) => {
      // Fit to mask keeps what the folder's other masks may hide (the thing in front, masked too).
      const otherMasks = ctx.runOptions.params?.fitToMask ? await loadContextMasks(inputs.otherMaskFiles, inputs.warnings) : [];
      const result = await runObject(
        ctx.pack,
        { image: inputs.image, mask: inputs.mask, name: inputs.name, ...(inputs.maskFile ? { maskFile: inputs.maskFile } : {}) },
        { ...ctx.runOptions, ...(otherMasks.length ? { otherMasks } : {}) },
      );
      ctx.endProgress();
      throwIfAborted(ctx.signal);
      const r = result.report;
      r.warnings.unshift(...inputs.warnings);
      const { mesh, simplification } = await ctx.outputMesh(result.mesh);
      r.mesh = writtenMeshReport(mesh, simplification);
      const pending: PendingOutput[] = await renderOutputs({ ...result, mesh }, ctx.outputDir, {
        formats: ctx.formats,
        posed: ctx.posed,
        baseName: inputs.name,
        signal: ctx.signal,
      });
      const written = await commitRun(ctx, pending, reportName, r);
      if (ctx.json) io.stdout.write(written.reportJson);
      else {
        io.stdout.write(
          `${inputs.name}: ${meshSummary(r.mesh, simplification)} in ${(r.objectMs / 1000).toFixed(2)} s ` +
            `(${r.method}, ${r.executionProvider}; SS ${r.schedules.ss.pattern} ${r.schedules.ss.networkPasses} passes, ` +
            `SLaT ${r.schedules.slat.pattern} ${r.schedules.slat.networkPasses} passes, S = ${r.aggregation.factor}${settingsSummary(r, simplification)})\n` +
            wroteLines(written.paths, written.replaced) +
            warningLines(r.warnings),
        );
      }
    });
  });

  addRunOptions(
    program
      .command('scene')
      .description('reconstruct every masked object of one photo (shared image work, batched SS stage)')
      .option('--image <path>', 'photo, or a SAM 3D folder (image.png + 0.png, 1.png, …)')
      .option('--masks-dir <dir>', 'folder with 0.png, 1.png, … (one mask per object)'),
  ).action(async (o: RawRunOptions) => {
    const inputs = await resolveSceneInputs({
      image: o.image as string,
      masksDir: o.masksDir as string,
      name: o.name as string,
    });
    // scene.glb, object-N.* and scene.report.json; with --name, <name>.glb, <name>-object-N.* and
    // <name>.report.json, so that two scenes written to one folder keep their files apart.
    const suffix = variantSuffix(o);
    const sceneName = inputs.named ? fileBaseName(inputs.name) : `scene${suffix}`;
    const objectNames = inputs.masks.map((m) => (inputs.named ? `${sceneName}-${m.name}` : `${m.name}${suffix}`));
    const reportName = `${sceneName}.report.json`;
    const files = (formats: Parameters<typeof outputFileNames>[1]) => [
      `${sceneName}.glb`,
      ...objectNames.flatMap((n) => outputFileNames(n, formats)),
      reportName,
    ];
    await runWithPack(o, io, files, async (ctx) => {
      const scene = await runScene(ctx.pack, { image: inputs.image, masks: inputs.masks }, ctx.runOptions);
      ctx.endProgress();
      throwIfAborted(ctx.signal);
      const report = scene.report;
      report.warnings.unshift(...inputs.warnings);
      const objects = [];
      const summaries: string[] = [];
      for (const [q, r] of scene.objects.entries()) {
        const { mesh, simplification } = await ctx.outputMesh(r.mesh);
        const name = objectNames[q];
        report.objects[q].mesh = writtenMeshReport(mesh, simplification);
        objects.push({ ...r, mesh, name });
        // Each object's own warnings (a tiny or resized mask, fit to mask, colour from photo) under its line.
        summaries.push(
          `  ${name}: ${meshSummary(report.objects[q].mesh, simplification)}${settingsSummary(report.objects[q], simplification)}\n` +
            // The scene's own warnings (the photo, ignored parameters) are in every object's report and are
            // printed once, at the end; under the object only what is its own.
            report.objects[q].warnings.filter((w) => !report.warnings.includes(w)).map((w) => `    warning: ${w}\n`).join(''),
        );
        throwIfAborted(ctx.signal);
      }
      const pending = await renderSceneOutputs(objects, scene.objects[0].camera, ctx.outputDir, {
        formats: ctx.formats,
        posed: ctx.posed,
        baseName: sceneName,
        signal: ctx.signal,
      });
      const written = await commitRun(ctx, pending, reportName, report);
      if (ctx.json) io.stdout.write(written.reportJson);
      else {
        io.stdout.write(
          `${inputs.name}: ${scene.objects.length} objects in ${(report.totalMs / 1000).toFixed(2)} s (${report.method}, ${report.executionProvider})\n` +
            summaries.join('') +
            wroteLines(written.paths, written.replaced) +
            warningLines(report.warnings),
        );
      }
    });
  });

  addBenchCommand(program, io);
  addProjectCommand(program, io);

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

/** Streams whose reader went away (EPIPE) are left alone: `fastsam3d … | head` ends quietly. */
const quietStreams = new WeakSet<NodeJS.WritableStream>();
function ignoreClosedReader(stream: NodeJS.WritableStream): void {
  if (quietStreams.has(stream)) return;
  quietStreams.add(stream);
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    throw err; // as without this listener
  });
}

/** Run the CLI; resolves to the exit code (never calls process.exit, so tests can call it). */
export async function main(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  ignoreClosedReader(io.stdout);
  ignoreClosedReader(io.stderr);
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
      // `help` asked for is 0; help shown because a subcommand is missing (on stderr) is a usage error.
      if (err.code === 'commander.help') return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
      if ((err as unknown as { quiet?: boolean }).quiet) return (err as unknown as { exitCode: number }).exitCode;
      return EXIT.badInput;
    }
    const e = err as Error & { exitCode?: number; quiet?: boolean };
    if (e.quiet && e.exitCode !== undefined) return e.exitCode;
    const code = exitCodeFor(err);
    if (code === EXIT.cancelled) {
      io.stderr.write('fastsam3d: cancelled; nothing was written\n');
      return code;
    }
    // A run that completed but found no surface is a result, not a bug: message only, no stack.
    const expected = e.name === 'NoSurfaceError';
    const prefix = code === EXIT.internal && !expected ? 'internal error' : 'error';
    io.stderr.write(`fastsam3d: ${prefix}: ${e.message}\n`);
    if (code === EXIT.internal && !expected && e.stack) io.stderr.write(`${e.stack}\n`);
    return code;
  }
}
