// Builds the app (electron-vite, then the CLI) when out/ is missing or older than any source file, so that e2e tests
// and `npm run serve` always exercise the current code without rebuilding needlessly.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outputs = ['out/cli/fastsam3d.js', 'out/main/index.js', 'out/main/serve.js', 'out/main/worker.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
const sourceDirs = ['src-main', 'src-preload', 'src-renderer', 'src-shared'];

function newestMtime(dir) {
  let newest = 0;
  const stack = [path.join(root, dir)];
  while (stack.length) {
    const d = stack.pop();
    let entries;
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { continue; }
    for (const e of entries) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (!/\.test\.tsx?$/.test(e.name)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  }
  return newest;
}

export function buildIsCurrent() {
  const times = outputs.map((o) => { try { return fs.statSync(path.join(root, o)).mtimeMs; } catch { return -1; } });
  if (times.some((t) => t < 0)) return false;
  const srcNewest = Math.max(...sourceDirs.map(newestMtime), fs.statSync(path.join(root, 'electron.vite.config.ts')).mtimeMs);
  return Math.min(...times) >= srcNewest;
}

export function ensureBuild() {
  if (buildIsCurrent()) return;
  console.log('[build] out/ is missing or older than the sources; running electron-vite build …');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('[build] electron-vite build failed; fix the errors above and retry.');
    process.exit(r.status ?? 1);
  }
  // The compiled CLI too: an installed app (and FASTSAM3D_CLI_BUILD=1) runs it, so it must not go stale.
  const cli = spawnSync(process.execPath, [path.join(root, 'scripts/build-cli.mjs')], { cwd: root, stdio: 'inherit' });
  if (cli.status !== 0) process.exit(cli.status ?? 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) ensureBuild();
