/**
 * Where the CLI is installed: the repository (or app) root, two levels above this file both in the
 * sources (src-main/cli/) and in the build (out/cli/fastsam3d.js) — the folder bin/fastsam3d.js finds
 * the code in. Defaults that name files of the installation (the model pack) resolve against it, so
 * `fastsam3d` works from any folder; paths the user gives stay relative to the current folder.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The model pack used when --pack is not given. */
export const DEFAULT_PACK = join(APP_ROOT, 'models', 'mini');

/** package.json's version ("unknown" if it cannot be read). */
export function appVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
