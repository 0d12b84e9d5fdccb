/**
 * Turns whatever a failed API call threw into a sentence for the place where the user acted: the
 * ApiError message with its field issues, or a fallback that says what to do next.
 */
import { ApiErrorSchema } from '../../../src-shared/api/common';

export function errorMessage(err: unknown, action: string): string {
  const parsed = ApiErrorSchema.safeParse(err);
  if (parsed.success) {
    const e = parsed.data;
    // Field problems the message already says (the dispatcher puts them in it) are not said twice.
    const unsaid = (e.issues ?? []).filter((i) => !e.message.includes(i.message));
    const details = unsaid.length ? ` (${unsaid.map((i) => `${i.path}: ${i.message}`).join('; ')})` : '';
    // A message that already says what to do (open the new URL, try again) is not given a second,
    // different instruction.
    const saysWhatToDo = /\b(open|retry|try again|restart)\b/i.test(e.message);
    const hint =
      e.code === 'UNAVAILABLE' ? (saysWhatToDo ? '' : ' Retry in a moment; if it persists, restart the app (or `npm run serve`).')
      : e.code === 'NOT_FOUND' ? ' It may have been deleted; reload the library.'
      : e.code === 'CANCELLED' ? ''
      : '';
    return `${action} failed: ${e.message}${details}.${hint}`.replace(/\.\./g, '.');
  }
  if (err instanceof Error) return `${action} failed: ${err.message}`;
  return `${action} failed: ${String(err)}`;
}

export function isCancelled(err: unknown): boolean {
  const parsed = ApiErrorSchema.safeParse(err);
  return (parsed.success && parsed.data.code === 'CANCELLED') || (err instanceof Error && err.name === 'AbortError');
}
