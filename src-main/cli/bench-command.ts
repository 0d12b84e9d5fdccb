/**
 * `fastsam3d bench` — the benchmark of bench/ (one implementation; `npm run bench -- ARGS` runs exactly
 * `fastsam3d bench ARGS`). Results go to --out (JSON, Markdown, SVG); tables on stdout, progress on stderr.
 */
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Command } from 'commander';
import { runBench } from '../../bench/bench-main';
import { compareResults, loadBenchResult, renderComparisonMarkdown } from '../../bench/compare';
import { selectMethods } from '../../bench/object-bench';
import type { BenchOptions } from '../../bench/options';
import { ORACLE_STAGES, type OracleStage } from '../../bench/oracle';
import { APP_ROOT, DEFAULT_PACK } from './app-root';
import { UsageError } from './exit-codes';
import { parseNumberFlag } from './numbers';
import { paramOverrides } from './param-flags';
import { PARAM_SPECS, type ParamSpec } from '../../src-shared/params';
import { EMPTY_PACK_HINT, type Io } from './run-command';
import { pathFlag } from './inputs';

const HELP = `
Modes (one at a time): the object benchmark (default: every method and the module ablation on the
held-out set), --sweep (Pareto front of speed-up vs fidelity and the recommended presets), --scene
(runScene on one photo with several masks against one runObject per mask, off and fast-sam3d),
--compare A B (two object-benchmark results side by side, per-object differences and their standard
errors; runs nothing).

The inputs default to the installation's files (--pack, --set, --scene-input, --oracle-dir, and the
--docs-file that --write-docs updates), so bench runs from any folder; --out is relative to the
current folder (bench-results/latest there by default), and the files written are listed at the end.

Examples:
  fastsam3d bench --quick
  fastsam3d bench --objects 4 --reps 2 --methods off,fast-sam3d,uniform-merge --samples 5000
  fastsam3d bench --full --methods off --seeds 3 --samples 10000 --pack DIR --out bench-results/B
  fastsam3d bench --compare bench-results/A/bench.json bench-results/B/bench.json     (two packs)
  fastsam3d bench --full --methods off --oracle occupancy        (which stage loses the quality; bench/oracle.ts)
  fastsam3d bench --sweep --objects 4 --reps 1 --samples 10000 --write-docs
  fastsam3d bench --scene --reps 3 --write-docs
`;

/**
 * A file of the installation (as DEFAULT_PACK is), so the defaults work from any folder; given relative to
 * the current folder, as the results record it.
 */
function installed(...parts: string[]): string {
  return relative(process.cwd(), join(APP_ROOT, ...parts)) || '.';
}

/** Where a default lives, for --help. */
const AT_INSTALL = 'of the installation';

function positiveInt(flag: string, v: string | undefined): number | undefined {
  return v === undefined ? undefined : parseNumberFlag(flag, v, { integer: true, min: 1 });
}

function oracleStage(v: string | undefined): OracleStage | undefined {
  if (v === undefined) return undefined;
  if (!(ORACLE_STAGES as readonly string[]).includes(v))
    throw new UsageError(`--oracle needs one of ${ORACLE_STAGES.join(', ')}, got "${v}"`);
  return v as OracleStage;
}

function folder(flag: string, dir: string, what: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${flag} "${dir}" is not a folder; pass ${what}`);
  return dir;
}

/** The command line to record in the results, as the user typed it. */
function commandLine(args: string[]): string {
  const prefix = process.env.npm_lifecycle_event === 'bench' ? 'npm run bench --' : 'fastsam3d bench';
  return `${prefix} ${args.join(' ')}`.trim();
}

export function toBenchOptions(o: Record<string, string | boolean | undefined>, args: string[]): BenchOptions {
  if (o.sweep && o.scene) throw new UsageError('--sweep and --scene are separate runs; give one of them');
  if (o.quick && o.full) throw new UsageError('--quick (2 objects) and --full (every object) contradict each other; give one of them');
  const mode = o.sweep ? 'sweep' : o.scene ? 'scene' : 'objects';
  if (o.oracle !== undefined && mode !== 'objects') throw new UsageError('--oracle runs with the object benchmark, not --sweep or --scene');
  // The sampler settings the object benchmark turns on for every run.
  for (const [key, flag] of [['ssSamples', '--ss-samples'], ['fitToMask', '--fit-to-mask'], ['colourFromPhoto', '--colour-from-photo']]) {
    if (o[key] !== undefined && mode !== 'objects') throw new UsageError(`${flag} runs with the object benchmark, not --sweep or --scene`);
  }
  if (o.maskOccluders && !o.fitToMask) throw new UsageError('--mask-occluders goes with --fit-to-mask (it gives fit to mask the masks of what stands in front)');
  if (o.seeds !== undefined && mode === 'scene') throw new UsageError('--seeds runs with the object benchmark or --sweep, not --scene (it times one seed)');
  // Seed and shape samples are sampler settings: parsed as `fastsam3d infer` parses them (same range, same message).
  const sampler = paramOverrides({ seed: o.seed ?? '42', ssSamples: o.ssSamples });
  const seed = sampler.seed!;
  const seeds = positiveInt('--seeds', o.seeds as string | undefined) ?? 1;
  const maxSeed = (PARAM_SPECS.find((s) => s.key === 'seed') as ParamSpec).max!;
  if (seed + seeds - 1 > maxSeed)
    throw new UsageError(`--seed ${seed} with --seeds ${seeds} would run seed ${seed + seeds - 1}; seeds go up to ${maxSeed}, so lower --seed or --seeds`);
  const set = typeof o.set === 'string' ? o.set : installed('resources', 'benchmark');
  const scene = typeof o.sceneInput === 'string' ? o.sceneInput : installed('resources', 'examples', 'scene-three');
  const oracleDir = typeof o.oracleDir === 'string' ? o.oracleDir : installed('bench-results', 'oracle-inputs');
  const opts: BenchOptions = {
    mode,
    quick: Boolean(o.quick),
    full: Boolean(o.full),
    // The installation's pack unless --pack is given; relative to the current folder, as recorded in the results.
    pack: pathFlag('--pack', o.pack, EMPTY_PACK_HINT) ?? (relative(process.cwd(), DEFAULT_PACK) || '.'),
    set: mode === 'scene' ? set : folder('--set', set, 'the held-out benchmark set (resources/benchmark in a source checkout)'),
    scene: mode === 'scene' ? folder('--scene-input', scene, 'a SAM 3D folder (image.png + 0.png, 1.png, …)') : scene,
    objects: positiveInt('--objects', o.objects as string | undefined),
    reps: positiveInt('--reps', o.reps as string | undefined),
    methods: typeof o.methods === 'string' ? o.methods.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    seed,
    seeds,
    ssSamples: sampler.ssSamples,
    fitToMask: o.fitToMask === true ? true : undefined,
    maskOccluders: o.maskOccluders === true ? true : undefined,
    colourFromPhoto: o.colourFromPhoto === true ? true : undefined,
    samples: positiveInt('--samples', o.samples as string | undefined),
    oracle: oracleStage(o.oracle as string | undefined),
    oracleDir:
      o.oracle === undefined
        ? oracleDir
        : folder('--oracle-dir', oracleDir, 'the ground-truth stage outputs of `(cd tools && PYTHONPATH=. .venv/bin/python -m fastsam3d_tools.train.oracle_inputs)`'),
    out: o.out as string,
    writeDocs: Boolean(o.writeDocs),
    docsFile: typeof o.docsFile === 'string' ? o.docsFile : installed('docs', 'benchmarks.md'),
    commandLine: commandLine(args),
  };
  if (mode !== 'scene') {
    try {
      selectMethods(opts);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  return opts;
}

export function addBenchCommand(program: Command, io: Io): void {
  program
    .command('bench')
    .description('benchmark speed and quality of the methods on the held-out set (docs/benchmarks.md)')
    .option('--quick', 'smoke run: 2 objects, 1 repetition, 5 methods, 5000 metric samples')
    .option('--full', 'every object of the set')
    .option('--sweep', 'parameter sweep: Pareto front and recommended balanced / max presets')
    .option('--scene', 'scene time: runScene against one runObject per mask (off and fast-sam3d)')
    .option('--pack <dir>', 'model pack folder (default: models/mini of the installation)')
    .option('--set <dir>', `held-out benchmark set (image.png, 0.png, gt.json, gt.ply per object; default: resources/benchmark ${AT_INSTALL})`)
    .option('--scene-input <dir>', `SAM 3D folder for --scene (default: resources/examples/scene-three ${AT_INSTALL})`)
    .option('--objects <n>', 'number of objects, spread over the set (default 6; 2 with --quick)')
    .option('--reps <n>', 'timed repetitions per method and object (default 3; 1 with --quick; at least --seeds, raised with a note)')
    .option('--methods <list>', 'comma-separated row labels to run (off is always run: it is the reference)')
    .option('--seed <n>', 'seed of every run (default 42)')
    .option('--seeds <n>', 'score quality over n seeds (seed, seed+1, …; repetition r runs seed + r mod n; reps ≥ n)')
    .option('--ss-samples <n>', 'shape samples averaged per run, for every method (sampler setting ssSamples; default 1, as SAM 3D)')
    .option('--fit-to-mask', 'remove what lies outside the mask before SLaT, for every method (sampler setting fitToMask; default off, as SAM 3D)')
    .option('--mask-occluders', 'with --fit-to-mask: the objects in front are masked too, as an artist would (the set\'s 1.png …)')
    .option('--colour-from-photo', 'colour every mesh from the photo, for every method (sampler setting colourFromPhoto; default off, as SAM 3D)')
    .option('--samples <n>', 'surface samples per metric (default 20000; 5000 with --quick)')
    .option('--oracle <stage>', `oracle study: ground truth replaces the pipeline up to ${ORACLE_STAGES.join(' | ')} (bench/oracle.ts)`)
    .option('--oracle-dir <dir>', `ground-truth stage outputs (tools: python -m fastsam3d_tools.train.oracle_inputs; default: bench-results/oracle-inputs ${AT_INSTALL})`)
    .option('--out <dir>', 'results folder (created; relative paths from the current folder)', 'bench-results/latest')
    .option('--write-docs', "update this mode's section of the docs file (and docs/benchmark-chart.svg)")
    .option('--docs-file <file>', `the docs page --write-docs updates (default: docs/benchmarks.md ${AT_INSTALL})`)
    .option('--compare <files...>', 'compare two bench.json results (A then B) instead of running')
    .option('--compare-method <label>', 'the row the comparison reads', 'off')
    .addHelpText('after', HELP)
    .action(async (o: Record<string, string | boolean | string[] | undefined>) => {
      if (o.compare) {
        io.stdout.write(compareCommand(o) + '\n');
        return;
      }
      const opts = toBenchOptions(o as Record<string, string | boolean | undefined>, argsAfterBench(program));
      const out = await runBench(
        opts,
        (s) => io.stderr.write(s + '\n'),
        (s) => io.stdout.write(s + '\n'),
      );
      io.stderr.write(out.files.map((f) => `bench: wrote ${f}\n`).join(''));
    });
}

/** `--compare A B`: the Markdown comparison (bench/compare.ts); usage errors for anything else. */
function compareCommand(o: Record<string, string | boolean | string[] | undefined>): string {
  const files = o.compare as string[];
  if (files.length !== 2) throw new UsageError(`--compare needs two bench.json files (A, then B), got ${files.length}`);
  if (o.sweep || o.scene) throw new UsageError('--compare reads two finished results; it does not combine with --sweep or --scene');
  try {
    const [a, b] = files.map(loadBenchResult);
    return renderComparisonMarkdown(compareResults(a, b, o.compareMethod as string, [files[0], files[1]]));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The arguments after `bench`, for the recorded command line (commander keeps argv as rawArgs, untyped). */
function argsAfterBench(program: Command): string[] {
  const argv = (program as unknown as { rawArgs?: string[] }).rawArgs ?? [];
  const i = argv.indexOf('bench');
  return i >= 0 ? argv.slice(i + 1) : [];
}
