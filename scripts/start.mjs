// `npm start`: the Electron app where its binary exists; elsewhere (machines that reach only the npm
// registry) it says so and starts the browser host instead.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary.mjs';
import { ensureBuild } from './ensure-build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
ensureBuild();
const bin = electronBinary();
let child;
if (bin) {
  child = spawn(bin, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
} else {
  console.log('[start] The Electron binary is not installed (its download was skipped or failed during setup).');
  console.log('[start] Starting the browser host instead; open the URL printed below in Chrome/Chromium/Firefox.');
  console.log('[start] To get the desktop app, run `npm run setup` on a machine that can reach github.com.');
  child = spawn(process.execPath, [path.join(root, 'out/main/serve.js'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
