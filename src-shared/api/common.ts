/** Shared building blocks of the typed API schemas. */
import { z } from 'zod';

export const Id = z.string().min(1).max(128);
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
