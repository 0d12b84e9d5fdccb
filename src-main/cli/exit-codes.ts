/** Exit codes of `fastsam3d`: scripts can tell bad input from a bad pack from a bug. */
import { AbortError, PackError, PipelineInputError } from '../pipeline/errors';

export const EXIT = { ok: 0, internal: 1, badInput: 2, badPack: 3, cancelled: 130 } as const;

/** Usage problems found by the CLI itself (flag combinations, values). */
export class UsageError extends Error {
  override readonly name: string = 'UsageError';
}

/** The output folder or an output file cannot be written (user-fixable: exit 2, one line, no stack). */
export class OutputError extends UsageError {
  override readonly name = 'OutputError';
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError || err instanceof PipelineInputError) return EXIT.badInput;
  if (err instanceof PackError) return EXIT.badPack;
  if (err instanceof AbortError) return EXIT.cancelled;
  const name = (err as { name?: string } | null)?.name;
  if (name === 'ExportInputError' || name === 'ExportWriteError') return EXIT.badInput;
  return EXIT.internal;
}
