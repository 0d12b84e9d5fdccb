// `npm run serve [-- --port N --data-dir DIR --host ADDR --token T]`: builds if needed, then runs the
// browser host (plain Node) from the build output. All arguments are passed through.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuild } from './ensure-build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
ensureBuild();
const child = spawn(process.execPath, [path.join(root, 'out/main/serve.js'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
