/**
 * `fastsam3d` — the pipeline without a window: `infer`, `scene`, `pack validate`, `bench`.
 * stdout carries results (the JSON report with --json), stderr carries progress and messages.
 * Exit codes: 0 ok, 2 bad input or usage, 3 invalid model pack, 1 internal failure (130 cancelled).
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { runObject, runScene, validatePack } from '../pipeline';
import { writeOutputs, writeSceneOutputs } from '../export';
import { addBenchCommand } from './bench-command';
import { EXIT, exitCodeFor } from './exit-codes';
import { resolveObjectInputs, resolveSceneInputs } from './inputs';
import { addRunOptions, runWithPack, wroteLines, type Io, type RawRunOptions } from './run-command';

const HELP_FOOTER = `
Examples:
  fastsam3d infer --image resources/examples/mug --pack models/mini --preset fast-sam3d --format glb,obj --output-dir out
  fastsam3d infer --image photo.jpg --mask mask.png --preset off --seed 7 --json > report.json
  fastsam3d infer --image photo.png --ss-cache-stride 4 --slat-carving-ratio 0.2 --no-mesh-aggregation
  fastsam3d scene --image resources/examples/scene-three --posed --output-dir out/scene
  fastsam3d pack validate models/mini
  fastsam3d bench --quick

Exit codes: 0 ok, 2 bad input or usage, 3 invalid model pack, 1 internal failure, 130 cancelled (Ctrl-C).
`;

export function buildProgram(io: Io): Command {
  const program = new Command('fastsam3d')
    .description('Photo + object mask → 3D asset (Fast-SAM3D accelerated SAM 3D Objects pipeline on ONNX model packs)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
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
    await runWithPack(o, io, async (ctx) => {
      const result = await runObject(ctx.pack, { image: inputs.image, mask: inputs.mask, name: inputs.name }, ctx.runOptions);
      ctx.endProgress();
      result.report.warnings.unshift(...inputs.warnings);
      const written = await writeOutputs(result, ctx.outputDir, {
        formats: ctx.formats,
        posed: ctx.posed,
        targetTriangles: ctx.targetTriangles,
        baseName: inputs.name,
      });
      const reportFile = join(ctx.outputDir, `${inputs.name}.report.json`);
      await writeFile(reportFile, JSON.stringify(result.report, null, 2));
      if (ctx.json) io.stdout.write(JSON.stringify(result.report, null, 2) + '\n');
      else {
        const r = result.report;
        io.stdout.write(
          `${inputs.name}: ${r.mesh.vertices} vertices, ${r.mesh.triangles} triangles in ${(r.objectMs / 1000).toFixed(2)} s ` +
            `(${r.method}, ${r.executionProvider}; SS ${r.schedules.ss.pattern} ${r.schedules.ss.networkPasses} passes, ` +
            `SLaT ${r.schedules.slat.pattern} ${r.schedules.slat.networkPasses} passes, S = ${r.aggregation.factor})\n` +
            wroteLines([...written.map((f) => f.path), reportFile]) +
            r.warnings.map((w) => `  warning: ${w}\n`).join(''),
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
    await runWithPack(o, io, async (ctx) => {
      const scene = await runScene(ctx.pack, { image: inputs.image, masks: inputs.masks }, ctx.runOptions);
      ctx.endProgress();
      await mkdir(ctx.outputDir, { recursive: true });
      const objects = scene.objects.map((r, q) => ({ ...r, name: inputs.masks[q].name }));
      const written = await writeSceneOutputs(objects, scene.objects[0].camera, ctx.outputDir, {
        formats: ctx.formats,
        posed: ctx.posed,
        targetTriangles: ctx.targetTriangles,
      });
      const reportFile = join(ctx.outputDir, 'scene.report.json');
      await writeFile(reportFile, JSON.stringify(scene.report, null, 2));
      if (ctx.json) io.stdout.write(JSON.stringify(scene.report, null, 2) + '\n');
      else {
        io.stdout.write(
          `${inputs.name}: ${scene.objects.length} objects in ${(scene.report.totalMs / 1000).toFixed(2)} s (${scene.report.method}, ${scene.report.executionProvider})\n` +
            wroteLines([...written.map((f) => f.path), reportFile]),
        );
      }
    });
  });

  addBenchCommand(program, io);

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
