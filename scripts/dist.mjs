// `npm run dist [-- --linux|--win|--mac]`: build, then package installers with electron-builder.
// Needs the Electron binary (installed by `npm run setup` where github.com is reachable); where it is
// absent this says so instead of failing deep inside a download. The local Electron is reused for the
// host platform so electron-builder does not download it again.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (!electronBinary()) {
  console.error('[dist] The Electron binary is not installed, so installers cannot be built on this machine.');
  console.error('[dist] On a machine with internet access: `npm run setup`, then `npm run dist`.');
  console.error('[dist] (The packaging configuration is still checked by test/foundation/builder-config.test.ts.)');
  process.exit(1);
}
const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
step(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']);
const targets = process.argv.slice(2);
const PLATFORM_OF = { '--linux': 'linux', '--win': 'win32', '--mac': 'darwin' };
// The local Electron only fits the host platform; another platform's target downloads its own.
const crossBuild = targets.some((t) => PLATFORM_OF[t] && PLATFORM_OF[t] !== process.platform);
// electron-builder rebuilds better-sqlite3 for Electron's ABI in this project's own node_modules (npmRebuild):
// the plain-Node build that `npm test`, `npm run serve` and the CLI load is put back afterwards, whatever
// happened, so packaging does not break them ("compiled against a different Node.js version").
const sqliteBinary = path.join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
const sqliteBackup = `${sqliteBinary}.node-abi`;
if (existsSync(sqliteBinary)) copyFileSync(sqliteBinary, sqliteBackup);
let status;
try {
  status = spawnSync(process.execPath, [
    path.join(root, 'node_modules/electron-builder/cli.js'), '--config', 'electron-builder.json',
    ...(crossBuild ? [] : ['-c.electronDist=node_modules/electron/dist']),
    ...targets,
  ], { cwd: root, stdio: 'inherit' }).status;
} finally {
  if (existsSync(sqliteBackup)) renameSync(sqliteBackup, sqliteBinary);
}
process.exit(status ?? 1);
