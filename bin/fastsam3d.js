#!/usr/bin/env node
// `fastsam3d` command. In a source checkout (src-main/cli/main.ts present and the dev dependency tsx
// installed) it runs the TypeScript sources, so an edit is never shadowed by an older build; otherwise
// (an installed app) it runs the compiled CLI at out/cli/fastsam3d.js. FASTSAM3D_CLI_BUILD=1 forces the
// compiled one.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'out', 'cli', 'fastsam3d.js');
const sources = join(root, 'src-main', 'cli', 'main.ts');

async function sourceEntry() {
  if (!existsSync(sources) || process.env.FASTSAM3D_CLI_BUILD === '1') return null;
  try {
    const { register } = await import('tsx/esm/api');
    register();
    return sources;
  } catch {
    return null; // tsx absent (production install): use the build
  }
}

let entry = await sourceEntry();
if (!entry) {
  if (!existsSync(compiled)) {
    console.error(
      'fastsam3d: no build at out/cli/fastsam3d.js and the dev dependency tsx is missing; run `npm install` and `npm run build` in the repository.',
    );
    process.exit(1);
  }
  entry = compiled;
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv);
