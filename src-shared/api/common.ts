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
