/**
 * Errors of the segmentation service, coded with the API's error codes so the dispatcher passes them on
 * unchanged (src-main/api/index.ts maps a known `code`); the message says what to do.
 */
export class SegmentError extends Error {
  override readonly name = 'SegmentError';
  constructor(readonly code: 'BAD_REQUEST' | 'NOT_FOUND' | 'CONFLICT' | 'UNAVAILABLE', message: string) {
    super(message);
  }
}
