/** Run the `fastsam3d` CLI in-process with captured stdout / stderr (the tests' one way to call it). */
import { PassThrough } from 'node:stream';
import { main } from '../../src-main/cli/main';

export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough(),
    stderr = new PassThrough() as unknown as NodeJS.WriteStream;
  let out = '',
    err = '';
  stdout.on('data', (d) => (out += d));
  (stderr as unknown as PassThrough).on('data', (d) => (err += d));
  const code = await main(['node', 'fastsam3d', ...args], { stdout, stderr });
  return { code, out, err };
}
