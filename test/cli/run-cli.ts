/** Run the `fastsam3d` CLI in-process with captured stdout / stderr (the tests' one way to call it). */
import { PassThrough } from 'node:stream';
import { main } from '../../src-main/cli/main';

/** main() with stdout and stderr captured, and the "exit at once" of a signal recorded in `exits`. */
async function runMain(args: string[]): Promise<{ code: number; out: string; err: string; exits: number[] }> {
  const stdout = new PassThrough(),
    stderr = new PassThrough() as unknown as NodeJS.WriteStream;
  let out = '',
    err = '';
  stdout.on('data', (d) => (out += d));
  (stderr as unknown as PassThrough).on('data', (d) => (err += d));
  const exits: number[] = [];
  const code = await main(['node', 'fastsam3d', ...args], { stdout, stderr, exit: (c) => void exits.push(c) });
  return { code, out, err, exits };
}

export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, out, err } = await runMain(args);
  return { code, out, err };
}

/**
 * cli(), with the "exit at once" of SIGTERM, SIGHUP or a second Ctrl-C recorded instead of ending the
 * test process.
 */
export async function cliExits(...args: string[]): Promise<{ code: number; err: string; exits: number[] }> {
  const { code, err, exits } = await runMain(args);
  return { code, err, exits };
}
