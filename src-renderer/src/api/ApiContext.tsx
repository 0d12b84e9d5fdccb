/**
 * The one StudioApi of the window (Electron bridge or WebSocket client, picked by the transport module)
 * handed down through context so components and tests never reach for globals.
 */
import { createContext, useContext, type ReactNode } from 'react';
import type { StudioApi } from '../../../src-shared/api';

const ApiContext = createContext<StudioApi | null>(null);

export function ApiProvider({ api, children }: { api: StudioApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): StudioApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi() outside <ApiProvider>: the window was started without a transport.');
  return api;
}
