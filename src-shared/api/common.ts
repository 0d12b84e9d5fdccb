/** Shared building blocks of the typed API schemas. */
import { z } from 'zod';

export const Id = z.string().min(1).max(128);
/**
 * A folder or file on the machine that runs the host (export targets, folders to import). Absolute only:
 * a relative path would be resolved against whatever folder the app or the host happened to start in.
 * POSIX `/…`, Windows `C:\…` / `C:/…` and UNC `\\server\share…`.
 */
export const AbsolutePath = z
  .string()
  .min(1)
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), {
    message: 'must be an absolute path (for example /home/me/exports or C:\\Users\\me\\exports)',
  });

/**
 * Messages written for the person using the app, as opposed to zod's own ("Too small: expected string
 * to have >=1 characters"). A schema gives one with `forUser('…')`; when every problem of a request has
 * one, the dispatcher replies with those sentences alone, without the schema's field paths.
 */
const USER_MESSAGES = new Set<string>();
export function forUser(message: string): string {
  USER_MESSAGES.add(message);
  return message;
}
export function isForUser(message: string): boolean {
  return USER_MESSAGES.has(message);
}

/** Binary payloads cross the transports as base64 strings (IPC and WebSocket alike). */
export const Base64 = z.string().max(512 * 1024 * 1024);

/** The error reply every transport returns for a bad request or a failed handler. */
export const ApiErrorSchema = z.object({
  code: z.enum(['BAD_REQUEST', 'NOT_FOUND', 'CONFLICT', 'UNAVAILABLE', 'CANCELLED', 'INTERNAL']),
  message: z.string(),
  /** Field-level details for BAD_REQUEST (path → problem). */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;
