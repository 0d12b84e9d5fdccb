/**
 * `npm run serve` — the browser host: plain Node, no Electron. Serves the built window and the typed API
 * over a WebSocket, runs inference in a forked worker process, and prints the URL to open.
 *
 *   serve [--port 5178] [--host 127.0.0.1] [--data-dir DIR] [--token SECRET] [--renderer-dir DIR] [--models-dir DIR]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { forkLauncher } from '../inference/worker-process';
import { LibraryError } from '../library/errors';
import { defaultDataDir, projectRootFrom, readAppVersion } from './paths';
import { HostConfigError, startHost } from './server';
import { createServices } from './services';

const here = path.dirname(fileURLToPath(import.meta.url));
const fromSource = import.meta.url.endsWith('.ts');
const root = projectRootFrom(here);

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be an integer 0..65535 (0 = any free port)');
  return n;
}

const program = new Command('serve')
  .description('Fast-SAM3D Studio in your browser: serves the app and its API on this machine.')
  .option('--port <n>', 'port to listen on (0 = any free port)', port, 5178)
  .option('--host <address>', 'address to bind; anything but loopback requires --token', '127.0.0.1')
  .option('--data-dir <dir>', 'library, settings and results folder', defaultDataDir())
  .option('--token <secret>', 'access token (generated when bound to loopback and not given)')
  .option('--renderer-dir <dir>', 'built window to serve', fromSource ? path.join(root, 'out/renderer') : path.join(here, '../renderer'))
  .option('--models-dir <dir>', 'bundled model packs', path.join(root, 'models'))
  .parse();

const opts = program.opts<{ port: number; host: string; dataDir: string; token?: string; rendererDir: string; modelsDir: string }>();

/** What to tell the user when the library cannot be opened in `dataDir` (the library's own errors say it best). */
function dataDirProblem(e: NodeJS.ErrnoException, dataDir: string): string {
  if (e instanceof LibraryError) return e.message; // says what happened, where, and what to do
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `cannot write to the data folder ${dataDir} (${e.code === 'EROFS' ? 'read-only file system' : 'no permission'}). Choose a writable folder with --data-dir.`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `the data folder ${dataDir} (or a folder above it) is a file, not a folder. Choose another with --data-dir.`;
    case 'ENOSPC':
      return `the disk holding ${dataDir} is full. Free some space or choose another folder with --data-dir.`;
    default:
      return `could not open the library in ${dataDir}: ${e.message}`;
  }
}

async function main(): Promise<void> {
  const workerEntry = fromSource ? path.join(root, 'src-main/inference/worker.ts') : path.join(here, 'worker.js');
  const dataDir = path.resolve(opts.dataDir);
  let services;
  try {
    services = createServices({
      host: 'browser', version: readAppVersion(root), dataDir,
      bundledModelsDir: path.resolve(opts.modelsDir), examplesDir: path.join(root, 'resources', 'examples'),
      launchWorker: forkLauncher(workerEntry),
    });
  } catch (err) {
    console.error(`serve: ${dataDirProblem(err as NodeJS.ErrnoException, dataDir)}`);
    process.exit(2);
  }
  let host;
  try {
    host = await startHost({ host: opts.host, port: opts.port, token: opts.token, rendererDir: path.resolve(opts.rendererDir), services });
  } catch (err) {
    await services.close();
    const e = err as NodeJS.ErrnoException;
    if (err instanceof HostConfigError) console.error(`serve: ${e.message}`);
    else if (e.code === 'EADDRINUSE') console.error(`serve: port ${opts.port} is in use. Pick another with --port, or --port 0 for any free port.`);
    else if (e.code === 'EADDRNOTAVAIL') console.error(`serve: ${opts.host} is not an address of this machine.`);
    else console.error(`serve: could not start: ${e.message}`);
    process.exit(2);
  }
  console.log(`Fast-SAM3D Studio (browser host) — data in ${services.dataDir}`);
  console.log(`Open: ${host.openUrl}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await services.close();
    await host.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
