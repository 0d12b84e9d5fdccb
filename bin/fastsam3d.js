#!/usr/bin/env node
// `fastsam3d` command. Runs the compiled CLI when a build exists (out/cli/fastsam3d.js), otherwise the
// TypeScript sources through tsx's loader, so `npx fastsam3d …` works in the repository without a build.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'out', 'cli', 'fastsam3d.js');
let entry;
if (existsSync(compiled)) {
  entry = compiled;
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    console.error(
      'fastsam3d: no build at out/cli/fastsam3d.js and the dev dependency tsx is missing; run `npm install` in the repository.',
    );
    process.exit(1);
  }
  register();
  entry = join(root, 'src-main', 'cli', 'main.ts');
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv);
