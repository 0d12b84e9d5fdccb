// Runs the Python tests of tools/ with the project's virtual environment (made by `npm run setup --
// --with-tools`, i.e. tools/setup.sh). Missing venv is an error with the command that fixes it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const python = path.join(root, 'tools/.venv/bin/python');
if (!fs.existsSync(python)) {
  console.error('[test:tools] tools/.venv is missing. Create it with: npm run setup -- --with-tools');
  process.exit(1);
}
const r = spawnSync(python, ['-m', 'pytest', '-q', 'tools', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
// pytest exits 5 when it collected no tests: nothing to run is not a failure of the suite.
if (r.status === 5) {
  console.log('[test:tools] no Python tests collected under tools/.');
  process.exit(0);
}
process.exit(r.status ?? 1);
