// Compiles the `fastsam3d` CLI (src-main/cli/main.ts) into one ESM file, out/cli/fastsam3d.js, which
// bin/fastsam3d.js prefers over running the TypeScript sources through tsx. Only our own sources are
// bundled; every package import stays external (resolved from node_modules at run time, like the
// Electron main build), so native modules such as onnxruntime-node and sharp load as usual.
// esbuild is the bundler vite already ships with; no extra dependency.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_OUTPUT = path.join(root, 'out', 'cli', 'fastsam3d.js');

/** `outfile` defaults to out/cli/fastsam3d.js (tests build into a temp folder). */
export async function buildCli(outfile = CLI_OUTPUT) {
  await build({
    entryPoints: [path.join(root, 'src-main', 'cli', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await buildCli();
    console.log(`[build] CLI → ${path.relative(root, CLI_OUTPUT)}`);
  } catch (err) {
    console.error('[build] CLI build failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
