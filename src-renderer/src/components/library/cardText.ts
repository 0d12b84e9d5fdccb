/**
 * Text of the Library cards as pure functions: the refusal sentence under an inline edit, and tags in
 * natural order (t2 before t10).
 */
import { ApiErrorSchema } from '../../../../src-shared/api/common';
import { errorMessage } from '../../api/errors';

/** Without its closing full stop (the API's messages are whole sentences; they are joined into one). */
const unstopped = (s: string): string => s.trim().replace(/[.。]+$/u, '');

/** Why the API refused an edit, said once: the refused field's problem, else the usual error sentence. */
export function refusal(err: unknown, action: string): string {
  const e = ApiErrorSchema.safeParse(err);
  if (e.success && e.data.issues?.length) {
    return `${action} failed: ${e.data.issues.map((i) => `${i.path ? `${i.path}: ` : ''}${unstopped(i.message)}`).join('; ')}.`;
  }
  return errorMessage(err, action);
}

const natural = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Tags as the window lists them: natural order (t1, t2, t10), not the order of their characters. */
export function sortTags(tags: readonly string[]): string[] {
  return [...tags].sort((a, b) => natural.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
}
