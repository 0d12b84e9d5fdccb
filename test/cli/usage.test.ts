/**
 * Usage of `fastsam3d`: numeric flag values, the default pack from any folder, missing subcommands,
 * --version, a closed stdout reader, the pack hash message, and the masks of a folder for infer and scene.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli';
import { DEFAULT_PACK } from '../../src-main/cli/app-root';
import { RunReportSchema, SceneReportSchema } from '../../src-shared/report';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/fastsam3d.js');
const PACK = join(ROOT, 'models/test-tiny');
const MUG = join(ROOT, 'resources/examples/mug');
const SCENE = join(ROOT, 'resources/examples/scene-three');

const tmp = () => mkdtempSync(join(tmpdir(), 'fs3d-cli-use-'));
const bin = (args: string[], cwd = ROOT) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });

describe('numeric flags: plain decimal numbers only', () => {
  it.each([
    ['--slat-carving-ratio', '', /--slat-carving-ratio needs a decimal number in \[0, 0\.9\], got ""/],
    ['--ss-steps', '0x10', /--ss-steps needs an integer in \[1, 100\], got "0x10" \(plain decimal digits only\)/],
    ['--ss-steps', '1e1', /--ss-steps needs an integer in \[1, 100\], got "1e1"/],
    ['--slat-thresh', ' 2', /--slat-thresh needs a decimal number in \[0, 5\], got " 2"/],
    ['--slat-thresh', 'Infinity', /--slat-thresh needs a decimal number in \[0, 5\]/],
    ['--seed', '-0x1', /--seed needs an integer in \[0, 2147483647\], got "-0x1"/],
    ['--target-triangles', '0x200', /--target-triangles needs an integer ≥ 4, got "0x200"/],
    ['--mask-index', '', /--mask-index needs a non-negative integer, got ""/],
    ['--ss-cache-stride', '99999999999999999999', /--ss-cache-stride needs an integer in \[1, 8\], got 99999999999999999999, which is out of range/],
    ['--seed', '1' + '0'.repeat(400), /--seed needs an integer in \[0, 2147483647\], got 10+, which is out of range/],
  ])('%s "%s" → exit 2 naming the flag and the accepted values', async (flag, value, message) => {
    const r = await cli('infer', '--image', MUG, '--pack', PACK, '--output-dir', tmp(), flag, value);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('plain decimals still work: "0.25", ".2", "+3", "007"', async () => {
    const r = await cli(
      'infer',
      '--image',
      MUG,
      '--pack',
      PACK,
      '--output-dir',
      tmp(),
      '--json',
      '--slat-carving-ratio',
      '.2',
      '--ss-momentum-beta',
      '0.25',
      '--ss-layout-mode',
      'paper', // β acts only there (the default preset's layout mode is faithful)
      '--ss-cache-stride',
      '+3',
      '--seed',
      '007',
    );
    expect(r.code).toBe(0);
    const report = RunReportSchema.parse(JSON.parse(r.out));
    expect(report.params).toMatchObject({ slatCarvingRatio: 0.2, ssMomentumBeta: 0.25, ssCacheStride: 3, seed: 7 });
    expect(report.warnings).toEqual([]);
  });
});

describe('flags a method ignores', () => {
  it('are printed as warnings naming the flag and what to do, and left out of the report', async () => {
    const r = await cli('infer', '--image', MUG, '--pack', PACK, '--output-dir', tmp(), '--preset', 'off', '--ss-cache-stride', '2', '--ss-steps', '3', '--slat-steps', '3');
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      '  warning: k (ssCacheStride: 2, --ss-cache-stride 2) was ignored: SS step caching (ssCache) is off in the off preset; turn it on with --ss-cache (ssCache: true), or use --preset fast-sam3d.\n',
    );
    const beta = await cli('infer', '--image', MUG, '--pack', PACK, '--output-dir', tmp(), '--json', '--ss-momentum-beta', '0', '--ss-steps', '5', '--ss-warmup', '12', '--slat-steps', '4');
    expect(beta.code).toBe(0);
    const report = RunReportSchema.parse(JSON.parse(beta.out));
    expect(report.params).not.toHaveProperty('ssMomentumBeta');
    expect(report.schedules.ss.pattern).toBe('FFFFF');
    expect(report.warnings).toEqual([
      expect.stringMatching(/^β \(ssMomentumBeta: 0, --ss-momentum-beta 0\) was ignored: .*add --ss-layout-mode paper/),
      expect.stringMatching(/^SS warm-up \(ssWarmup, --ss-warmup\) = 12 covers all 5 SS steps/),
    ]);
  });

  it("--help gives the default preset's values, says where a preset sets another, and that β does nothing by default", async () => {
    const r = await cli('infer', '--help');
    const help = r.out.replace(/\s+/g, ' ');
    expect(help).toContain('(default faithful, as the presets fast-sam3d, balanced, max set it; paper with off and the baselines)');
    expect(help).toContain('(default false, as the presets fast-sam3d, balanced, max set it; true with off and the baselines)');
    expect(help).toMatch(/--ss-momentum-beta <x> .*\(default 0\.5; no effect with the default preset fast-sam3d: β acts only in layout mode paper/);
    expect(help).toMatch(/--seed <n> .*\(default 42\)/);
    expect(help).not.toContain('unless the preset sets it');
  });
});

describe('the default pack', () => {
  it('is models/mini of the installation, found from any current folder; an explicit relative --pack stays relative', () => {
    expect(DEFAULT_PACK).toBe(join(ROOT, 'models', 'mini'));
    const elsewhere = tmp();
    const r = bin(['infer', '--image', MUG, '--output-dir', join(elsewhere, 'out'), '--json'], elsewhere);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(RunReportSchema.parse(JSON.parse(r.stdout)).pack.name).toBe('mini');
    const relative = bin(
      ['infer', '--image', MUG, '--pack', 'models/test-tiny', '--output-dir', join(elsewhere, 'o2')],
      elsewhere,
    );
    expect(relative.status).toBe(3);
    expect(relative.stderr).toContain(join(elsewhere, 'models/test-tiny'));
  });
});

describe('commands, --version, closed stdout', () => {
  it('no subcommand: help on stderr, exit 2 (fastsam3d, fastsam3d pack); help asked for: exit 0', async () => {
    for (const args of [[], ['pack']]) {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^Usage: fastsam3d/);
    }
    expect((await cli('--help')).code).toBe(0);
    expect((await cli('help')).code).toBe(0);
  });

  it('an unknown option or a choice not allowed is one "fastsam3d: error:" line, like every other error, exit 2', async () => {
    const bogus = await cli('infer', '--bogus');
    expect(bogus.code).toBe(2);
    expect(bogus.err).toMatch(/^fastsam3d: error: unknown option '--bogus'\n/);
    const choice = await cli('infer', '--image', MUG, '--pack', PACK, '--ss-layout-mode', 'PAPER');
    expect(choice.code).toBe(2);
    expect(choice.err).toMatch(/^fastsam3d: error: option '--ss-layout-mode <value>' argument 'PAPER' is invalid\. Allowed choices are paper, faithful\./);
  });

  it("--version prints package.json's version", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await cli(flag);
      expect(r.code).toBe(0);
      expect(r.out).toBe(`${version}\n`);
    }
  });

  it('a reader that closes stdout early (| head): quiet, exit 0', () => {
    const out = join(tmp(), 'out');
    const cmd = `"${process.execPath}" "${BIN}" infer --image "${MUG}" --pack "${PACK}" --output-dir "${out}" --json 2>"${out}.err" | true; echo "rc=\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('rc=0');
    expect(readFileSync(`${out}.err`, 'utf8')).toBe('');
  });
});

describe('pack validate: sha256 mismatch', () => {
  it('shows both full hashes and where they differ, even when they differ late', async () => {
    const dir = join(tmp(), 'pack');
    cpSync(PACK, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      files: Record<string, { path: string; sha256: string }>;
    };
    const real = manifest.files.ss_flow.sha256;
    const wrong = real.slice(0, 60) + (real[60] === '0' ? '1' : '0') + real.slice(61);
    manifest.files.ss_flow.sha256 = wrong;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const r = await cli('pack', 'validate', dir);
    expect(r.code).toBe(3);
    expect(r.out).toContain(
      `ss_flow.onnx: sha256 mismatch (manifest ${wrong}, file ${real}; they differ from character 61)`,
    );
  });
});

describe('the masks of a folder: one listing for infer and scene', () => {
  /** A SAM 3D folder: the scene example's photo and masks under `names` (in order), plus `extra` files. */
  function folder(names: string[], extra: Record<string, string> = {}): string {
    const dir = join(tmp(), 'photo');
    mkdirSync(dir);
    copyFileSync(join(SCENE, 'image.png'), join(dir, 'image.png'));
    names.forEach((n, i) => copyFileSync(join(SCENE, `${i}.png`), join(dir, n)));
    for (const [n, from] of Object.entries(extra)) copyFileSync(from, join(dir, n));
    return dir;
  }

  it.each([[['0.PNG', '1.PNG']], [['00.png', '01.png']]])(
    '%j: infer takes mask 0 (and --mask-index 1), scene takes both',
    async (names) => {
      const dir = folder(names);
      const inf = await cli('infer', '--image', dir, '--pack', PACK, '--output-dir', tmp(), '--json');
      expect(inf.err).toBe('');
      expect(inf.code).toBe(0);
      expect(RunReportSchema.parse(JSON.parse(inf.out)).warnings.join('\n')).toContain(`using ${names[0]}`);
      const one = await cli('infer', '--image', dir, '--mask-index', '1', '--pack', PACK, '--output-dir', tmp());
      expect(one.code).toBe(0);
      const sc = await cli('scene', '--image', dir, '--pack', PACK, '--output-dir', tmp(), '--json');
      expect(sc.code).toBe(0);
      expect(SceneReportSchema.parse(JSON.parse(sc.out)).objects).toHaveLength(2);
    },
  );

  it('a file named like a mask but not PNG is reported by name (notes.txt is not); two files of one index are an error', async () => {
    const notes = join(tmp(), 'notes.txt');
    writeFileSync(notes, 'hello');
    const dir = folder(['0.png', '1.png'], {
      '2.jpg': join(SCENE, '2.png'),
      '3.webp': join(SCENE, '2.png'),
      'notes.txt': notes,
    });
    const sc = await cli('scene', '--image', dir, '--pack', PACK, '--output-dir', tmp());
    expect(sc.code).toBe(0);
    expect(sc.out).toMatch(/warning: Skipped ".*2\.jpg": it is named like mask 2 but masks must be PNG files/);
    expect(sc.out).toMatch(/warning: Skipped ".*3\.webp"/);
    expect(sc.out).not.toMatch(/notes\.txt/);
    const json = await cli('scene', '--image', dir, '--pack', PACK, '--output-dir', tmp(), '--json');
    expect(SceneReportSchema.parse(JSON.parse(json.out)).warnings.join('\n')).toMatch(/2\.jpg[\s\S]*3\.webp/);
    const inf = await cli('infer', '--image', dir, '--pack', PACK, '--output-dir', tmp(), '--json');
    expect(RunReportSchema.parse(JSON.parse(inf.out)).warnings.join('\n')).toMatch(/Skipped ".*2\.jpg"/);

    copyFileSync(join(dir, '0.png'), join(dir, '00.png'));
    for (const cmd of ['infer', 'scene']) {
      const twin = await cli(cmd, '--image', dir, '--pack', PACK, '--output-dir', tmp());
      expect(twin.code).toBe(2);
      expect(twin.err).toMatch(/"0\.png" and "00\.png" in ".*photo" are both mask 0; keep one of them/);
    }
  });
});
