/**
 * The compiled CLI: scripts/build-cli.mjs bundles src-main/cli/main.ts into out/cli/fastsam3d.js, and
 * bin/fastsam3d.js runs that file instead of the TypeScript sources. Built into a temp copy of the layout
 * (bin/ + out/cli/ + a node_modules link) so the repository's out/ is left alone, and run under a loader
 * hook that fails any import of tsx, so a pass proves the build runs without it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers';

// Any resolution of tsx (its loader or API) throws, so a fall-back to the sources cannot pass silently.
const NO_TSX_HOOK = `
export async function resolve(specifier, context, next) {
  if (specifier === 'tsx' || specifier.startsWith('tsx/')) throw new Error('tsx was imported: ' + specifier);
  return next(specifier, context);
}`;
const REGISTER = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(NO_TSX_HOOK)}));`;

let dir: string;
let registerFile: string;

beforeAll(async () => {
  dir = tempDir('cli-build');
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.copyFileSync(path.join(ROOT, 'bin/fastsam3d.js'), path.join(dir, 'bin/fastsam3d.js'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  registerFile = path.join(dir, 'no-tsx.mjs');
  fs.writeFileSync(registerFile, REGISTER);
  const { buildCli } = (await import(pathToFileURL(path.join(ROOT, 'scripts/build-cli.mjs')).href)) as {
    buildCli: (outfile?: string) => Promise<void>;
  };
  await buildCli(path.join(dir, 'out/cli/fastsam3d.js'));
}, 60_000);

const run = (args: string[]) =>
  execFileSync(process.execPath, ['--import', pathToFileURL(registerFile).href, path.join(dir, 'bin/fastsam3d.js'), ...args], {
    cwd: dir, encoding: 'utf8',
  });

describe('compiled CLI', () => {
  it('the hook really blocks tsx (control: bin without a build falls back to tsx and fails)', () => {
    const bare = tempDir('cli-nobuild');
    fs.mkdirSync(path.join(bare, 'bin'));
    fs.copyFileSync(path.join(ROOT, 'bin/fastsam3d.js'), path.join(bare, 'bin/fastsam3d.js'));
    fs.writeFileSync(path.join(bare, 'package.json'), JSON.stringify({ type: 'module' }));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(bare, 'node_modules'), 'dir');
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(registerFile).href, path.join(bare, 'bin/fastsam3d.js'), '--help'], { cwd: bare, encoding: 'utf8' });
    // bin's own message for "tsx could not be imported", so the failure is the hook's doing.
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('tsx is missing');
  });

  it('bin runs --help from out/cli/fastsam3d.js without tsx', () => {
    const out = run(['--help']);
    expect(out).toMatch(/^Usage: fastsam3d/);
    expect(out).toContain('pack');
  });

  it('the build runs a real command on the test-tiny pack', () => {
    const out = run(['pack', 'validate', path.join(ROOT, 'models/test-tiny')]);
    expect(out).toContain('test-tiny');
  });
});
