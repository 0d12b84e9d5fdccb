/**
 * Typed errors of the pipeline. Callers (CLI, worker, API) map them to exit codes / API error codes
 * without parsing messages: `PipelineInputError` = bad user input (exit 2), `PackError` = the model pack
 * is unusable (exit 3), `AbortError` = cancelled by the caller's AbortSignal.
 */

export type InputErrorCode =
  | 'UNREADABLE_FILE'
  | 'CORRUPT_IMAGE'
  | 'IMAGE_TOO_LARGE'
  | 'EMPTY_MASK'
  | 'FULL_MASK'
  | 'NOT_A_MASK'
  | 'MASK_SIZE_MISMATCH'
  | 'MASK_INDEX_OUT_OF_RANGE'
  | 'NO_MASK'
  | 'AMBIGUOUS_MASK'
  | 'TOO_FEW_VOXELS'
  | 'BAD_PARAMS';

/** The user's input (image, mask, parameters) cannot be used; the message says what to do. */
export class PipelineInputError extends Error {
  override readonly name = 'PipelineInputError';
  constructor(
    readonly code: InputErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A model pack failed validation or a session could not be created; `file` names the culprit. */
export class PackError extends Error {
  override readonly name = 'PackError';
  constructor(
    message: string,
    readonly problems: string[] = [message],
    readonly file?: string,
  ) {
    super(message);
  }
}

/** Rejection value for cancelled runs (`name === 'AbortError'`, like DOMException's). */
export class AbortError extends Error {
  override readonly name = 'AbortError';
  constructor(message = 'The run was cancelled') {
    super(message);
  }
}

/** Throw an AbortError when the signal is aborted; called between network calls. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError();
}
