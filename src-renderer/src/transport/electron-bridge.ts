/** StudioApi over the preload's `window.studio` (Electron). Errors become ApiCallError with their code. */
import type { ApiError, StudioApi } from '../../../src-shared/api/index';
import { ApiCallError } from './api-call-error';

/** What src-preload exposes; `invokeRaw` keeps the error code, which contextBridge would drop from an Error. */
export interface PreloadBridge {
  invokeRaw(method: string, request: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: ApiError }>;
  on(event: string, listener: (payload: unknown) => void): () => void;
  assetUrl(relativePath: string): string;
}

export function preloadBridge(): PreloadBridge | undefined {
  return (globalThis as { studio?: PreloadBridge }).studio;
}

export function electronStudioApi(bridge: PreloadBridge): StudioApi {
  return {
    async invoke(method, request) {
      const r = await bridge.invokeRaw(method, request);
      if (!r.ok) throw new ApiCallError(method, r.error);
      return r.result as never;
    },
    on(event, listener) {
      return bridge.on(event, listener as (p: unknown) => void);
    },
    assetUrl: (p) => bridge.assetUrl(p),
  };
}
