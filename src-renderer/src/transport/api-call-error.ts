import type { ApiError } from '../../../src-shared/api/index';

/** A failed API call, whichever transport carried it: the host's error code, message and field issues. */
export class ApiCallError extends Error {
  override name = 'ApiCallError';
  readonly code: ApiError['code'];
  readonly issues?: ApiError['issues'];
  constructor(readonly method: string, error: ApiError) {
    super(error.message);
    this.code = error.code;
    this.issues = error.issues;
  }
}
