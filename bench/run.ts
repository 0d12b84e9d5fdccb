/**
 * `npm run bench -- ARGS` — the same as `fastsam3d bench ARGS` (src-main/cli/bench-command.ts; the code
 * is bench/bench-main.ts). Run `npm run bench -- --help` for the options.
 */
import { main } from '../src-main/cli/main';

process.exitCode = await main(['node', 'fastsam3d', 'bench', ...process.argv.slice(2)]);
